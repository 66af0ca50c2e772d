/** Alarms keep the finer kind of their finding (e.g. `register-decrease`, `spike`). */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE alarm ADD COLUMN detail text`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE alarm DROP COLUMN detail`.execute(db);
}
