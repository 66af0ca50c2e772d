/** Where readings go: the interface the database layer implements. */

/** Sources the collector writes. */
export type CollectedSource = 'poll' | 'push' | 'backfill';

/** One register snapshot of a metering point. */
export interface ReadingRow {
  /** Metering point id. */
  pointId: string;
  /** Reading time (interval end for backfill and pushes, poll time rounded as configured). */
  ts: Date;
  /** How it was obtained. */
  source: CollectedSource;
  /** The 20 registers in register-map order, integer hundredths; null where not read. */
  values: (number | null)[];
}

/**
 * The destination of readings. `write` must be idempotent per (pointId, ts): the spool replays
 * at least once, so a repeated row must be a no-op. It rejects when the rows were not stored.
 */
export interface ReadingSink {
  /** Store `rows` (idempotently); reject if they were not stored. */
  write(rows: readonly ReadingRow[]): Promise<void>;
}
