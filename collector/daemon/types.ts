/** What the running collector reports: acquisition log entries and health. */
import type { BreakerState } from '../scheduler/index.ts';
import type { WriterStats } from '../sink/index.ts';

/** One line of the acquisition log: every poll, read, backfill and push. */
export interface AcquisitionLogEntry {
  /** When the action ended. */
  at: Date;
  /** Terminal id (`*` for the writer and the spool). */
  terminal: string;
  /** Meter unit id, when the action concerned one meter. */
  unitId?: number;
  /** Metering point, when known. */
  point?: string;
  /** What was done. */
  action: 'poll' | 'read' | 'backfill' | 'push' | 'event' | 'status' | 'write';
  /** Whether it succeeded. */
  ok: boolean;
  /** How long it took, ms. */
  durationMs: number;
  /** What was read (e.g. `interval 2025-01-01T00:15:00Z`, `12 records, 3 unavailable`). */
  detail?: string;
  /** The error message (naming terminal, unit and register where it came from the wire). */
  error?: string;
  /** Stable error kind for counting: timeout, connection, frame, exception, circuit-open, invalid-payload, unavailable, conflict, … */
  errorKind?: string;
  /** A failed attempt that was retried (the job's outcome is logged separately). */
  retried?: boolean;
  /** Structured detail for the database log (e.g. the runs of unavailable records). */
  data?: Record<string, unknown>;
}

/**
 * The collector's sense of time. Real time by default; a test rig replaying simulators runs it
 * accelerated, together with the simulated terminals.
 */
export interface CollectorClock {
  /** Now, epoch ms. */
  now(): number;
  /** Clock ms per wall ms (1 for real time). */
  speed: number;
}

/** Real time. */
export const WALL_CLOCK: CollectorClock = { now: () => Date.now(), speed: 1 };

/**
 * A clock that reads `startMs` at wall time `wallEpochMs` and runs `speed` times faster than the
 * wall clock: two processes built with the same arguments agree on the time.
 */
export function acceleratedClock(startMs: number, speed: number, wallEpochMs = Date.now()): CollectorClock {
  if (!(speed > 0)) throw new RangeError(`clock speed ${speed} must be positive`);
  return { now: () => startMs + (Date.now() - wallEpochMs) * speed, speed };
}

/** Health of one terminal. */
export interface TerminalHealth {
  /** Terminal id. */
  id: string;
  /** Transport kind. */
  kind: 'modbus-tcp' | 'modbus-rtu' | 'mqtt';
  /** Whether the last contact succeeded (MQTT: retained status online). */
  online: boolean;
  /** Last successful contact. */
  lastSuccess: Date | null;
  /** Last error message. */
  lastError: string | null;
  /** Circuit-breaker state (Modbus terminals). */
  breaker?: BreakerState;
}

/** The health/metrics snapshot served by the daemon. */
export interface CollectorHealth {
  /** Site name. */
  site: string;
  /** Per-terminal health. */
  terminals: TerminalHealth[];
  /** Jobs waiting or running per bus/gateway. */
  queues: Record<string, number>;
  /** Spool bytes waiting for replay, and file size. */
  spool: { pendingBytes: number; sizeBytes: number };
  /** Writer counters. */
  writer: WriterStats;
  /** Readings handed to the writer over the last minute, per second. */
  readingsPerSecond: number;
  /** Error counts by kind since start. */
  errors: Record<string, number>;
  /** Within the first poll cycle after start (an interval, the poll offset and a minute's grace). */
  starting: boolean;
}
