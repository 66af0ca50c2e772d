/**
 * Replay: serve a recorded run again. Each meter becomes a RecordedMeter that shows the last
 * recorded interval at or before the current time and whose load-profile memory is the recorded
 * intervals so far; wire faults are switched again at their recorded times, and meter events
 * and replacements are re-emitted, so the transports behave as they did.
 */
import { readFile } from 'node:fs/promises';
import { switchFault, WIRE_FAULT_KINDS, type Fault } from '../faults/index.ts';
import type { MeterEvent, MeterReading, ProfileRecord } from '../meter/index.ts';
import { Terminal, type MeterView } from '../terminal/index.ts';
import type { TransportSpec } from './build.ts';
import type { EventLine, HeaderLine, IntervalLine, RecordLine } from './record.ts';
import { drive, type RunOptions, type ScenarioRun } from './run.ts';
import { serveTerminals } from './serve.ts';
import { REGISTER_COUNT } from '../../schema/registers.ts';

/** A parsed recording. */
export interface Recording {
  header: HeaderLine;
  intervals: IntervalLine[];
  events: EventLine[];
  end: number | undefined;
}

/** Parse recording text (JSON lines). */
export function parseRecording(text: string): Recording {
  let header: HeaderLine | undefined;
  const intervals: IntervalLine[] = [];
  const events: EventLine[] = [];
  let end: number | undefined;
  text.split('\n').forEach((raw, i) => {
    if (!raw.trim()) return;
    let line: RecordLine;
    try {
      line = JSON.parse(raw) as RecordLine;
    } catch {
      throw new Error(`recording line ${i + 1}: not JSON`);
    }
    if (line.type === 'header') header = line;
    else if (line.type === 'interval') intervals.push(line);
    else if (line.type === 'end') end = line.time;
    else events.push(line);
  });
  if (!header) throw new Error('recording has no header line');
  return { header, intervals, events, end };
}

/** Read a recording file. */
export async function loadRecording(file: string): Promise<Recording> {
  return parseRecording(await readFile(file, 'utf8'));
}

/** A meter played back from recorded intervals. */
export class RecordedMeter implements MeterView {
  private cursor = -1;
  private t = 0;

  constructor(
    private readonly lines: IntervalLine[],
    readonly intervalSeconds: number,
    private readonly fallbackSerial: string,
  ) {}

  get serial(): string {
    return this.lines[this.cursor]?.serial ?? this.fallbackSerial;
  }

  advanceTo(t: number): void {
    this.t = Math.floor(t);
    while (this.cursor + 1 < this.lines.length && this.lines[this.cursor + 1]!.time <= this.t) this.cursor++;
  }

  reading(): MeterReading {
    const l = this.lines[this.cursor];
    if (!l) return { time: this.t, clock: this.t, registers: new Array<number>(REGISTER_COUNT).fill(0), voltage: [0, 0, 0], current: [0, 0, 0], power: 0, powerFactor: 1000, lossOfVoltage: [0, 1, 2].map(() => ({ count: 0, seconds: 0, lastStart: 0, lastEnd: 0 })), demand: [] };
    return { time: this.t, clock: l.clock + (this.t - l.time), registers: l.registers, voltage: l.voltage, current: l.current, power: l.power, powerFactor: l.powerFactor, lossOfVoltage: l.lossOfVoltage, demand: [] };
  }

  drainEvents(): MeterEvent[] {
    return [];
  }

  private record(i: number): ProfileRecord {
    const l = this.lines[i]!;
    return { time: l.time, registers: l.registers };
  }

  readonly profile = {
    oldest: (): ProfileRecord | undefined => (this.cursor >= 0 ? this.record(0) : undefined),
    newest: (): ProfileRecord | undefined => (this.cursor >= 0 ? this.record(this.cursor) : undefined),
    find: (time: number): ProfileRecord | undefined => this.profile.range(time, time)[0],
    range: (from: number, to: number): ProfileRecord[] => {
      const out: ProfileRecord[] = [];
      for (let i = 0; i <= this.cursor; i++) if (this.lines[i]!.time >= from && this.lines[i]!.time <= to) out.push(this.record(i));
      return out;
    },
  };
}

/** Terminals that play a recording back (not yet advanced). */
export function replayTerminals(rec: Recording): Terminal[] {
  return rec.header.terminals.map((th) => {
    const term = new Terminal(th.id, rec.header.start, th.interval);
    for (const m of th.meters) {
      const lines = rec.intervals.filter((l) => l.terminal === th.id && l.unit === m.unit);
      term.addMeter({ unit: m.unit, name: m.name, meter: new RecordedMeter(lines, m.intervalSeconds, m.serial) });
    }
    for (const e of rec.events.filter((e) => e.terminal === th.id)) {
      if (e.type === 'fault' && WIRE_FAULT_KINDS.has(e.kind)) {
        const f = { ...e.detail, kind: e.kind, at: e.time } as Fault;
        term.schedule(e.time, () => switchFault(term, f, e.phase === 'start'));
      } else term.schedule(e.time, () => term.emit(e));
    }
    return term;
  });
}

/** Serve a recording again on its transports (or `transports` given here), live. */
export async function replayRecording(file: string, opts: RunOptions & { transports?: Map<string, TransportSpec> } = {}): Promise<ScenarioRun & { recording: Recording }> {
  const recording = await loadRecording(file);
  const terminals = replayTerminals(recording);
  const transports = opts.transports ?? new Map(recording.header.terminals.filter((t) => t.transports).map((t) => [t.id, t.transports!]));
  const mode = opts.mode ?? 'live';
  const served = mode === 'live' ? await serveTerminals(terminals, transports, opts) : undefined;
  const range = { start: recording.header.start, end: recording.end ?? recording.header.end };
  for (const t of terminals) t.advanceTo(range.start);
  const { done, stop } = await drive(recording.header.scenario, terminals, range, served, undefined, { mode, speed: opts.speed ?? 1440, ...(opts.hold !== undefined ? { hold: opts.hold } : {}), ...(opts.tickMs !== undefined ? { tickMs: opts.tickMs } : {}) });
  const simulation = { name: recording.header.scenario, seed: recording.header.seed, zone: recording.header.zone, start: range.start, end: range.end, speed: opts.speed ?? 1440, terminals, transports, faults: [] };
  return { simulation, endpoints: served?.endpoints ?? [], done, stop, recording };
}
