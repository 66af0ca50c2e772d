/**
 * The MQTT payloads of `sim-terminal-v1` terminals (DESIGN.md §7), validated with zod at the
 * edge and normalised for the collector. The wire format is the one `simulators/mqtt`
 * publishes (its README/payloads.ts): JSON, a `schema` tag per message kind, energy registers as
 * a map from register code (`ap_imp.total` …) to integer hundredths, times in Unix seconds.
 * The collector keeps its own schemas (it must not depend on the simulators) and accepts a
 * register map with registers missing or null (a meter without tiers): they become null.
 */
import { z } from 'zod';
import { REGISTER_CODES, type RegisterCode } from '../../../schema/registers.ts';
import { instant } from '../../../schema/archive.ts';

const int = z.number().int();
const uint = int.nonnegative();
/** A time: Unix seconds, as terminals send it, or ISO 8601 with an offset, as a person with mosquitto_pub writes it. */
const seconds = z.union([uint.transform((s) => new Date(s * 1000)), instant]);
const unit = int.min(0).max(255);

/** Registers by code, integer hundredths; normalised to the 20 values in register-map order (null where absent). */
export const registersSchema = z
  .partialRecord(z.enum(REGISTER_CODES as [RegisterCode, ...RegisterCode[]]), uint.nullable())
  .transform((r) => REGISTER_CODES.map((c) => r[c] ?? null));

const triple = z.array(uint).length(3);

/** One meter in a `readings` snapshot, normalised: `unitId`, `registers[20]`, `instant` in V/A/W/ratio, `clock`. */
export const snapshotMeterSchema = z
  .object({
    unit,
    serial: z.string().optional(),
    clock: seconds.optional(),
    registers: registersSchema,
    voltage: triple.optional(), // 0.01 V
    current: triple.optional(), // 0.001 A
    power: int.optional(), // W
    powerFactor: int.optional(), // 0.001
  })
  .transform((m) => ({
    unitId: m.unit,
    serial: m.serial,
    clock: m.clock ?? null,
    registers: m.registers,
    instant: {
      ...(m.voltage ? { ua: m.voltage[0]! / 100, ub: m.voltage[1]! / 100, uc: m.voltage[2]! / 100 } : {}),
      ...(m.current ? { ia: m.current[0]! / 1000, ib: m.current[1]! / 1000, ic: m.current[2]! / 1000 } : {}),
      ...(m.power !== undefined ? { p: m.power } : {}),
      ...(m.powerFactor !== undefined ? { pf: m.powerFactor / 1000 } : {}),
    },
  }));

/**
 * `meterflow/v1/<terminal>/readings`: every meter at one interval boundary.
 * `{ "schema": "meterflow.readings.v1", "terminal": "t1", "seq": 7, "time": 1735689600,
 *    "meters": [{ "unit": 1, "serial": "…", "clock": 1735689600, "registers": { "ap_imp.total": 123456, … },
 *                 "voltage": [23000, 23010, 22990], "current": [5000, 5100, 4900], "power": 3450, "powerFactor": 980 }] }`
 */
export const snapshotSchema = z
  .object({
    // The topic names the kind and the terminal; the tags, when sent, must agree.
    schema: z.literal('meterflow.readings.v1').optional(),
    terminal: z.string().min(1).optional(),
    seq: uint.optional(),
    time: seconds,
    meters: z.array(snapshotMeterSchema).refine((ms) => new Set(ms.map((m) => m.unitId)).size === ms.length, {
      message: 'a unit appears twice in one snapshot',
    }),
  })
  .transform((s) => ({ terminal: s.terminal, seq: s.seq, ts: s.time, meters: s.meters }));
/** A validated, normalised snapshot, of the terminal its topic names. */
export type Snapshot = Omit<z.output<typeof snapshotSchema>, 'terminal'> & { terminal: string };

/**
 * `meterflow/v1/<terminal>/history/request` (collector → terminal):
 * `{ "requestId": "r1", "from": 1735689600, "to": 1735776000, "units": [1, 2], "chunkSize": 96 }`,
 * records with from ≤ time ≤ to of the listed units (all when omitted).
 */
export const historyRequestSchema = z.object({
  requestId: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/),
  from: uint,
  to: uint,
  units: z.array(unit).optional(),
  chunkSize: int.min(1).max(1000).optional(),
});
/** A history request as sent. */
export type HistoryRequest = z.input<typeof historyRequestSchema>;

/** One stored record, normalised. */
export const historyRecordSchema = z
  .object({ unit, serial: z.string().optional(), time: seconds, registers: registersSchema })
  .transform((r) => ({ unitId: r.unit, serial: r.serial, ts: r.time, registers: r.registers }));
/** A validated history record. */
export type HistoryRecord = z.output<typeof historyRecordSchema>;

/**
 * `meterflow/v1/<terminal>/history/response/<requestId>` (terminal → collector), one chunk:
 * `{ "schema": "meterflow.history.v1", "terminal": "t1", "requestId": "r1", "chunk": 0, "last": false, "records": […], "error"?: "…" }`.
 * Chunks count from 0; the one with `last: true` ends the answer; they may arrive out of order.
 */
export const historyChunkSchema = z
  .object({
    schema: z.literal('meterflow.history.v1'),
    terminal: z.string().optional(),
    requestId: z.string().min(1),
    chunk: uint,
    last: z.boolean(),
    records: z.array(historyRecordSchema),
    error: z.string().optional(),
  })
  .transform((c) => ({ requestId: c.requestId, seq: c.chunk, last: c.last, records: c.records, error: c.error }));
/** A validated history chunk. */
export type HistoryChunk = z.output<typeof historyChunkSchema>;

/**
 * `meterflow/v1/<terminal>/events`:
 * `{ "schema": "meterflow.event.v1", "terminal": "t1", "seq": 3, "time": 1735689600, "kind": "power-down", "unit": 1, "detail": {…} }`.
 * Kinds include power-down, power-up, clock-set, meter-replaced, ratio-changed, tamper, fault;
 * unknown kinds pass through.
 */
export const eventSchema = z
  .object({
    schema: z.literal('meterflow.event.v1').optional(),
    terminal: z.string().optional(),
    seq: uint.optional(),
    time: seconds,
    kind: z.string().min(1),
    unit: unit.optional(),
    detail: z.record(z.string(), z.unknown()).optional(),
  })
  .transform((e) => ({ kind: e.kind, ts: e.time, unitId: e.unit, detail: e.detail }));
/** A validated terminal event. */
export type TerminalEvent = z.output<typeof eventSchema>;

/** `meterflow/v1/<terminal>/status`, retained: plain `online` / `offline` (the last will); `{"status": "online"}` accepted too. */
export function parseStatus(payload: Buffer): 'online' | 'offline' | undefined {
  let text = payload.toString('utf8').trim();
  if (text.startsWith('{')) {
    try {
      const v = JSON.parse(text) as { status?: unknown };
      text = typeof v.status === 'string' ? v.status : '';
    } catch {
      return undefined;
    }
  }
  return text === 'online' || text === 'offline' ? text : undefined;
}
