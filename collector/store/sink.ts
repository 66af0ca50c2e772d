/**
 * The database as a {@link ReadingSink}: batches go through the bulk write path
 * (`writeReadings`: COPY + upsert, idempotent). A value that disagrees with a stored one is
 * refused by the foundation rule, never overwritten: each conflict is counted and reported.
 */
import { REGISTER_COUNT, writeReadings, type Database, type ReadingConflict } from '../../schema/index.ts';
import type { ReadingRow, ReadingSink } from '../sink/index.ts';

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
    this.stats.batches++;
    this.stats.written += result.written;
    this.stats.unchanged += result.unchanged;
    this.stats.conflicts += result.conflicts.length;
    if (result.conflicts.length > 0) this.options.onConflict?.(result.conflicts);
  }
}
