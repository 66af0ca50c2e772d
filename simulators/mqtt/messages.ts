/** Building the MQTT payloads from terminal state, pure. */
import type { Terminal, TerminalEvent } from '../terminal/index.ts';
import { registersPayload, type EventMessage, type HistoryRequest, type HistoryResponse, type ReadingsMessage } from './payloads.ts';

/** A message ready to publish. */
export interface Outgoing {
  topic: string;
  payload: string;
}

type IntervalEvent = Extract<TerminalEvent, { type: 'interval' }>;

function readings(terminal: string, seq: number, batch: IntervalEvent[]): ReadingsMessage {
  return {
    schema: 'meterflow.readings.v1',
    terminal,
    seq,
    time: batch[0]!.time,
    meters: batch.map((e) => ({
      unit: e.unit,
      serial: e.serial,
      clock: e.reading.clock,
      registers: registersPayload(e.reading.registers),
      voltage: e.reading.voltage,
      current: e.reading.current,
      power: e.reading.power,
      powerFactor: e.reading.powerFactor,
      lossOfVoltage: e.reading.lossOfVoltage,
    })),
  };
}

/** Malformed variants: cut JSON, or JSON that breaks the schema (a register as a float string). */
function malformed(payload: string, r: number): string {
  if (r < 0.5) return payload.slice(0, Math.max(1, Math.floor(payload.length * (0.3 + r))));
  return payload.replace(/"ap_imp\.total":(\d+)/, '"ap_imp.total":"$1.5"');
}

function event(terminal: string, e: TerminalEvent, seq: number): EventMessage | undefined {
  const base = { schema: 'meterflow.event.v1' as const, terminal, seq, time: e.time };
  if (e.type === 'meter') {
    const k = e.event.kind;
    if (k === 'power-down' || k === 'power-up' || k === 'clock-set')
      return { ...base, kind: k, unit: e.unit, ...(e.event.detail ? { detail: e.event.detail } : {}) };
    return undefined;
  }
  if (e.type === 'replacement')
    return { ...base, kind: 'meter-replaced', unit: e.unit, detail: { oldSerial: e.oldSerial, newSerial: e.newSerial, finalRegisters: registersPayload(e.finalRegisters), initialRegisters: registersPayload(e.initialRegisters) } };
  if (e.type === 'fault' && e.phase === 'start' && (e.kind === 'ct-change' || e.kind === 'pt-change'))
    return { ...base, kind: 'ratio-changed', ...(e.unit ? { unit: e.unit } : {}), detail: e.detail ?? {} };
  if (e.type === 'fault' && e.phase === 'start' && e.kind === 'tamper')
    return { ...base, kind: 'tamper', ...(e.unit ? { unit: e.unit } : {}) };
  return undefined;
}

function* history(terminal: Terminal, req: HistoryRequest, chunkSize: number): Generator<HistoryResponse> {
  const records = terminal
    .units()
    .filter((s) => !req.units || req.units.includes(s.unit))
    .flatMap((s) => s.meter.profile.range(req.from, req.to).map((r) => ({ unit: s.unit, serial: s.meter.serial, time: r.time, registers: registersPayload(r.registers) })))
    .sort((a, b) => a.time - b.time || a.unit - b.unit);
  const chunks = Math.max(1, Math.ceil(records.length / chunkSize));
  for (let i = 0; i < chunks; i++)
    yield { schema: 'meterflow.history.v1', terminal: terminal.id, requestId: req.requestId, chunk: i, last: i === chunks - 1, records: records.slice(i * chunkSize, (i + 1) * chunkSize) };
}

function historyError(terminal: string, requestId: string, error: string): HistoryResponse {
  return { schema: 'meterflow.history.v1', terminal, requestId, chunk: 0, last: true, records: [], error };
}

/** Payload builders. */
export const build = { readings, malformed, event, history, historyError };
