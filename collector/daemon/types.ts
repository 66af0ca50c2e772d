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
  /** Stable error kind for counting: timeout, connection, frame, exception, circuit-open, invalid-payload, … */
  errorKind?: string;
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
}
