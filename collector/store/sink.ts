/**
 * The database as a {@link ReadingSink}: batches go through the bulk write path
 * (`writeReadings`: COPY + upsert, idempotent). A value that disagrees with a stored one is
 * refused by the foundation rule, never overwritten: each conflict is counted and reported.
 */
import { sql } from 'kysely';
import { ensurePartitions, REGISTER_COUNT, writeReadings, type Database, type ReadingConflict } from '../../schema/index.ts';
import type { ReadingRow, ReadingSink, TerminalEventRow, VoltageLossRecord } from '../sink/index.ts';

/** Counters of the database sink. */
export interface DatabaseSinkStats {
  /** Batches stored. */
  batches: number;
  /** Rows inserted or completed with registers they lacked. */
  written: number;
  /** Rows that added nothing (duplicates, e.g. a spool replay or a backfill of a polled interval). */
  unchanged: number;
  /** Register values refused because they disagree with the stored value. */
  conflicts: number;
  /** Rows refused before writing (malformed: wrong register count, bad time). */
  refused: number;
}

/** Options of the database sink. */
export interface DatabaseSinkOptions {
  /** Told about refused conflicting values (log them; the stored values stay). */
  onConflict?: (conflicts: readonly ReadingConflict[]) => void;
  /** Told about rows refused as malformed, with the reason. */
  onRefused?: (row: ReadingRow, reason: string) => void;
}

function problemOf(row: ReadingRow): string | undefined {
  if (row.values.length !== REGISTER_COUNT) return `${row.values.length} registers, expected ${REGISTER_COUNT}`;
  if (!(row.ts instanceof Date) || Number.isNaN(row.ts.getTime())) return 'no valid reading time';
  if (row.values.some((v) => v !== null && (!Number.isSafeInteger(v) || v < 0))) return 'a register is not a non-negative integer of hundredths';
  return undefined;
}

/** Writes reading batches into the meterflow database. */
export class DatabaseSink implements ReadingSink {
  /** Counters. */
  readonly stats: DatabaseSinkStats = { batches: 0, written: 0, unchanged: 0, conflicts: 0, refused: 0 };

  /** Write into `handle` (rows keep their source: poll, push or backfill). */
  constructor(
    private readonly handle: Database,
    private readonly options: DatabaseSinkOptions = {},
  ) {}

  /**
   * Store `rows`. Rejects only when the database did not take them (so the writer spools and
   * replays); malformed rows are refused and reported instead, so a bad row never blocks the spool.
   */
  async write(rows: readonly ReadingRow[]): Promise<void> {
    const good: ReadingRow[] = [];
    for (const row of rows) {
      const problem = problemOf(row);
      if (problem === undefined) good.push(row);
      else {
        this.stats.refused++;
        this.options.onRefused?.(row, `reading of point ${row.pointId} refused: ${problem}`);
      }
    }
    if (good.length === 0) return;
    const result = await writeReadings(this.handle, good, { onConflict: 'refuse', actor: 'collector' });
    // The readings are stored: instantaneous values beside them must not make the batch fail
    // (it would be spooled and replayed for ever, holding every later batch behind it).
    await this.writeInstants(good).catch((e: unknown) => this.options.onRefused?.(good[0]!, `instantaneous values not stored: ${(e as Error)?.message ?? e}`));
    this.stats.batches++;
    this.stats.written += result.written;
    this.stats.unchanged += result.unchanged;
    this.stats.conflicts += result.conflicts.length;
    if (result.conflicts.length > 0) this.options.onConflict?.(result.conflicts);
  }

  /**
   * Instantaneous values into `instant_value`, as integers of the register map's units:
   * 0.01 V, 0.001 A, W and 0.001 of power factor. The first value of a time stays (a replay is a no-op).
   */
  private async writeInstants(rows: readonly ReadingRow[]): Promise<void> {
    const withInstant = rows.filter((r) => r.instant !== undefined); // only rows that read some (withInstant, the spool)
    if (withInstant.length === 0) return;
    let lo = withInstant[0]!.ts, hi = lo;
    for (const r of withInstant) (lo = r.ts < lo ? r.ts : lo), (hi = r.ts > hi ? r.ts : hi);
    await ensurePartitions(this.handle.db, 'instant_value', lo, hi);
    // A value no column can hold (a float decoded with the wrong word order) is stored as unknown.
    const scaled = (v: number | undefined, k: number, max = Number.MAX_SAFE_INTEGER) => {
      const x = v === undefined ? NaN : Math.round(v * k);
      return Number.isSafeInteger(x) && Math.abs(x) <= max ? String(x) : null;
    };
    const INT4 = 2_147_483_647;
    await this.handle.db.insertInto('instant_value').values(withInstant.map((r) => {
      const i = r.instant!;
      const pf = scaled(i.pf, 1000, INT4);
      return {
        point_id: r.pointId, ts: r.ts, source: r.source,
        ua: scaled(i.ua, 100), ub: scaled(i.ub, 100), uc: scaled(i.uc, 100),
        ia: scaled(i.ia, 1000), ib: scaled(i.ib, 1000), ic: scaled(i.ic, 1000),
        p_total: scaled(i.p, 1), pf: pf === null ? null : Number(pf),
      };
    })).onConflict((c) => c.columns(['point_id', 'ts']).doNothing()).execute();
  }

  /** Loss-of-voltage records into `voltage_loss`, one row per point, phase and start; the meter moves a record's end and totals on. */
  async voltageLoss(records: readonly VoltageLossRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.handle.db.insertInto('voltage_loss').values(records.map((r) => ({
      point_id: r.pointId, phase: r.phase, started_at: r.startedAt, ended_at: r.endedAt, cumulative_seconds: String(r.cumulativeSeconds), loss_count: r.count,
    }))).onConflict((c) => c.columns(['point_id', 'phase', 'started_at']).doUpdateSet({
      ended_at: sql`excluded.ended_at`, cumulative_seconds: sql`excluded.cumulative_seconds`, loss_count: sql`excluded.loss_count`,
    })).execute();
  }

  /** Terminal events into `terminal_event` (a repeated event is a no-op). */
  async events(rows: readonly TerminalEventRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.handle.db.insertInto('terminal_event').values(rows.map((e) => ({
      terminal_id: e.terminalId, ts: e.ts, kind: e.kind, unit_id: e.unitId ?? 0, detail: JSON.stringify(e.detail ?? {}),
    }))).onConflict((c) => c.columns(['terminal_id', 'ts', 'kind', 'unit_id']).doNothing()).execute();
  }
}
