/** Where readings go: the interface the database layer implements. */
import type { InstantName } from '../profiles/index.ts';

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
  /** Instantaneous values read with the registers, in V, A, W and ratio (polls and pushes only). */
  instant?: Partial<Record<InstantName, number>>;
}

/** A meter's loss-of-voltage record of one phase, as the meter keeps it (DESIGN.md §4). */
export interface VoltageLossRecord {
  pointId: string;
  phase: 'A' | 'B' | 'C';
  /** Start of the latest loss; records with none are not passed on. */
  startedAt: Date;
  /** Its end, or null while the phase is still out. */
  endedAt: Date | null;
  cumulativeSeconds: number;
  count: number;
}

/** A terminal event (tamper, power down/up, fault, clock set …). */
export interface TerminalEventRow {
  terminalId: string;
  ts: Date;
  kind: string;
  unitId?: number;
  detail?: Record<string, unknown>;
}

/**
 * The destination of readings. `write` must be idempotent per (pointId, ts): the spool replays
 * at least once, so a repeated row must be a no-op. It rejects when the rows were not stored.
 */
export interface ReadingSink {
  /** Store `rows` (idempotently); reject if they were not stored. */
  write(rows: readonly ReadingRow[]): Promise<void>;
  /** Store loss-of-voltage records (a record's end and totals update as the meter moves them on). */
  voltageLoss?(records: readonly VoltageLossRecord[]): Promise<void>;
  /** Store terminal events (a repeated event is a no-op). */
  events?(rows: readonly TerminalEventRow[]): Promise<void>;
}
