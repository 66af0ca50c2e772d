/**
 * One open alarm per rule, object and period — the whole period, start and end: a bus's day and
 * its month start together and are two alarms (the start alone made the month's insert a silent
 * no-op), and a run alarm whose end moves is updated in place under the same identity.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX alarm_one_open`.execute(db);
  await sql`CREATE UNIQUE INDEX alarm_one_open ON alarm (rule, object_kind, object_id, period_start, period_end) WHERE state <> 'cleared'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX alarm_one_open`.execute(db);
  // The narrower identity holds one open alarm per start: of a day and its month, the month stays.
  await sql`UPDATE alarm SET state = 'cleared', cleared_at = now(), updated_at = now() WHERE id IN (
    SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY rule, object_kind, object_id, period_start ORDER BY period_end DESC, id) AS n
      FROM alarm WHERE state <> 'cleared') x WHERE n > 1)`.execute(db);
  await sql`CREATE UNIQUE INDEX alarm_one_open ON alarm (rule, object_kind, object_id, period_start) WHERE state <> 'cleared'`.execute(db);
}
