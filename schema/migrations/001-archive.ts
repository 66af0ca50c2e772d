/** The archive: substations down to metering points, their history, objects, tariffs, accounts. */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE meterflow_meta (key text PRIMARY KEY, value text NOT NULL);
    CREATE TABLE substation (id text PRIMARY KEY, name text NOT NULL, time_zone text NOT NULL DEFAULT 'UTC');
    CREATE TABLE bus (id text PRIMARY KEY, substation_id text NOT NULL REFERENCES substation, name text NOT NULL, voltage_kv numeric NOT NULL);
    CREATE TABLE line (id text PRIMARY KEY, substation_id text NOT NULL REFERENCES substation, name text NOT NULL, voltage_kv numeric NOT NULL);
    CREATE TABLE transformer (id text PRIMARY KEY, substation_id text NOT NULL REFERENCES substation, name text NOT NULL, rated_kva numeric NOT NULL);
    CREATE TABLE terminal (
      id text PRIMARY KEY, substation_id text REFERENCES substation, name text NOT NULL,
      transport text NOT NULL, address text NOT NULL, profile text NOT NULL DEFAULT 'sim-terminal-v1',
      memory_days integer NOT NULL DEFAULT 30);
    CREATE TABLE meter (
      id text PRIMARY KEY, serial text NOT NULL, profile text NOT NULL DEFAULT 'sim-terminal-v1',
      terminal_id text REFERENCES terminal, unit_id integer,
      capacity bigint NOT NULL DEFAULT 100000000,
      primary_values boolean NOT NULL DEFAULT false);
    CREATE TABLE metering_point (
      id text PRIMARY KEY, substation_id text NOT NULL REFERENCES substation, name text NOT NULL,
      ct_ratio numeric NOT NULL DEFAULT 1, pt_ratio numeric NOT NULL DEFAULT 1,
      time_zone text NOT NULL, interval_seconds integer NOT NULL DEFAULT 900,
      directions text[] NOT NULL DEFAULT ARRAY['ap_imp','ap_exp','rp_imp','rp_exp'],
      import_only boolean NOT NULL DEFAULT false,
      max_interval_energy bigint,
      daily_min bigint, daily_max bigint,
      voltage_kv numeric);
    CREATE TABLE installation (
      id bigserial PRIMARY KEY, point_id text NOT NULL REFERENCES metering_point, meter_id text NOT NULL REFERENCES meter,
      installed_at timestamptz NOT NULL, removed_at timestamptz,
      initial_readings bigint[] NOT NULL, final_readings bigint[],
      UNIQUE (point_id, installed_at));
    CREATE TABLE ratio_change (
      id bigserial PRIMARY KEY, point_id text NOT NULL REFERENCES metering_point, effective_at timestamptz NOT NULL,
      ct_ratio numeric NOT NULL, pt_ratio numeric NOT NULL, UNIQUE (point_id, effective_at));
    CREATE TABLE bypass_event (
      id bigserial PRIMARY KEY, point_id text NOT NULL REFERENCES metering_point, bypass_point_id text NOT NULL REFERENCES metering_point,
      started_at timestamptz NOT NULL, ended_at timestamptz, UNIQUE (point_id, started_at));
    CREATE TABLE stat_object (
      id text PRIMARY KEY, kind text NOT NULL CHECK (kind IN ('bus','line','transformer','custom')),
      ref_id text, name text NOT NULL, voltage_kv numeric, limits jsonb NOT NULL DEFAULT '{}');
    CREATE TABLE stat_member (
      object_id text NOT NULL REFERENCES stat_object ON DELETE CASCADE, point_id text NOT NULL REFERENCES metering_point,
      direction text NOT NULL, role text NOT NULL CHECK (role IN ('in','out')), sign smallint NOT NULL DEFAULT 1,
      PRIMARY KEY (object_id, point_id, direction, role));
    CREATE TABLE tariff (id text PRIMARY KEY, name text NOT NULL, effective_from date NOT NULL, effective_to date, spec jsonb NOT NULL);
    CREATE TABLE account (id text PRIMARY KEY, name text NOT NULL, tariff_id text NOT NULL REFERENCES tariff, meta jsonb NOT NULL DEFAULT '{}');
    CREATE TABLE account_member (
      account_id text NOT NULL REFERENCES account ON DELETE CASCADE, point_id text NOT NULL REFERENCES metering_point,
      sign smallint NOT NULL DEFAULT 1, PRIMARY KEY (account_id, point_id));
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE account_member, account, tariff, stat_member, stat_object, bypass_event, ratio_change,
    installation, metering_point, meter, terminal, transformer, line, bus, substation, meterflow_meta`.execute(db);
}
