/**
 * Ground-truth record of a run as JSON lines: a header, every meter's registers at every
 * interval boundary, every fault switched, every meter event and replacement, and an end line.
 * A test compares what a collector stored against these lines; `replay` serves them again.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import type { MeterReading } from '../meter/index.ts';
import type { Terminal, TerminalEvent } from '../terminal/index.ts';
import type { Simulation, TransportSpec } from './build.ts';

/** First line: what was simulated. */
export interface HeaderLine {
  type: 'header';
  version: 1;
  scenario: string;
  seed: number;
  zone: string;
  start: number;
  end: number;
  terminals: { id: string; interval: number; transports?: TransportSpec; meters: { unit: number; name: string; serial: string; capacity: number; intervalSeconds: number }[] }[];
}

/** One meter at one interval boundary (true time); registers as served, `trueRegisters` when a stuck display differs. */
export type IntervalLine = { type: 'interval'; terminal: string; unit: number; name: string; serial: string; time: number; trueRegisters?: number[] } & Omit<MeterReading, 'time' | 'demand'>;

/** Any other terminal event, as emitted. */
export type EventLine = Exclude<TerminalEvent, { type: 'interval' }>;

/** Last line. */
export interface EndLine {
  type: 'end';
  time: number;
}

/** A line of a recording. */
export type RecordLine = HeaderLine | IntervalLine | EventLine | EndLine;

/** The header of a simulation. */
export function headerLine(sim: Pick<Simulation, 'name' | 'seed' | 'zone' | 'start' | 'end' | 'terminals' | 'transports'>): HeaderLine {
  return {
    type: 'header',
    version: 1,
    scenario: sim.name,
    seed: sim.seed,
    zone: sim.zone,
    start: sim.start,
    end: sim.end,
    terminals: sim.terminals.map((t) => ({
      id: t.id,
      interval: t.intervalSeconds,
      ...(sim.transports.get(t.id) ? { transports: sim.transports.get(t.id)! } : {}),
      meters: t.units().map((s) => ({ unit: s.unit, name: s.name, serial: s.meter.serial, capacity: s.config?.capacity ?? 0, intervalSeconds: s.meter.intervalSeconds })),
    })),
  };
}

/** A terminal event as a record line. */
export function recordLine(e: TerminalEvent): IntervalLine | EventLine {
  if (e.type !== 'interval') return e;
  const { time: _t, demand: _d, ...reading } = e.reading;
  return { type: 'interval', terminal: e.terminal, unit: e.unit, name: e.name, serial: e.serial, time: e.time, ...reading, ...(e.trueRegisters ? { trueRegisters: e.trueRegisters } : {}) };
}

/** Writes record lines to a file, buffered; attach it to terminals. */
export class RecordWriter {
  private readonly out: WriteStream;
  private buf: string[] = [];
  private size = 0;
  private readonly detach: (() => void)[] = [];

  constructor(readonly file: string) {
    this.out = createWriteStream(file);
  }

  /** Record everything these terminals emit. */
  attach(terminals: Terminal[]): void {
    for (const t of terminals) this.detach.push(t.on((e) => this.write(recordLine(e))));
  }

  /** Queue one line. */
  write(line: RecordLine): void {
    const s = JSON.stringify(line) + '\n';
    this.buf.push(s);
    this.size += s.length;
  }

  /** Hand queued lines to the file, waiting when the stream asks to. */
  async flush(): Promise<void> {
    if (this.buf.length === 0) return;
    const chunk = this.buf.join('');
    this.buf = [];
    this.size = 0;
    if (!this.out.write(chunk)) await once(this.out, 'drain');
  }

  /** Whether enough is queued to be worth a flush. */
  get full(): boolean {
    return this.size > 1 << 20;
  }

  /** Flush and close. */
  async close(): Promise<void> {
    for (const d of this.detach) d();
    await this.flush();
    this.out.end();
    await once(this.out, 'finish');
  }
}
