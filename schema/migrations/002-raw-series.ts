/** Raw time series: register snapshots, instantaneous values, loss-of-voltage, demand, events. */
import { sql, type Kysely } from 'kysely';
import { REGISTER_COLUMNS } from '../registers.ts';
import { createTimeSeries, probeStorage } from '../storage.ts';

const registerColumns = REGISTER_COLUMNS.map((c) => `${c} bigint`).join(', ');

export async function up(db: Kysely<any>): Promise<void> {
  const kind = await probeStorage(db);
  await sql`INSERT INTO meterflow_meta (key, value) VALUES ('storage', ${kind})`.execute(db);
  // One row per point and time; NULL where a register was not read. Never deleted or overwritten
  // silently: corrections move the old value to reading_revision with an audit row.
  await createTimeSeries(db, kind, 'reading', `
    point_id text NOT NULL, ts timestamptz NOT NULL,
    source text NOT NULL CHECK (source IN ('poll','push','backfill','import','manual')),
    quality text NOT NULL DEFAULT 'actual' CHECK (quality IN ('actual','estimated','suspect')),
    ${registerColumns},
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (point_id, ts)`);
  await createTimeSeries(db, kind, 'instant_value', `
    point_id text NOT NULL, ts timestamptz NOT NULL, source text NOT NULL,
    ua bigint, ub bigint, uc bigint, ia bigint, ib bigint, ic bigint, p_total bigint, pf integer,
    PRIMARY KEY (point_id, ts)`);
  await sql`
    CREATE TABLE reading_revision (
      id bigserial PRIMARY KEY, point_id text NOT NULL, ts timestamptz NOT NULL, register text NOT NULL,
      old_value bigint, new_value bigint, old_source text, actor text NOT NULL, reason text NOT NULL,
      revised_at timestamptz NOT NULL DEFAULT now());
    CREATE INDEX reading_revision_point ON reading_revision (point_id, ts);
    CREATE TABLE voltage_loss (
      point_id text NOT NULL, phase text NOT NULL CHECK (phase IN ('A','B','C')), started_at timestamptz NOT NULL,
      ended_at timestamptz, cumulative_seconds bigint, loss_count integer,
      PRIMARY KEY (point_id, phase, started_at));
    CREATE TABLE demand (
      point_id text NOT NULL, month date NOT NULL, register text NOT NULL, value_w bigint NOT NULL, occurred_at timestamptz NOT NULL,
      PRIMARY KEY (point_id, month, register));
    CREATE TABLE terminal_event (
      terminal_id text NOT NULL, ts timestamptz NOT NULL, kind text NOT NULL, detail jsonb NOT NULL DEFAULT '{}',
      PRIMARY KEY (terminal_id, ts, kind));
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE terminal_event, demand, voltage_loss, reading_revision, instant_value, reading`.execute(db);
  await sql`DELETE FROM meterflow_meta WHERE key = 'storage'`.execute(db);
}
