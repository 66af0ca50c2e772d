/**
 * The storage adapter: the one place that knows whether time-series tables are TimescaleDB
 * hypertables (compressed, segmented by point) or native range partitions. Everything outside
 * this file writes portable SQL.
 */
import { sql, type Kysely } from 'kysely';
import { DateTime } from 'luxon';

/** How time-series tables are stored. */
export type StorageKind = 'timescaledb' | 'partitions';

/** Time-series tables, their time column and the column compression segments by. */
export const TIME_SERIES_TABLES = {
  reading: { time: 'ts', segmentBy: 'point_id' },
  instant_value: { time: 'ts', segmentBy: 'point_id' },
  interval_energy: { time: 'ts', segmentBy: 'point_id' },
  acquisition_log: { time: 'ts', segmentBy: 'terminal_id' },
} as const;

/** A time-series table name. */
export type TimeSeriesTable = keyof typeof TIME_SERIES_TABLES;

/**
 * Decide the storage kind for this database: TimescaleDB when the extension can be created,
 * partitions otherwise. `MF_STORAGE=partitions` forces the fallback.
 */
export async function probeStorage(db: Kysely<any>): Promise<StorageKind> {
  if (process.env.MF_STORAGE === 'partitions') return 'partitions';
  const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_available_extensions WHERE name = 'timescaledb'`.execute(db);
  if ((r.rows[0]?.n ?? 0) === 0) return 'partitions';
  try {
    await sql`CREATE EXTENSION IF NOT EXISTS timescaledb`.execute(db);
    return 'timescaledb';
  } catch {
    return 'partitions';
  }
}

const kinds = new WeakMap<object, StorageKind>();

/** The storage kind recorded by the migrations (read once per database handle: it never changes). */
export async function storageOf(db: Kysely<any>): Promise<StorageKind> {
  const known = kinds.get(db);
  if (known) return known;
  const r = await sql<{ value: string }>`SELECT value FROM meterflow_meta WHERE key = 'storage'`.execute(db);
  const kind = r.rows[0]?.value as StorageKind | undefined;
  if (kind) kinds.set(db, kind);
  return kind ?? 'partitions';
}

/**
 * Create a time-series table from its column definitions. `columns` is the SQL body of
 * CREATE TABLE (columns and the primary key, which must include the time column).
 */
export async function createTimeSeries(db: Kysely<any>, kind: StorageKind, table: TimeSeriesTable, columns: string): Promise<void> {
  const { time, segmentBy } = TIME_SERIES_TABLES[table];
  if (kind === 'timescaledb') {
    await sql.raw(`CREATE TABLE ${table} (${columns})`).execute(db);
    await sql.raw(`SELECT create_hypertable('${table}', by_range('${time}', INTERVAL '7 days'))`).execute(db);
    await sql
      .raw(`ALTER TABLE ${table} SET (timescaledb.compress, timescaledb.compress_segmentby = '${segmentBy}', timescaledb.compress_orderby = '${time}')`)
      .execute(db);
    await sql.raw(`SELECT add_compression_policy('${table}', INTERVAL '45 days', if_not_exists => true)`).execute(db);
  } else {
    await sql.raw(`CREATE TABLE ${table} (${columns}) PARTITION BY RANGE (${time})`).execute(db);
  }
}

const known = new WeakMap<object, Set<string>>();

/**
 * Make sure partitions exist for [from, to] (monthly, in UTC). A no-op on TimescaleDB, where
 * chunks are created on insert. Concurrent callers may race; losing the race is fine.
 */
export async function ensurePartitions(db: Kysely<any>, table: TimeSeriesTable, from: Date, to: Date): Promise<void> {
  if ((await storageOf(db)) === 'timescaledb') return;
  let cache = known.get(db);
  if (!cache) known.set(db, (cache = new Set()));
  let month = DateTime.fromJSDate(from, { zone: 'utc' }).startOf('month');
  const last = DateTime.fromJSDate(to, { zone: 'utc' }).startOf('month');
  while (month <= last) {
    const name = `${table}_p${month.toFormat('yyyyMM')}`;
    if (!cache.has(name)) {
      const next = month.plus({ months: 1 });
      try {
        await sql
          .raw(`CREATE TABLE IF NOT EXISTS ${name} PARTITION OF ${table} FOR VALUES FROM ('${month.toISO()}') TO ('${next.toISO()}')`)
          .execute(db);
      } catch (e) {
        // Another process created it between our check and our CREATE.
        const code = (e as { code?: string }).code;
        if (code !== '42P07' && code !== '23505') throw e;
      }
      cache.add(name);
    }
    month = month.plus({ months: 1 });
  }
}

/** Compress every chunk of a hypertable older than `olderThan` (TimescaleDB only; policies may not run). */
export async function compressChunks(db: Kysely<any>, table: TimeSeriesTable, olderThan: Date): Promise<number> {
  const r = await sql<{ c: string }>`
    SELECT compress_chunk(c, if_not_compressed => true) AS c
    FROM show_chunks(${sql.raw(`'${table}'`)}::regclass, older_than => ${olderThan.toISOString()}::timestamptz) c`.execute(db);
  return r.rows.length;
}
