/**
 * MQTT topics and JSON payloads of `sim-terminal-v1` (DESIGN.md §7). The collector keeps its
 * own schemas for the same wire format (collector/transports/mqtt/payload.ts), so the two sides
 * are checked against each other rather than sharing a mistake. Energy registers are integers in 0.01 units, times Unix seconds.
 */
import { z } from 'zod';
import { REGISTER_CODES, type RegisterCode } from '../../schema/registers.ts';
import { instant } from '../../schema/archive.ts';

const int = z.number().int();
const uint = int.nonnegative();

/** The 20 registers by name, integers in 0.01 kWh / kvarh. */
export const RegistersPayload = z.record(z.enum(REGISTER_CODES as [RegisterCode, ...RegisterCode[]]), uint);

/** Loss-of-voltage record of one phase. */
export const PhaseLossPayload = z.object({ count: uint, seconds: uint, lastStart: uint, lastEnd: uint });

/** One meter in a readings snapshot. */
export const MeterSnapshotPayload = z.object({
  unit: int.min(1).max(247),
  serial: z.string().min(1),
  /** Meter clock, Unix seconds. */
  clock: uint,
  registers: RegistersPayload,
  /** Ua, Ub, Uc in 0.01 V. */
  voltage: z.array(uint).length(3),
  /** Ia, Ib, Ic in 0.001 A. */
  current: z.array(uint).length(3),
  /** Total active power, W (negative = export). */
  power: int,
  /** Power factor in 0.001. */
  powerFactor: int,
  lossOfVoltage: z.array(PhaseLossPayload).length(3),
});

/** `meterflow/v1/<terminal>/readings`: every meter at one interval boundary. */
export const ReadingsPayload = z.object({
  schema: z.literal('meterflow.readings.v1'),
  terminal: z.string().min(1),
  /** Increases by one per snapshot: duplicates and reordering are visible. */
  seq: uint,
  /** Interval boundary, terminal time, Unix seconds. */
  time: uint,
  meters: z.array(MeterSnapshotPayload),
});

/** Unix seconds, or an ISO 8601 time with an offset (as a person types it into mosquitto_pub), as Unix seconds. */
const unixTime = z.union([uint, instant.transform((d) => d.getTime() / 1000).refine((t) => Number.isInteger(t) && t >= 0, 'a time in whole seconds')]);

/** `meterflow/v1/<terminal>/history/request`: stored records of [from, to] (inclusive). */
export const HistoryRequestPayload = z.object({
  requestId: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/),
  from: unixTime,
  to: unixTime,
  /** Unit ids to include; all when absent. */
  units: z.array(int.min(1).max(247)).optional(),
  /** Records per response chunk (default 96). */
  chunkSize: int.min(1).max(1000).optional(),
});

/** One stored load-profile record in a history response. */
export const HistoryRecordPayload = z.object({ unit: int.min(1).max(247), serial: z.string(), time: uint, registers: RegistersPayload });

/** `meterflow/v1/<terminal>/history/response/<requestId>`: one chunk; the last has `last: true`. */
export const HistoryResponsePayload = z.object({
  schema: z.literal('meterflow.history.v1'),
  terminal: z.string(),
  requestId: z.string(),
  /** 0-based chunk number. */
  chunk: uint,
  last: z.boolean(),
  records: z.array(HistoryRecordPayload),
  /** Set when the request could not be served. */
  error: z.string().optional(),
});

/** Kinds of terminal events. */
export const EVENT_KINDS = ['power-down', 'power-up', 'clock-set', 'meter-replaced', 'ratio-changed', 'rollover', 'preset', 'tamper', 'fault'] as const;

/** `meterflow/v1/<terminal>/events`. */
export const EventPayload = z.object({
  schema: z.literal('meterflow.event.v1'),
  terminal: z.string(),
  seq: uint,
  /** Terminal time, Unix seconds. */
  time: uint,
  kind: z.enum(EVENT_KINDS),
  unit: int.min(1).max(247).optional(),
  detail: z.record(z.string(), z.unknown()).optional(),
});

/** `meterflow/v1/<terminal>/status` (retained): plain text. */
export const StatusPayload = z.enum(['online', 'offline']);

/** Parsed payload types. */
export type ReadingsMessage = z.infer<typeof ReadingsPayload>;
/** A history request. */
export type HistoryRequest = z.infer<typeof HistoryRequestPayload>;
/** A history response chunk. */
export type HistoryResponse = z.infer<typeof HistoryResponsePayload>;
/** A terminal event. */
export type EventMessage = z.infer<typeof EventPayload>;

/** Topic names of one terminal under a prefix (default `meterflow/v1`). */
export function terminalTopics(terminal: string, prefix = 'meterflow/v1') {
  const base = `${prefix}/${terminal}`;
  return {
    readings: `${base}/readings`,
    historyRequest: `${base}/history/request`,
    historyResponse: (requestId: string) => `${base}/history/response/${requestId}`,
    events: `${base}/events`,
    status: `${base}/status`,
  };
}

/** 20 register values (map order) as the named payload object. */
export function registersPayload(values: readonly number[]): Record<RegisterCode, number> {
  return Object.fromEntries(REGISTER_CODES.map((c, i) => [c, values[i]!])) as Record<RegisterCode, number>;
}

/** A named registers object back to the 20 values in map order. */
export function registersFromPayload(regs: Record<RegisterCode, number>): number[] {
  return REGISTER_CODES.map((c) => regs[c]);
}
