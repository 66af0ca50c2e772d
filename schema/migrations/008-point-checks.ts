/**
 * Limits of a point's interval checks (archive `checks`): only the fields the archive gave, the
 * engine fills in its defaults, so a default changed in a later release reaches every point that
 * did not set its own.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE metering_point ADD COLUMN checks jsonb NOT NULL DEFAULT '{}'::jsonb`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE metering_point DROP COLUMN checks`.execute(db);
}
