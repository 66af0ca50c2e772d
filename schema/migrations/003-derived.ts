/** Derived figures, alarms, adjustments, audit, acquisition log and calculation tasks. */
import { sql, type Kysely } from 'kysely';
import { REGISTER_COLUMNS } from '../registers.ts';
import { createTimeSeries, storageOf } from '../storage.ts';

// Derived energy is decimal kWh/kvarh after multipliers: exact, never float.
const energyColumns = REGISTER_COLUMNS.map((c) => `${c} numeric`).join(', ');
const figure = `quality text NOT NULL CHECK (quality IN ('actual','estimated','missing')), method text,
  source_from timestamptz, source_to timestamptz, computed_at timestamptz NOT NULL DEFAULT now()`;

export async function up(db: Kysely<any>): Promise<void> {
  const kind = await storageOf(db);
  await createTimeSeries(db, kind, 'interval_energy', `
    point_id text NOT NULL, ts timestamptz NOT NULL, ${energyColumns}, ${figure}, PRIMARY KEY (point_id, ts)`);
  await createTimeSeries(db, kind, 'acquisition_log', `
    ts timestamptz NOT NULL, terminal_id text NOT NULL, unit_id integer, what text NOT NULL,
    result text NOT NULL CHECK (result IN ('ok','error','timeout','exception','bad-frame','rejected')),
    duration_ms integer, error text, detail jsonb`);
  await sql`
    CREATE TABLE daily_energy (
      point_id text NOT NULL, day date NOT NULL, period_start timestamptz NOT NULL, period_end timestamptz NOT NULL,
      ${sql.raw(energyColumns)}, ${sql.raw(figure)}, PRIMARY KEY (point_id, day));
    CREATE TABLE monthly_energy (
      point_id text NOT NULL, month date NOT NULL, period_start timestamptz NOT NULL, period_end timestamptz NOT NULL,
      ${sql.raw(energyColumns)}, ${sql.raw(figure)}, PRIMARY KEY (point_id, month));
    CREATE TABLE object_result (
      object_id text NOT NULL, period_kind text NOT NULL CHECK (period_kind IN ('interval','day','month')),
      period_start timestamptz NOT NULL, period_end timestamptz NOT NULL,
      input numeric, output numeric, loss numeric, loss_rate numeric,
      quality text NOT NULL, computed_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (object_id, period_kind, period_start));
    CREATE TABLE alarm (
      id bigserial PRIMARY KEY, rule text NOT NULL, object_kind text NOT NULL, object_id text NOT NULL,
      period_start timestamptz NOT NULL, period_end timestamptz NOT NULL,
      observed numeric, limit_value numeric, severity text NOT NULL CHECK (severity IN ('info','warning','critical')),
      state text NOT NULL CHECK (state IN ('open','acknowledged','cleared')), message text NOT NULL,
      raised_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now(), cleared_at timestamptz,
      acknowledged_by text, acknowledged_at timestamptz);
    CREATE UNIQUE INDEX alarm_one_open ON alarm (rule, object_kind, object_id, period_start) WHERE state <> 'cleared';
    CREATE TABLE adjustment (
      id bigserial PRIMARY KEY, kind text NOT NULL CHECK (kind IN ('supplementary','set')),
      point_id text NOT NULL REFERENCES metering_point, register text NOT NULL,
      period_kind text NOT NULL CHECK (period_kind IN ('interval','day','month')), period_start timestamptz NOT NULL,
      value numeric NOT NULL, actor text NOT NULL, reason text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
    CREATE TABLE audit_log (
      id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), actor text NOT NULL, action text NOT NULL,
      entity text NOT NULL, entity_id text, reason text, detail jsonb NOT NULL DEFAULT '{}');
    CREATE TABLE calc_task (
      id bigserial PRIMARY KEY, point_id text NOT NULL, from_ts timestamptz NOT NULL, to_ts timestamptz NOT NULL,
      reason text NOT NULL, state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','running','done','failed')),
      claimed_by text, claimed_at timestamptz, attempts integer NOT NULL DEFAULT 0, error text,
      created_at timestamptz NOT NULL DEFAULT now(), finished_at timestamptz);
    CREATE INDEX calc_task_pending ON calc_task (id) WHERE state IN ('pending','running');
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE calc_task, audit_log, adjustment, alarm, object_result, monthly_energy, daily_energy, acquisition_log, interval_energy`.execute(db);
}
