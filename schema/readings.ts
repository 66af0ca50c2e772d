/**
 * The bulk write path for register snapshots, shared by import, the collector and the
 * simulators' fast path: COPY into a staging table and one upsert (multi-row INSERT where COPY
 * is unavailable). A duplicate is a no-op, a missing register is filled in, and a value that
 * differs from a stored one is never overwritten silently: it is refused and reported, or with
 * `onConflict: 'correct'` stored as a correction with a revision and an audit row.
 */
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { sql } from 'kysely';
import { withTransaction, type Database } from './database.ts';
import { REGISTER_CODES, REGISTER_COLUMNS, REGISTER_COUNT, registerIndex, type ReadingSource, type RegisterCode } from './registers.ts';
import { ensurePartitions } from './storage.ts';
import { heldReadings, holdPending, readingLocks, type MonthLock } from './locks.ts';

/** One register snapshot of a metering point. */
export interface ReadingRow {
  pointId: string;
  ts: Date;
  source: ReadingSource;
  quality?: 'actual' | 'estimated' | 'suspect';
  /** The 20 registers in register-map order, integer hundredths; null where not read. */
  values: ReadonlyArray<number | null>;
}

/** A stored value that an incoming one disagrees with. */
export interface ReadingConflict {
  pointId: string;
  ts: Date;
  register: RegisterCode;
  stored: number;
  incoming: number;
}

/** How to treat conflicts and who is writing. */
export interface WriteOptions {
  /** `refuse` (default): keep the stored row, report the conflict. `correct`: store the new value, audited. */
  onConflict?: 'refuse' | 'correct';
  actor?: string;
  reason?: string;
  /** Write inside this client's open transaction instead of a transaction of our own. */
  client?: pg.PoolClient;
  /** Mark the written ranges dirty for the calculation engine (default true). */
  markDirty?: boolean;
}

/** What a write did. */
export interface WriteResult {
  /** Rows inserted or completed with registers they lacked. */
  written: number;
  /** Rows that added nothing and differed in nothing: duplicates of stored rows (a row with a differing value is in `conflicts`). */
  unchanged: number;
  /** Conflicts refused (or, with `correct`, applied). */
  conflicts: ReadingConflict[];
  corrected: number;
  /** Readings that fell in settled (locked) months: not written, kept as one pending change per month lock (empty when none). */
  held: { rows: number; lock: MonthLock; pendingId: string }[];
}

const COLS = ['point_id', 'ts', 'source', 'quality', ...REGISTER_COLUMNS];

/** Merge rows with the same point and time; a disagreement inside the batch keeps the first value and is reported. */
function dedupe(rows: readonly ReadingRow[], conflicts: ReadingConflict[]): ReadingRow[] {
  const byKey = new Map<string, ReadingRow & { values: (number | null)[] }>();
  for (const row of rows) {
    if (row.values.length !== REGISTER_COUNT) throw new Error(`reading of ${row.pointId} at ${row.ts.toISOString()} has ${row.values.length} registers, expected ${REGISTER_COUNT}`);
    const key = `${row.pointId}\u0000${row.ts.getTime()}`;
    const seen = byKey.get(key);
    if (!seen) {
      byKey.set(key, { ...row, values: [...row.values] });
      continue;
    }
    row.values.forEach((v, i) => {
      const old = seen.values[i];
      if (v === null || v === undefined) return;
      if (old === null || old === undefined) seen.values[i] = v;
      else if (old !== v) conflicts.push({ pointId: row.pointId, ts: row.ts, register: REGISTER_CODES[i]!, stored: old, incoming: v });
    });
  }
  return [...byKey.values()];
}

function copyText(rows: readonly ReadingRow[]): string {
  let out = '';
  for (const r of rows) {
    out += `${r.pointId}\t${r.ts.toISOString()}\t${r.source}\t${r.quality ?? 'actual'}`;
    for (const v of r.values) out += v === null || v === undefined ? '\t\\N' : `\t${v}`;
    out += '\n';
  }
  return out;
}

async function stage(client: pg.PoolClient, rows: readonly ReadingRow[], copy: boolean): Promise<void> {
  await client.query(`CREATE TEMP TABLE IF NOT EXISTS mf_stage (LIKE reading INCLUDING DEFAULTS) ON COMMIT DELETE ROWS`);
  if (copy) {
    const stream = client.query(copyFrom(`COPY mf_stage (${COLS.join(', ')}) FROM STDIN`));
    const chunks = function* () {
      for (let i = 0; i < rows.length; i += 2000) yield copyText(rows.slice(i, i + 2000));
    };
    await pipeline(Readable.from(chunks()), stream);
    return;
  }
  // Multi-row INSERT where COPY is unavailable; chunks stay well under 64 KiB wire messages.
  for (let i = 0; i < rows.length; i += 100) {
    const part = rows.slice(i, i + 100);
    const params: unknown[] = [];
    const tuples = part.map((r) => {
      const base = params.length;
      params.push(r.pointId, r.ts.toISOString(), r.source, r.quality ?? 'actual', ...r.values.map((v) => v ?? null));
      return `(${COLS.map((_, j) => `$${base + j + 1}`).join(',')})`;
    });
    await client.query(`INSERT INTO mf_stage (${COLS.join(', ')}) VALUES ${tuples.join(',')}`, params);
  }
}

const differs = REGISTER_COLUMNS.map((c) => `(r.${c} <> s.${c})`).join(' OR ');
const gains = REGISTER_COLUMNS.map((c) => `(reading.${c} IS NULL AND EXCLUDED.${c} IS NOT NULL)`).join(' OR ');
const keepStored = REGISTER_COLUMNS.map((c) => `${c} = COALESCE(r.${c}, s.${c})`).join(', ');
const fill = REGISTER_COLUMNS.map((c) => `${c} = COALESCE(reading.${c}, EXCLUDED.${c})`).join(', ');

async function findConflicts(client: pg.PoolClient): Promise<ReadingConflict[]> {
  const pairs = REGISTER_COLUMNS.map((c) => `r.${c} AS "o_${c}", s.${c} AS "n_${c}"`).join(', ');
  const res = await client.query(`SELECT s.point_id, s.ts, ${pairs} FROM mf_stage s JOIN reading r USING (point_id, ts) WHERE ${differs}`);
  const out: ReadingConflict[] = [];
  for (const row of res.rows) {
    REGISTER_COLUMNS.forEach((c, i) => {
      const o = row[`o_${c}`], n = row[`n_${c}`];
      if (o !== null && n !== null && o !== n) {
        out.push({ pointId: row.point_id, ts: row.ts, register: REGISTER_CODES[i]!, stored: Number(o), incoming: Number(n) });
      }
    });
  }
  return out;
}

async function applyCorrections(client: pg.PoolClient, conflicts: ReadingConflict[], actor: string, reason: string): Promise<void> {
  for (const c of conflicts) {
    const col = REGISTER_COLUMNS[registerIndex(c.register)]!;
    const old = await client.query(`SELECT source FROM reading WHERE point_id = $1 AND ts = $2`, [c.pointId, c.ts]);
    await client.query(`UPDATE reading SET ${col} = $3 WHERE point_id = $1 AND ts = $2`, [c.pointId, c.ts, c.incoming]);
    await client.query(
      `INSERT INTO reading_revision (point_id, ts, register, old_value, new_value, old_source, actor, reason) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`,
      [c.pointId, c.ts, c.register, c.stored, c.incoming, old.rows[0]?.source ?? null, actor, reason],
    );
    await client.query(
      `INSERT INTO audit_log (actor, action, entity, entity_id, reason, detail) VALUES ($1, 'correct-reading', 'reading', $2, $3, $4)`,
      [actor, c.pointId, reason, JSON.stringify({ ts: c.ts.toISOString(), register: c.register, old: c.stored, new: c.incoming })],
    );
  }
  if (conflicts.length > 0) {
    await client.query(
      `INSERT INTO calc_task (point_id, from_ts, to_ts, reason) ${dirtyIslands('unnest($1::text[], $2::timestamptz[]) AS t(point_id, ts)', 'correction')}`,
      [conflicts.map((c) => c.pointId), conflicts.map((c) => c.ts)],
    );
  }
}

/** Changes of one point further apart than this are separate pieces of work (dirty ranges, claims). */
export const DIRTY_GAP_MS = 86_400_000;

/**
 * The dirty ranges of written readings `(point_id, ts)` from `source`: one per point and island
 * of readings no more than a day apart, so one reading stamped far off (a reset clock) does not
 * make a task of the years in between.
 */
function dirtyIslands(source: string, reason: string): string {
  return `SELECT point_id, min(ts), max(ts), '${reason}' FROM (
      SELECT point_id, ts, count(*) FILTER (WHERE gap) OVER (PARTITION BY point_id ORDER BY ts) AS island FROM (
        SELECT point_id, ts, ts - lag(ts) OVER (PARTITION BY point_id ORDER BY ts) > interval '${DIRTY_GAP_MS} milliseconds' AS gap FROM ${source}) g) i
    GROUP BY point_id, island`;
}

/**
 * Rows of a settled month sorted against what is stored: a row that repeats stored values
 * changes nothing (a file that starts at the month's closing reading, or one imported again);
 * a differing value without `correct` is refused as a conflict, as outside a lock, so a held
 * change never carries a value its reopening would refuse; what is left (new rows, registers
 * not yet read, corrections) is held.
 */
async function lockedChanges(client: pg.PoolClient, rows: readonly ReadingRow[], onConflict: 'refuse' | 'correct'): Promise<{ hold: { at: number; row: ReadingRow }[]; unchanged: number; conflicts: ReadingConflict[] }> {
  const res = await client.query(
    `SELECT r.point_id, r.ts, ${REGISTER_COLUMNS.map((c) => `r.${c}`).join(', ')}
     FROM unnest($1::text[], $2::timestamptz[]) AS x(point_id, ts) JOIN reading r USING (point_id, ts)`,
    [rows.map((r) => r.pointId), rows.map((r) => r.ts)],
  );
  const stored = new Map<string, (number | null)[]>();
  for (const row of res.rows) stored.set(`${row.point_id}\u0000${(row.ts as Date).getTime()}`, REGISTER_COLUMNS.map((c) => (row[c] === null ? null : Number(row[c]))));
  const hold: { at: number; row: ReadingRow }[] = [], conflicts: ReadingConflict[] = [];
  let unchanged = 0;
  for (const [at, row] of rows.entries()) {
    const old = stored.get(`${row.pointId}\u0000${row.ts.getTime()}`);
    if (!old) {
      hold.push({ at, row });
      continue;
    }
    let changes = false, differs = false;
    const values = row.values.map((v, i) => {
      if (v === null || v === undefined || v === old[i]) return null;
      if (old[i] === null) return (changes = true), v;
      if (onConflict === 'correct') return (changes = true), v;
      conflicts.push({ pointId: row.pointId, ts: row.ts, register: REGISTER_CODES[i]!, stored: old[i]!, incoming: v });
      differs = true;
      return null;
    });
    if (changes) hold.push({ at, row: { ...row, values } });
    else if (!differs) unchanged++;
  }
  return { hold, unchanged, conflicts };
}

/** Write register snapshots in one transaction through the bulk path. */
export async function writeReadings(handle: Database, rows: readonly ReadingRow[], opts: WriteOptions = {}): Promise<WriteResult> {
  const conflicts: ReadingConflict[] = [];
  let unique = dedupe(rows, conflicts);
  if (unique.length === 0) return { written: 0, unchanged: 0, conflicts, corrected: 0, held: [] };
  let min = unique[0]!.ts, max = min;
  for (const r of unique) {
    if (r.ts < min) min = r.ts;
    if (r.ts > max) max = r.ts;
  }
  await ensurePartitions(handle.db, 'reading', min, max);
  const write = async (client: pg.PoolClient): Promise<WriteResult> => {
    const held: WriteResult['held'] = [];
    let lockedUnchanged = 0;
    const locks = await readingLocks(client, unique);
    if (locks.size > 0) {
      const lockedIdx = [...locks.keys()];
      const triage = await lockedChanges(client, lockedIdx.map((i) => unique[i]!), opts.onConflict ?? 'refuse');
      conflicts.push(...triage.conflicts);
      lockedUnchanged = triage.unchanged;
      // One pending change per settled month (and point): reopening a month applies its own.
      const byLock = new Map<string, { lock: MonthLock; rows: ReadingRow[] }>();
      for (const { at, row } of triage.hold) {
        const lock = locks.get(lockedIdx[at]!)!;
        const key = `${lock.runId}|${lock.month}`;
        (byLock.get(key) ?? byLock.set(key, { lock, rows: [] }).get(key)!).rows.push(row);
      }
      for (const { lock, rows: part } of byLock.values()) {
        const pendingId = await holdPending(client, lock, {
          kind: 'readings', pointIds: [...new Set(part.map((r) => r.pointId))].sort(),
          payload: { readings: heldReadings(part), onConflict: opts.onConflict ?? 'refuse' },
          actor: opts.actor ?? 'unknown', ...(opts.reason ? { reason: opts.reason } : {}),
        });
        held.push({ rows: part.length, lock, pendingId });
      }
      unique = unique.filter((_, i) => !locks.has(i));
    }
    await stage(client, unique, handle.copy);
    // Written rows are counted, or (`keys`) listed: the merge below needs to know which ones.
    const upsert = (onConflict: string, keys = false) => client.query(`
      WITH up AS (
        INSERT INTO reading (${COLS.join(', ')}) SELECT ${COLS.join(', ')} FROM mf_stage ORDER BY point_id, ts
        ON CONFLICT (point_id, ts) ${onConflict}
        RETURNING point_id, ts)${opts.markDirty === false ? '' : `, dirty AS (INSERT INTO calc_task (point_id, from_ts, to_ts, reason)
        ${dirtyIslands('up', 'readings')})`}
      ${keys ? 'SELECT point_id, ts FROM up' : 'SELECT count(*)::int AS n FROM up'}`);
    // New rows, the common case, go in with one index probe each; only when some keys were
    // already stored do we look for conflicts and merge missing registers.
    let written = (await upsert('DO NOTHING')).rows[0].n as number;
    let corrected = 0, differing = 0;
    if (written < unique.length) {
      const found = await findConflicts(client);
      conflicts.push(...found);
      if (opts.onConflict === 'correct') {
        await applyCorrections(client, found, opts.actor ?? 'unknown', opts.reason ?? 'correction');
        corrected = found.length;
      } else if (found.length > 0) {
        // Keep the stored values; the row's other registers may still fill gaps.
        await client.query(`UPDATE mf_stage s SET ${keepStored} FROM reading r WHERE r.point_id = s.point_id AND r.ts = s.ts AND (${differs})`);
      }
      const merged = (await upsert(`DO UPDATE SET ${fill} WHERE ${gains}`, true)).rows as { point_id: string; ts: Date }[];
      written += merged.length;
      // Rows with a differing value (refused or corrected) that gained nothing else are not unchanged.
      const gained = new Set(merged.map((r) => `${r.point_id}\u0000${r.ts.getTime()}`));
      differing = new Set(found.map((c) => `${c.pointId}\u0000${c.ts.getTime()}`).filter((k) => !gained.has(k))).size;
    }
    await client.query('TRUNCATE mf_stage');
    return { written, unchanged: unique.length - written - differing + lockedUnchanged, conflicts, corrected, held };
  };
  return opts.client ? write(opts.client) : withTransaction(handle, write);
}

/** Read stored snapshots of one point in [from, to], ordered by time (registers as integer hundredths). */
export async function readReadings(handle: Database, pointId: string, from: Date, to: Date): Promise<ReadingRow[]> {
  const r = await sql<Record<string, unknown>>`SELECT * FROM reading WHERE point_id = ${pointId} AND ts >= ${from} AND ts <= ${to} ORDER BY ts`.execute(handle.db);
  return r.rows.map((row) => ({
    pointId,
    ts: row.ts as Date,
    source: row.source as ReadingSource,
    quality: row.quality as 'actual',
    values: REGISTER_COLUMNS.map((c) => (row[c] === null ? null : Number(row[c]))),
  }));
}
