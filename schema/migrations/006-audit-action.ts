/** The engine asks for the last archive import before it keeps a stored month: an index answers at once. */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX audit_log_action_at ON audit_log (action, at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX audit_log_action_at`.execute(db);
}
