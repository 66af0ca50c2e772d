/**
 * Monthly settlement: runs (one version per month and re-settlement), statements and their
 * lines, the month locks that refuse late changes, and the changes held while a month is locked.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE settlement_run (
      id bigserial PRIMARY KEY, month date NOT NULL, version integer NOT NULL,
      state text NOT NULL CHECK (state IN ('locked','reopened')),
      actor text NOT NULL, reason text, approve_estimates boolean NOT NULL DEFAULT false,
      summary jsonb NOT NULL DEFAULT '{}', created_at timestamptz NOT NULL DEFAULT now(),
      reopened_by text, reopened_at timestamptz, reopen_reason text,
      UNIQUE (month, version));
    CREATE TABLE statement (
      id bigserial PRIMARY KEY, run_id bigint NOT NULL REFERENCES settlement_run ON DELETE CASCADE,
      account_id text NOT NULL, kind text NOT NULL CHECK (kind IN ('statement','difference')),
      account_name text NOT NULL, currency text NOT NULL, total numeric NOT NULL,
      figures jsonb NOT NULL, warnings jsonb NOT NULL DEFAULT '[]',
      UNIQUE (run_id, kind, account_id));
    CREATE TABLE statement_line (
      statement_id bigint NOT NULL REFERENCES statement ON DELETE CASCADE, seq smallint NOT NULL,
      code text NOT NULL, tariff_id text NOT NULL, description text NOT NULL,
      quantity numeric NOT NULL, unit text NOT NULL, price numeric NOT NULL, factor text, amount numeric NOT NULL,
      PRIMARY KEY (statement_id, seq));
    CREATE TABLE month_lock (
      month date NOT NULL, point_id text NOT NULL, run_id bigint NOT NULL REFERENCES settlement_run,
      period_start timestamptz NOT NULL, period_end timestamptz NOT NULL,
      PRIMARY KEY (month, point_id));
    CREATE INDEX month_lock_point ON month_lock (point_id, period_start);
    CREATE TABLE pending_change (
      id bigserial PRIMARY KEY, month date NOT NULL, run_id bigint NOT NULL REFERENCES settlement_run,
      kind text NOT NULL, point_ids text[] NOT NULL, payload jsonb NOT NULL,
      actor text NOT NULL, reason text,
      state text NOT NULL DEFAULT 'held' CHECK (state IN ('held','applied','failed')), error text,
      created_at timestamptz NOT NULL DEFAULT now(), applied_at timestamptz);
    CREATE INDEX pending_change_held ON pending_change (month) WHERE state = 'held';
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE pending_change, month_lock, statement_line, statement, settlement_run`.execute(db);
}
