/**
 * How a bulk recompute (bulk.ts) lays its work out: plans in balanced chunks, columnar points
 * grouped by interval window, the kernel's chunk straight from loaded rows, and days and months
 * from boundary readings.
 */
import { REGISTER_COUNT } from '../../schema/index.ts';
import type { KernelChunk } from '../kernel.ts';
import { ChunkValues } from '../kernel-values.ts';
import { carriedNeighbours, carriedRuns, NEIGHBOURS_AFTER, NEIGHBOURS_BEFORE, RUN_COUNTERS, seriesSource } from '../kernel-carry.ts';
import { energyContext, pointEnergy } from '../period.ts';
import { intervalMs, type PointData } from '../point.ts';
import { rational } from '../rational.ts';
import { lowerBound } from '../readings.ts';
import { maxSteps, registerDelta } from '../rollover.ts';
import { ACTUAL } from '../quality.ts';
import type { EnergyFigure } from '../figure.ts';
import type { MeterEpoch } from '../epochs.ts';
import { windowSnapshots, type PointPlan } from './bulk-plan.ts';
import { carriesLoad } from './checks.ts';

/**
 * Consecutive plans in chunks of about `snapshots` loaded snapshots and at most `maxPoints`
 * points each, balanced, and at least `writers` chunks where there are enough plans, so that a
 * small run still reads and writes on that many connections at once.
 */
export function chunkPlans(plans: readonly PointPlan[], snapshots: number, writers: number, maxPoints = Infinity): PointPlan[][] {
  const sizes = plans.map((p) => {
    const dt = intervalMs(p.archive.config);
    return p.load.reduce((s, w) => s + windowSnapshots(w, dt), 0);
  });
  const total = sizes.reduce((a, b) => a + b, 0);
  const n = Math.min(plans.length, Math.max(writers, Math.ceil(total / snapshots), Math.ceil(plans.length / maxPoints)));
  const out: PointPlan[][] = [[]];
  let before = 0;
  for (const [i, p] of plans.entries()) {
    // Chunk k takes the plans whose snapshots start in its share of the total, and a chunk of
    // its own once no more plans are left than chunks; a full one closes early.
    const share = Math.min(n - 1, Math.max(Math.floor((before / total) * n), n - (plans.length - i)));
    if (out.length - 1 < share || out.at(-1)!.length >= maxPoints) out.push([]);
    out.at(-1)!.push(p);
    before += sizes[i]!;
  }
  return out.filter((c) => c.length > 0);
}

/** Columnar points grouped by their interval window (one group in a full recompute). */
export function groupByWindow(plans: readonly PointPlan[]): { from: number; intervals: number; dt: number; plans: PointPlan[] }[] {
  const groups = new Map<string, { from: number; intervals: number; dt: number; plans: PointPlan[] }>();
  for (const p of plans) {
    for (const w of p.windows) {
      const key = `${w.from}|${w.to}|${w.dt}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { from: w.from, intervals: (w.to - w.from) / w.dt, dt: w.dt, plans: [] }));
      g.plans.push(p);
    }
  }
  return [...groups.values()];
}

/**
 * The meter epoch of a columnar point in a window starting at `from`: the one epoch that covers
 * the window and its look-back and -ahead (bulk.ts sends any other point to the figure path).
 */
export function windowEpoch(p: PointData, from: number): MeterEpoch {
  return p.epochs.find((e) => e.to > from)!;
}

/**
 * The kernel's chunk straight from loaded rows: a snapshot is present when all 20 registers were
 * read; frozen and stuck runs and the neighbours of the first and last interval are carried
 * across the window's edges from the readings beyond them; `loadedOf` says which points are
 * known to carry load (default: their loaded readings show it).
 */
export function kernelChunk(points: readonly PointData[], from: number, intervals: number, loadedOf: (p: PointData) => boolean = carriesLoad): KernelChunk {
  const S = intervals + 1;
  const n = points.length;
  const values = new ChunkValues(n, S);
  const present = new Uint8Array(n * S);
  const capacity = new Float64Array(n), steps = new Float64Array(n);
  const loaded = new Uint8Array(n), runsBefore = new Int32Array(n * RUN_COUNTERS), runsAfter = new Int32Array(n * RUN_COUNTERS);
  const before = new Float64Array(n * NEIGHBOURS_BEFORE), after = new Float64Array(n * NEIGHBOURS_AFTER);
  const limits = points.map((p) => p.config.intervalLimits);
  points.forEach((p, row) => {
    loaded[row] = loadedOf(p) ? 1 : 0;
    const dt = intervalMs(p.config), to = from + intervals * dt;
    const e = windowEpoch(p, from);
    capacity[row] = e.capacity;
    steps[row] = maxSteps(p.config.maxIntervalEnergy, 1, e.multiplier.num, e.multiplier.den, e.capacity);
    const src = seriesSource(p.series, e.capacity, steps[row]!);
    carriedRuns(src, from, dt, loaded[row] === 1, runsBefore, row * RUN_COUNTERS, limits[row]);
    carriedRuns(src, to, dt, loaded[row] === 1, runsAfter, row * RUN_COUNTERS, limits[row], 1);
    carriedNeighbours(src, from, dt, before, row * NEIGHBOURS_BEFORE, -1);
    carriedNeighbours(src, to, dt, after, row * NEIGHBOURS_AFTER, 1);
    const { ts, values: v } = p.series;
    // Copied value by value: a subarray per snapshot would be millions of short-lived objects. A
    // snapshot not read in full stays absent, like the snapshots in between.
    next: for (let i = lowerBound(ts, from); i < ts.length; i++) {
      const s = (ts[i]! - from) / dt;
      if (s >= S) break;
      if (!Number.isInteger(s)) continue;
      const src = i * REGISTER_COUNT;
      for (let r = 0; r < REGISTER_COUNT; r++) if (v[src + r] !== v[src + r]) continue next; // NaN: a register not read
      values.putSnapshot(row, s, v, src);
      present[row * S + s] = 1;
    }
  });
  return {
    rows: n, snapshots: S, ...values.layout(), present, capacity, maxSteps: steps,
    importOnly: new Uint8Array(n).map((_, i) => (points[i]!.config.importOnly ? 1 : 0)),
    carriesLoad: loaded, runsBefore, runsAfter, neighboursBefore: before, neighboursAfter: after, limits,
  };
}

/**
 * A day or month of a columnar point from its two boundary rows, or — when either is missing or
 * partial, or a register went down — from the figure path on the same readings.
 */
export function boundaryFigure(ctx: ReturnType<typeof energyContext>, p: PointData, from: number, to: number): EnergyFigure {
  const { ts, values } = p.series;
  const i = lowerBound(ts, from), j = lowerBound(ts, to);
  if (ts[i] === from && ts[j] === to) {
    const e = windowEpoch(p, from);
    const limit = maxSteps(p.config.maxIntervalEnergy, Math.ceil((to - from) / intervalMs(p.config)), e.multiplier.num, e.multiplier.den, e.capacity);
    const registers = [];
    for (let r = 0; r < REGISTER_COUNT; r++) {
      const d = registerDelta(values[i * REGISTER_COUNT + r]!, values[j * REGISTER_COUNT + r]!, e.capacity, limit);
      if (Number.isNaN(d.delta) || d.kind === 'decrease') break;
      registers.push({ energy: rational(BigInt(d.delta) * e.multiplier.num), quality: ACTUAL });
    }
    if (registers.length === REGISTER_COUNT) {
      return { pointId: p.config.id, from, to, registers, sources: [{ pointId: p.config.id, meterId: e.meterId, from, to, role: 'own' }], events: [] };
    }
  }
  return pointEnergy(ctx, p.config.id, from, to);
}
