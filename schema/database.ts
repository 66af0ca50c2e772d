/**
 * Opening the database: `DATABASE_URL` (or an explicit URL) when given, the embedded PostgreSQL
 * otherwise. One handle carries the Kysely instance, the raw pool (for COPY) and what the
 * storage adapter found.
 */
import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { defaultDataDir, ensureEmbedded } from './embedded.ts';
import { migrationProvider } from './migrations/index.ts';
import { storageOf, type StorageKind } from './storage.ts';
import type { Tables } from './tables.ts';

// bigint (int8) and numeric stay strings: exact, parsed where needed. Dates as Date.

/** An open meterflow database. */
export interface Database {
  db: Kysely<Tables>;
  pool: pg.Pool;
  url: string;
  /** Whether the bulk path may use COPY (false on servers without it, e.g. PGlite). */
  copy: boolean;
  close(): Promise<void>;
}

/** How to open the database. */
export interface OpenOptions {
  /** Connection string; default `DATABASE_URL`, else the embedded server. */
  url?: string;
  /** Data directory of the embedded server; default `MF_DATA_DIR` or `./data`. */
  dataDir?: string;
  /** Pool size; 1 for servers that take one connection at a time. */
  poolSize?: number;
  /** Bulk writes with COPY (default) or multi-row INSERT. */
  copy?: boolean;
  /** Run pending migrations first (default true). */
  migrate?: boolean;
}

/** Resolve the connection string: explicit, `DATABASE_URL`, or the embedded server (started if needed). */
export async function resolveDatabaseUrl(opts: Pick<OpenOptions, 'url' | 'dataDir'> = {}): Promise<string> {
  const url = opts.url ?? process.env.DATABASE_URL;
  if (url) return url;
  return (await ensureEmbedded(opts.dataDir ?? defaultDataDir())).url;
}

/** Open (and by default migrate) the meterflow database. */
export async function openDatabase(opts: OpenOptions = {}): Promise<Database> {
  const url = await resolveDatabaseUrl(opts);
  const pool = new pg.Pool({ connectionString: url, max: opts.poolSize ?? 8, connectionTimeoutMillis: 10_000 });
  // A connection dropped by the server (restart, terminated backend), idle or checked out, must
  // not crash the process: the query in flight rejects and the pool connects anew next time.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
  const handle: Database = {
    db, pool, url,
    copy: opts.copy ?? process.env.MF_BULK !== 'insert',
    close: () => db.destroy(),
  };
  if (opts.migrate !== false) await migrate(handle).catch(async (e: unknown) => {
    await handle.close();
    throw e;
  });
  return handle;
}

async function adminQuery(adminUrl: string, text: string): Promise<void> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

/**
 * Create database `name` on the server of `adminUrl` (replacing one an earlier run left with
 * `replace`); returns its URL and how to drop it. For demos, benchmarks and tests.
 */
export async function createDatabase(adminUrl: string, name: string, opts: { replace?: boolean } = {}): Promise<{ url: string; drop(): Promise<void> }> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new RangeError(`database name '${name}': lower-case letters, digits and _ only`);
  const drop = () => adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  if (opts.replace) await drop();
  await adminQuery(adminUrl, `CREATE DATABASE ${name}`);
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return { url: u.toString(), drop };
}

/** Run `fn` in a transaction on one pooled connection: committed when it resolves, rolled back when it throws. */
export async function withTransaction<T>(handle: Database, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await handle.pool.connect();
  try {
    await client.query('BEGIN');
    const out = await fn(client);
    await client.query('COMMIT');
    return out;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}

/** A connection string without its password, for messages. */
export function redactedUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(a malformed connection string)';
  }
}

/** Apply pending migrations; throws with the failing migration's name. */
export async function migrate(handle: Database): Promise<string[]> {
  // Kysely's migrator takes a lock, so processes starting together migrate once.
  const migrator = new Migrator({ db: handle.db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error) {
    const why = (error as Error).message ?? String(error);
    // No migration ran: the server was not reached or refused the login.
    if (!failed) throw new Error(`cannot use the database at ${redactedUrl(handle.url)}: ${why}; check DATABASE_URL (postgres://user@host:port/database) and that the server runs`);
    throw new Error(`migration ${failed.migrationName} failed: ${why}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** What `meterflow db status` reports. */
export interface DatabaseStatus {
  server: string;
  version: string;
  storage: StorageKind;
  timescaledb: string | null;
  migrations: { name: string; applied: boolean }[];
  rows: Record<string, number>;
}

const COUNTED = ['substation', 'terminal', 'meter', 'metering_point', 'reading', 'interval_energy', 'daily_energy', 'monthly_energy', 'alarm', 'calc_task'] as const;

/** Engine, version, storage kind, migrations and row counts. */
export async function databaseStatus(handle: Database): Promise<DatabaseStatus> {
  const { db } = handle;
  const v = await sql<{ v: string }>`SELECT current_setting('server_version') AS v`.execute(db);
  const ts = await sql<{ v: string }>`SELECT extversion AS v FROM pg_extension WHERE extname = 'timescaledb'`.execute(db);
  const migrations = await new Migrator({ db, provider: migrationProvider }).getMigrations();
  const applied = migrations.some((m) => m.executedAt);
  const rows: Record<string, number> = {};
  if (applied) {
    for (const t of COUNTED) {
      const r = await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.table(t)}`.execute(db);
      rows[t] = Number(r.rows[0]!.n);
    }
  }
  return {
    server: handle.url.replace(/:[^:@/]*@/, ':***@'),
    version: v.rows[0]!.v,
    storage: applied ? await storageOf(db) : 'partitions',
    timescaledb: ts.rows[0]?.v ?? null,
    migrations: migrations.map((m) => ({ name: m.name, applied: !!m.executedAt })),
    rows,
  };
}
