/** Limits of a point's monthly energy (rule energy-limit), primary hundredths like the daily ones. */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE metering_point ADD COLUMN monthly_min bigint, ADD COLUMN monthly_max bigint`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE metering_point DROP COLUMN monthly_min, DROP COLUMN monthly_max`.execute(db);
}
