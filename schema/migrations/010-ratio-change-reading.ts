/** The meter's register readings at a CT/PT change, as an installation keeps them at a swap. */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE ratio_change ADD COLUMN readings bigint[]`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE ratio_change DROP COLUMN readings`.execute(db);
}
