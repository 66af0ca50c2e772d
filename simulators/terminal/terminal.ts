/**
 * A metering terminal: N meters behind unit ids 1…N, a simulated time that advances them
 * together, interval snapshots at every interval boundary (true time), and a timeline of
 * scheduled actions (faults) applied exactly at their instants. No I/O here: transports and the
 * recorder listen to what the terminal emits.
 */
import type { Clock } from '../clock/index.ts';
import { WireFaults } from '../faults/wire.ts';
import type { MeterConfig, MeterEvent, MeterReading, ProfileRecord } from '../meter/index.ts';
import { Meter } from '../meter/index.ts';

/** What a transport needs from a meter; a live Meter and a replayed one both provide it. */
export interface MeterView {
  readonly serial: string;
  readonly intervalSeconds: number;
  readonly profile: {
    oldest(): ProfileRecord | undefined;
    newest(): ProfileRecord | undefined;
    find(time: number): ProfileRecord | undefined;
    range(from: number, to: number): ProfileRecord[];
  };
  advanceTo(t: number): void;
  reading(): MeterReading;
  drainEvents(): MeterEvent[];
  trueRegisters?(): number[];
}

/** A meter in its place behind the terminal. */
export interface MeterSlot {
  unit: number;
  name: string;
  meter: MeterView;
  /** How the live meter was built (absent for replayed meters); replacement reuses it. */
  config?: MeterConfig;
}

/** What a terminal emits. */
export type TerminalEvent =
  | { type: 'interval'; time: number; terminal: string; unit: number; name: string; serial: string; reading: MeterReading; trueRegisters?: number[] }
  | { type: 'meter'; time: number; terminal: string; unit: number; serial: string; event: MeterEvent }
  | { type: 'fault'; time: number; terminal: string; unit?: number; kind: string; phase: 'start' | 'end'; detail?: Record<string, unknown> }
  | { type: 'replacement'; time: number; terminal: string; unit: number; oldSerial: string; newSerial: string; finalRegisters: number[]; initialRegisters: number[] };

interface Action {
  at: number;
  seq: number;
  run: () => void;
}

/** A terminal and its meters. */
export class Terminal {
  readonly wire: WireFaults;
  /** Time selected per unit by a write to address 136 (history record read back at 140). */
  readonly selected = new Map<number, number>();
  private readonly slots = new Map<number, MeterSlot>();
  private t: number;
  private actions: Action[] = [];
  private seq = 0;
  private readonly listeners: ((e: TerminalEvent) => void)[] = [];

  constructor(
    readonly id: string,
    start: number,
    readonly intervalSeconds = 900,
    public clock?: Clock,
    wireSeed = 1,
  ) {
    this.t = Math.floor(start);
    this.wire = new WireFaults(wireSeed);
  }

  /** Current simulated time (integer Unix seconds). */
  get time(): number {
    return this.t;
  }

  /** Put a meter behind unit id `unit`. */
  addMeter(slot: MeterSlot): void {
    if (!Number.isInteger(slot.unit) || slot.unit < 1 || slot.unit > 247) throw new Error(`unit id ${slot.unit} out of 1..247`);
    if (this.slots.has(slot.unit)) throw new Error(`unit id ${slot.unit} used twice in terminal ${this.id}`);
    this.slots.set(slot.unit, slot);
  }

  /** The slot behind a unit id. */
  slot(unit: number): MeterSlot | undefined {
    return this.slots.get(unit);
  }

  /** All slots ordered by unit id. */
  units(): MeterSlot[] {
    return [...this.slots.values()].sort((a, b) => a.unit - b.unit);
  }

  /** Listen to intervals, meter events, faults and replacements. Returns an unsubscribe function. */
  on(listener: (e: TerminalEvent) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** Emit an event to every listener. */
  emit(e: TerminalEvent): void {
    for (const l of this.listeners) l(e);
  }

  /**
   * Run `run` when simulated time reaches `at` (actions at one instant run in schedule order);
   * an action already due runs at the next advance, so listeners attached meanwhile see it.
   */
  schedule(at: number, run: () => void): void {
    const a = { at: Math.floor(at), seq: this.seq++, run };
    this.actions.push(a);
    this.actions.sort((x, y) => x.at - y.at || x.seq - y.seq);
  }

  /** Time of the next scheduled action, if any. */
  nextActionTime(): number | undefined {
    return this.actions[0]?.at;
  }

  private runDue(): void {
    while (this.actions.length && this.actions[0]!.at <= this.t) this.actions.shift()!.run();
  }

  /** Advance every meter to the clock's now (no-op without a clock). */
  sync(): void {
    if (this.clock) this.advanceTo(this.clock.now());
  }

  /** Advance every meter to simulated time `target`, emitting as boundaries and actions pass. */
  advanceTo(target: number): void {
    target = Math.floor(target);
    this.runDue();
    while (this.t < target) {
      const boundary = (Math.floor(this.t / this.intervalSeconds) + 1) * this.intervalSeconds;
      const next = Math.min(target, boundary, this.nextActionTime() ?? Infinity);
      this.moveMeters(next);
      this.t = next;
      if (next === boundary) this.emitIntervals();
      this.runDue();
    }
  }

  private moveMeters(t: number): void {
    for (const s of this.units()) {
      s.meter.advanceTo(t);
      for (const event of s.meter.drainEvents())
        this.emit({ type: 'meter', time: event.time, terminal: this.id, unit: s.unit, serial: s.meter.serial, event });
    }
  }

  /** Emit one interval snapshot per meter at the current time. */
  emitIntervals(): void {
    for (const s of this.units()) {
      const reading = s.meter.reading();
      const truth = s.meter.trueRegisters?.();
      const differs = truth && truth.some((v, i) => v !== reading.registers[i]);
      this.emit({
        type: 'interval',
        time: this.t,
        terminal: this.id,
        unit: s.unit,
        name: s.name,
        serial: s.meter.serial,
        reading,
        ...(differs ? { trueRegisters: truth } : {}),
      });
    }
  }

  /** Swap the meter behind `unit` for a new one (its own serial and initial reading), now. */
  replaceMeter(unit: number, serial: string, initial: readonly number[]): Meter {
    const s = this.slots.get(unit);
    if (!s?.config) throw new Error(`unit ${unit} of terminal ${this.id} has no live meter to replace`);
    const old = s.meter;
    old.advanceTo(this.t);
    const config: MeterConfig = { ...s.config, serial, initial, start: this.t };
    const meter = new Meter(config);
    this.slots.set(unit, { ...s, meter, config });
    this.emit({
      type: 'replacement',
      time: this.t,
      terminal: this.id,
      unit,
      oldSerial: old.serial,
      newSerial: serial,
      finalRegisters: old.reading().registers,
      initialRegisters: [...initial],
    });
    return meter;
  }
}
