/** A terminal event is one per unit: two meters of a terminal losing power in the same second are two events. */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE terminal_event ADD COLUMN unit_id integer NOT NULL DEFAULT 0`.execute(db);
  await sql`ALTER TABLE terminal_event DROP CONSTRAINT terminal_event_pkey, ADD PRIMARY KEY (terminal_id, ts, kind, unit_id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE terminal_event DROP CONSTRAINT terminal_event_pkey`.execute(db);
  await sql`ALTER TABLE terminal_event DROP COLUMN unit_id, ADD PRIMARY KEY (terminal_id, ts, kind)`.execute(db);
}
