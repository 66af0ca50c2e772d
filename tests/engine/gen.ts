/**
 * fast-check generator of a point history with meter replacements and CT/PT changes (on or off
 * the grid), wrapping registers, and the true primary energy of every interval, kept exactly.
 */
import fc from 'fast-check';
import { REGISTER_COUNT } from '../../schema/registers.ts';
import {
  meterEpochs, multiplier, rational, ratAdd, ratMul, readingSeries,
  type Installation, type PointData, type RatioPeriod, type Rational, type Snapshot, type TransformerRatios,
} from '../../calc-engine/index.ts';

/** A generated point and its truth. */
export interface GeneratedPoint {
  readonly point: PointData;
  readonly t0: number;
  readonly stepMs: number;
  readonly intervals: number;
  /** trueEnergy[j][r]: primary hundredths of interval (t0 + jΔ, t0 + (j+1)Δ]. */
  readonly trueEnergy: Rational[][];
}

const RATIOS: TransformerRatios[] = [
  { ctPrimary: 1, ctSecondary: 1, ptPrimary: 1, ptSecondary: 1 },
  { ctPrimary: 100, ctSecondary: 5, ptPrimary: 1, ptSecondary: 1 },
  { ctPrimary: 600, ctSecondary: 5, ptPrimary: 10_000, ptSecondary: 100 },
  { ctPrimary: 75, ctSecondary: 5, ptPrimary: 10_000, ptSecondary: 110 }, // M = 15 × 90.90…: not an integer
];
const CAPACITY = 1_000_000;
const MAX_INC = 500;

const cutArb = fc.record({
  kind: fc.constantFrom('replace' as const, 'ratio' as const),
  ratio: fc.integer({ min: 0, max: RATIOS.length - 1 }),
  offThirds: fc.integer({ min: 0, max: 2 }),
  newStart: fc.integer({ min: 0, max: CAPACITY - 1 }),
  split: fc.double({ min: 0, max: 1, noNaN: true }),
});

/** Arbitrary point over `intervals` intervals of `minutes` from local `startIso` in `zone`. */
export function pointArb(opts: { t0: number; minutes: number; intervals: number; zone?: string; maxCuts?: number }): fc.Arbitrary<GeneratedPoint> {
  const n = opts.intervals;
  return fc
    .record({
      start: fc.integer({ min: 0, max: CAPACITY - 1 }),
      ratio0: fc.integer({ min: 0, max: RATIOS.length - 1 }),
      incs: fc.array(fc.integer({ min: 0, max: MAX_INC }), { minLength: n * 2, maxLength: n * 2 }),
      cuts: fc.array(fc.tuple(fc.integer({ min: 0, max: n - 1 }), cutArb), { maxLength: opts.maxCuts ?? 3 }),
    })
    .map(({ start, ratio0, incs, cuts }) => build(opts, start, ratio0, incs, cuts));
}

type Cut = { kind: 'replace' | 'ratio'; ratio: number; offThirds: number; newStart: number; split: number };

function build(opts: { t0: number; minutes: number; intervals: number; zone?: string }, start: number, ratio0: number, incs: number[], rawCuts: [number, Cut][]): GeneratedPoint {
  const step = opts.minutes * 60_000;
  const n = opts.intervals;
  const cuts = new Map(rawCuts.map(([j, c]) => [j, c]));
  const T0 = opts.t0 - 365 * 86_400_000;
  // register r of the generator's increments: a fixed pattern scaled from two random streams
  const inc = (j: number, r: number, part: number) => (incs[(2 * j + part) % incs.length]! * (r + 1) * 7919) % (MAX_INC + 1);
  let reading = Array.from({ length: REGISTER_COUNT }, (_, r) => (start + r * 37_501) % CAPACITY);
  let ratios = RATIOS[ratio0]!;
  let meter = 0;
  const installations: Installation[] = [];
  let current: { meterId: string; from: number; initial?: number[] } = { meterId: 'm0', from: T0 };
  const ratioPeriods: RatioPeriod[] = [{ from: T0, ratios }];
  const snapshots: Snapshot[] = [];
  const trueEnergy: Rational[][] = [];
  for (let j = 0; j <= n; j++) {
    const t = opts.t0 + j * step;
    snapshots.push({ ts: t, values: [...reading] });
    if (j === n) break;
    const cut = cuts.get(j);
    const m = multiplier(ratios);
    if (!cut) {
      const e: Rational[] = [];
      reading = reading.map((v, r) => { const d = inc(j, r, 0); e.push(ratMul(rational(d), m)); return (v + d) % CAPACITY; });
      trueEnergy.push(e);
      continue;
    }
    const off = cut.offThirds === 0 ? 0 : Math.round((step * cut.offThirds) / 3);
    const tc = t + off;
    const before = reading.map((v, r) => (off === 0 ? 0 : Math.floor(inc(j, r, 0) * cut.split)));
    const atTc = reading.map((v, r) => (v + before[r]!) % CAPACITY);
    const nextRatios = cut.kind === 'ratio' ? RATIOS[cut.ratio]! : ratios;
    const m2 = multiplier(nextRatios);
    const after = reading.map((_, r) => inc(j, r, 1));
    trueEnergy.push(before.map((b, r) => ratAdd(ratMul(rational(b), m), ratMul(rational(after[r]!), m2))));
    if (cut.kind === 'replace') {
      installations.push({ ...current, to: tc, final: atTc, capacity: CAPACITY });
      meter += 1;
      const initial = Array.from({ length: REGISTER_COUNT }, (_, r) => (cut.newStart + r * 1_013) % CAPACITY);
      current = { meterId: `m${meter}`, from: tc, initial };
      reading = initial.map((v, r) => (v + after[r]!) % CAPACITY);
    } else {
      ratioPeriods.push({ from: tc, ratios: nextRatios, ...(off > 0 ? { reading: atTc } : {}) });
      ratios = nextRatios;
      reading = atTc.map((v, r) => (v + after[r]!) % CAPACITY);
    }
  }
  installations.push({ ...current, capacity: CAPACITY });
  const point: PointData = {
    config: { id: 'G', zone: opts.zone ?? 'Europe/Berlin', intervalMinutes: opts.minutes, maxIntervalEnergy: 700 * 15 * 10_000 },
    epochs: meterEpochs(installations, ratioPeriods),
    series: readingSeries(snapshots),
  };
  return { point, t0: opts.t0, stepMs: step, intervals: n, trueEnergy };
}
