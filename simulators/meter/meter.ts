/**
 * A simulated electricity meter: integrates the power of its load model into the 20 registers
 * exactly in 0.01 units. Each direction keeps its sub-resolution remainder in integer watt-seconds,
 * and every 0.01 unit (36 000 Ws) counts into the total and the tier in force together, as a real
 * meter's pulse counter does — so the tiers sum to the total (modulo capacity) at every instant,
 * and a register delta equals the integral of power to within one resolution step.
 */
import { REGISTER_COUNT } from '../../schema/registers.ts';
import { MaxDemand, type DemandRecord } from './demand.ts';
import type { LoadModel } from './load.ts';
import { ProfileMemory } from './profile.ts';
import { instantValues } from './instant.ts';
import type { TariffCalendar } from './tariff.ts';
import { VoltageLoss, type PhaseLossRecord } from './voltage-loss.ts';
import type { Zone } from './zone.ts';

/** Watt-seconds in one register unit (0.01 kWh). */
export const WS_PER_UNIT = 36_000;
/** 6+2 digit register: wraps at 1 000 000.00. */
export const DEFAULT_CAPACITY = 100_000_000;

/** Everything a meter is built from. */
export interface MeterConfig {
  serial: string;
  seed: number;
  load: LoadModel;
  tariff: TariffCalendar;
  zone: Zone;
  /** Unix seconds (integer) at which the meter starts integrating. */
  start: number;
  intervalSeconds?: number;
  profileDepth?: number;
  demandSeconds?: number;
  /** Register capacity in 0.01 units (≤ 2^32, the Modbus uint32). */
  capacity?: number;
  /** Initial readings, 20 integers in 0.01 units; tiers should sum to each total. */
  initial?: readonly number[];
  ctRatio?: number;
  ptRatio?: number;
  /** Nominal primary phase voltage, V. */
  nominalVoltage?: number;
}

/** What a meter shows at an instant (everything in register units). */
export interface MeterReading {
  /** True Unix seconds. */
  time: number;
  /** Meter clock, Unix seconds (differs under clock drift). */
  clock: number;
  /** The 20 registers as served (a stuck register shows its frozen value). */
  registers: number[];
  /** Ua, Ub, Uc in 0.01 V. */
  voltage: number[];
  /** Ia, Ib, Ic in 0.001 A. */
  current: number[];
  /** Total active power, W (negative when exporting). */
  power: number;
  /** Total power factor in 0.001. */
  powerFactor: number;
  lossOfVoltage: PhaseLossRecord[];
  demand: DemandRecord[];
}

/** Something that happened inside a meter. */
export interface MeterEvent {
  time: number;
  kind: 'rollover' | 'power-down' | 'power-up' | 'clock-set' | 'preset';
  register?: number;
  detail?: Record<string, unknown>;
}

/** A seeded, deterministic meter. */
export class Meter {
  readonly serial: string;
  readonly capacity: number;
  readonly intervalSeconds: number;
  readonly profile: ProfileMemory;
  private t: number;
  private readonly regs: number[];
  private readonly acc = [0, 0, 0, 0];
  private readonly integral = [0, 0, 0, 0];
  private ratio: number;
  private ptRatio: number;
  private spike = 1;
  private readonly stuck = new Map<number, number>();
  private clockBase = { offset: 0, rate: 0, since: 0 };
  private nextCapture: number;
  private readonly loss = new VoltageLoss();
  private powerLost = false;
  private readonly demand: MaxDemand;
  private events: MeterEvent[] = [];

  constructor(private readonly cfg: MeterConfig) {
    this.serial = cfg.serial;
    this.capacity = cfg.capacity ?? DEFAULT_CAPACITY;
    if (this.capacity > 2 ** 32) throw new Error('capacity exceeds uint32');
    this.intervalSeconds = cfg.intervalSeconds ?? 900;
    this.profile = new ProfileMemory(cfg.profileDepth ?? Math.round((30 * 86400) / this.intervalSeconds));
    this.demand = new MaxDemand(cfg.demandSeconds ?? 900);
    this.t = Math.floor(cfg.start);
    this.regs = cfg.initial ? [...cfg.initial] : new Array<number>(REGISTER_COUNT).fill(0);
    if (this.regs.length !== REGISTER_COUNT || this.regs.some((v) => !Number.isInteger(v) || v < 0 || v >= this.capacity))
      throw new Error(`meter ${cfg.serial}: initial reading needs 20 integers in [0, capacity)`);
    this.ptRatio = cfg.ptRatio ?? 1;
    this.ratio = (cfg.ctRatio ?? 1) * this.ptRatio;
    this.clockBase.since = this.t;
    this.nextCapture = Math.ceil(this.clock(this.t) / this.intervalSeconds) * this.intervalSeconds;
    this.captureDue();
  }

  /** Current true time of the meter (integer Unix seconds). */
  get time(): number {
    return this.t;
  }

  /** The load model this meter measures (a replacement meter measures the same load). */
  get load(): LoadModel {
    return this.cfg.load;
  }

  /** Meter clock at true time t. */
  clock(t: number = this.t): number {
    const b = this.clockBase;
    return Math.floor(t + b.offset + b.rate * (t - b.since));
  }

  /** Secondary power of step k under the faults now in force. */
  private stepPower(k: number): { p: number; q: number } {
    if (this.powerLost) return { p: 0, q: 0 };
    const s = this.cfg.load.power(k);
    const f = (this.spike * this.loss.alive()) / 3 / this.ratio;
    return { p: Math.round(s.p * f), q: Math.round(s.q * f) };
  }

  /** Integrate up to true time `target` (floored to whole seconds). */
  advanceTo(target: number): void {
    target = Math.floor(target);
    const step = this.cfg.load.stepSeconds;
    while (this.t < target) {
      const t = this.t;
      const k = Math.floor(t / step);
      const lt = this.cfg.zone.local(t);
      const tier = this.cfg.tariff.tierAt(lt);
      const end = Math.min(
        target,
        (k + 1) * step,
        t + this.cfg.tariff.secondsToNextBand(lt),
        (Math.floor(t / 900) + 1) * 900, // DST changes fall on quarter hours
        this.demand.blockEnd(t),
        this.captureTime(),
      );
      const { p, q } = this.stepPower(k);
      const dt = end - t;
      this.addEnergy(p >= 0 ? 0 : 1, Math.abs(p) * dt, tier, end);
      this.addEnergy(q >= 0 ? 2 : 3, Math.abs(q) * dt, tier, end);
      this.t = end;
      if (end === this.demand.blockEnd(t)) this.demand.close(this.clock(end));
      this.captureDue();
    }
  }

  private addEnergy(d: number, ws: number, tier: number, t: number): void {
    if (ws === 0) return;
    this.integral[d]! += ws;
    this.demand.add(d, ws, tier);
    const acc = this.acc[d]! + ws;
    const n = Math.floor(acc / WS_PER_UNIT);
    this.acc[d] = acc - n * WS_PER_UNIT;
    if (n > 0) {
      this.bump(d * 5, n, t);
      this.bump(d * 5 + tier, n, t);
    }
  }

  private bump(i: number, n: number, t: number): void {
    let v = this.regs[i]! + n;
    if (v >= this.capacity) {
      v %= this.capacity;
      this.events.push({ time: t, kind: 'rollover', register: i });
    }
    this.regs[i] = v;
  }

  /** Smallest true time > now at which the meter clock reaches the next profile boundary. */
  private captureTime(): number {
    const b = this.clockBase;
    let t = Math.max(this.t + 1, Math.ceil((this.nextCapture - b.offset + b.rate * b.since) / (1 + b.rate)));
    while (this.clock(t) < this.nextCapture) t++;
    return t;
  }

  private captureDue(): void {
    const c = this.clock(this.t);
    if (c < this.nextCapture) return;
    const boundary = Math.floor(c / this.intervalSeconds) * this.intervalSeconds;
    this.profile.push({ time: boundary, registers: this.servedRegisters() });
    this.nextCapture = boundary + this.intervalSeconds;
  }

  private servedRegisters(): number[] {
    return this.regs.map((v, i) => this.stuck.get(i) ?? v);
  }

  /** The registers as counted, ignoring a stuck display. */
  trueRegisters(): number[] {
    return [...this.regs];
  }

  /** Exact integral of secondary power per direction since start, Ws (ap_imp, ap_exp, rp_imp, rp_exp). */
  integralWs(): number[] {
    return [...this.integral];
  }

  /** Everything the meter shows now. */
  reading(): MeterReading {
    const k = Math.floor(this.t / this.cfg.load.stepSeconds);
    const { p, q } = this.stepPower(k);
    const lost = [0, 1, 2].map((ph) => this.powerLost || this.loss.lost(ph));
    const inst = instantValues(p, q, lost, (this.cfg.nominalVoltage ?? 230) / this.ptRatio, this.cfg.seed, k);
    return {
      time: this.t,
      clock: this.clock(),
      registers: this.servedRegisters(),
      ...inst,
      power: p,
      lossOfVoltage: this.loss.records(this.t),
      demand: this.demand.records(),
    };
  }

  /** Take the events that happened since the last call. */
  drainEvents(): MeterEvent[] {
    const e = this.events;
    this.events = [];
    return e;
  }

  // ---- faults, applied at the meter's current time ----

  /** Power loss on all phases (true) or restoration (false); records loss of voltage. */
  setPowerLoss(lost: boolean): void {
    if (lost === this.powerLost) return;
    this.powerLost = lost;
    for (let ph = 0; ph < 3; ph++)
      lost ? this.loss.start(ph, this.t, this.clock()) : this.loss.end(ph, this.t, this.clock());
    this.events.push({ time: this.t, kind: lost ? 'power-down' : 'power-up' });
  }

  /** One phase (0..2) loses or regains voltage; the meter then measures the other phases only. */
  setPhaseLoss(phase: number, lost: boolean): void {
    if (this.powerLost) return;
    lost ? this.loss.start(phase, this.t, this.clock()) : this.loss.end(phase, this.t, this.clock());
  }

  /** Multiply measured power by `factor` (1 ends the spike). */
  setSpike(factor: number): void {
    this.spike = factor;
  }

  /** Freeze (or release) registers at their present values. */
  setStuck(registers: readonly number[], stuck: boolean): void {
    for (const i of registers) stuck ? this.stuck.set(i, this.regs[i]!) : this.stuck.delete(i);
  }

  /** CT/PT change: the meter now sees primary power divided by ct × pt. */
  setRatios(ct: number, pt: number): void {
    this.ptRatio = pt;
    this.ratio = ct * pt;
  }

  /** Step the clock by `offset` seconds and let it drift by `ratePerDay` seconds per day from now. */
  setClock(offset: number, ratePerDay: number): void {
    const now = this.clock() - this.t;
    this.clockBase = { offset: now + offset, rate: ratePerDay / 86400, since: this.t };
    if (offset !== 0) this.events.push({ time: this.t, kind: 'clock-set', detail: { offset } });
    if (offset < 0) this.nextCapture = Math.ceil(this.clock() / this.intervalSeconds) * this.intervalSeconds;
    this.captureDue();
  }

  /**
   * Preset a direction's total register to `capacity − margin` (as a meter programming would),
   * shifting the tier in force by the same amount so tiers still sum to the total. Declared as a
   * 'preset' event so a rollover soon after is expected.
   */
  presetNearCapacity(direction: number, margin: number): void {
    const tier = this.cfg.tariff.tierAt(this.cfg.zone.local(this.t));
    const before = this.trueRegisters();
    const shift = (((this.capacity - margin - this.regs[direction * 5]!) % this.capacity) + this.capacity) % this.capacity;
    for (const i of [direction * 5, direction * 5 + tier]) this.regs[i] = (this.regs[i]! + shift) % this.capacity;
    this.events.push({ time: this.t, kind: 'preset', detail: { direction, before, after: this.trueRegisters() } });
  }
}
