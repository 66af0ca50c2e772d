/**
 * Load model: the primary active and reactive power of a metering point for each model step, a
 * pure function of (seed, step). Daily shape by local hour, weekly factor, noise, optional PV
 * export, reactive power from a power factor; or the sum of other points (a bus, a transformer).
 */
import { normalAt, uniformAt } from './random.ts';
import type { Zone } from './zone.ts';

/** Named daily shapes: 24 hourly factors of peak power, interpolated linearly. */
export const SHAPES = {
  flat: Array<number>(24).fill(1),
  residential: [0.35, 0.3, 0.28, 0.27, 0.28, 0.35, 0.55, 0.7, 0.6, 0.5, 0.48, 0.5, 0.55, 0.5, 0.47, 0.48, 0.55, 0.75, 0.95, 1, 0.95, 0.8, 0.6, 0.45],
  commercial: [0.25, 0.22, 0.2, 0.2, 0.2, 0.25, 0.4, 0.65, 0.9, 1, 1, 0.98, 0.92, 0.97, 1, 0.98, 0.92, 0.8, 0.6, 0.45, 0.38, 0.33, 0.3, 0.27],
  industrial: [0.6, 0.58, 0.57, 0.57, 0.58, 0.62, 0.75, 0.9, 1, 1, 0.98, 0.95, 0.85, 0.95, 1, 0.98, 0.95, 0.88, 0.8, 0.75, 0.7, 0.66, 0.63, 0.61],
} as const;

/** Name of a daily shape. */
export type ShapeName = keyof typeof SHAPES;

/** A profile load: shape × weekly factor × noise, minus optional PV generation. */
export interface ProfileLoadSpec {
  kind: 'profile';
  shape: ShapeName;
  /** Load at shape factor 1, kW (primary). */
  peakKw: number;
  /** Multiplier on Saturdays and Sundays. */
  weekendFactor?: number;
  /** Relative standard deviation of per-step noise. */
  noise?: number;
  /** PV peak generation, kW (primary); net export when it exceeds the load. */
  pvKw?: number;
  /** Power factor of the load, 0 < pf ≤ 1 (inductive). */
  powerFactor?: number;
}

/** The sum of other points' power (by name) times a factor, e.g. 1.02 for 2 % losses. */
export interface SumLoadSpec {
  kind: 'sum';
  of: string[];
  factor?: number;
}

/** A load model declaration. */
export type LoadSpec = ProfileLoadSpec | SumLoadSpec;

/** Primary power in one step: active W (positive import) and reactive var. */
export interface StepPower {
  p: number;
  q: number;
}

/** A load model: power of step k (the step covering [k·step, (k+1)·step)). */
export interface LoadModel {
  readonly stepSeconds: number;
  power(k: number): StepPower;
}

/** Profile load model; pure in (seed, k). */
export class ProfileLoad implements LoadModel {
  private lastK = NaN;
  private last: StepPower = { p: 0, q: 0 };
  private readonly tanPhi: number;

  constructor(
    private readonly spec: ProfileLoadSpec,
    private readonly seed: number,
    private readonly zone: Zone,
    readonly stepSeconds: number,
  ) {
    const pf = spec.powerFactor ?? 0.95;
    this.tanPhi = Math.tan(Math.acos(pf));
  }

  power(k: number): StepPower {
    if (k === this.lastK) return this.last;
    // Shape at the middle of the step, so a step straddling an hour sees the mean of both.
    const lt = this.zone.local(k * this.stepSeconds + this.stepSeconds / 2);
    const h = lt.second / 3600;
    const shape = SHAPES[this.spec.shape];
    const i = Math.floor(h) % 24;
    const f = shape[i]! + (shape[(i + 1) % 24]! - shape[i]!) * (h - Math.floor(h));
    const weekly = lt.weekday === 0 || lt.weekday === 6 ? (this.spec.weekendFactor ?? 1) : 1;
    const noise = 1 + (this.spec.noise ?? 0.05) * normalAt(this.seed, k);
    const load = Math.max(0, this.spec.peakKw * 1000 * f * weekly * noise);
    let pv = 0;
    if (this.spec.pvKw) {
      const sun = Math.max(0, Math.sin((Math.PI * (h - 6)) / 12));
      // Clouds per hour, so generation is not white noise.
      const cloud = 0.6 + 0.4 * uniformAt(this.seed ^ 0x5bd1e995, Math.floor((k * this.stepSeconds) / 3600));
      pv = this.spec.pvKw * 1000 * sun * cloud;
    }
    const p = Math.round(load - pv);
    this.last = { p, q: Math.round(load * this.tanPhi) * Math.sign(p) };
    this.lastK = k;
    return this.last;
  }
}

/** Sum of member models times a factor (losses of a bus or transformer). */
export class SumLoad implements LoadModel {
  constructor(
    private readonly members: LoadModel[],
    private readonly factor: number,
    readonly stepSeconds: number,
  ) {
    for (const m of members)
      if (m.stepSeconds !== stepSeconds) throw new Error('summed loads must share one model step');
  }

  power(k: number): StepPower {
    let p = 0;
    let q = 0;
    for (const m of this.members) {
      const s = m.power(k);
      p += s.p;
      q += s.q;
    }
    return { p: Math.round(p * this.factor), q: Math.round(q * this.factor) };
  }
}

/**
 * Build load models for a set of named specs, resolving `sum` references; throws on unknown
 * names and cycles.
 */
export function buildLoads(
  specs: Map<string, { load: LoadSpec; seed: number; zone: Zone }>,
  stepSeconds: number,
): Map<string, LoadModel> {
  const built = new Map<string, LoadModel>();
  const visiting = new Set<string>();
  const build = (name: string): LoadModel => {
    const done = built.get(name);
    if (done) return done;
    const s = specs.get(name);
    if (!s) throw new Error(`load refers to unknown meter "${name}"`);
    if (visiting.has(name)) throw new Error(`load sum cycle through "${name}"`);
    visiting.add(name);
    const model =
      s.load.kind === 'profile'
        ? new ProfileLoad(s.load, s.seed, s.zone, stepSeconds)
        : new SumLoad(s.load.of.map(build), s.load.factor ?? 1, stepSeconds);
    visiting.delete(name);
    built.set(name, model);
    return model;
  };
  for (const name of specs.keys()) build(name);
  return built;
}
