/**
 * The plausibility checks of a bulk recompute (bulk.ts), in the same scopes and with the same
 * candidates `checkRecomputation` gives the figure path: interval rules straight from the kernel's
 * flags of each chunk group, energy limits on the days, interval sums of the days whose every
 * interval was recomputed, from integer deltas where the columnar path computed them.
 */
import { REGISTER_COUNT } from '../../schema/index.ts';
import type { PointData } from '../point.ts';
import { runKernel, type KernelChunk, type KernelResult } from '../kernel.ts';
import { pointChunk } from '../kernel-chunk.ts';
import { lowerBound } from '../readings.ts';
import type { PeriodFigure } from '../daily.ts';
import type { EnergyFigure, RegisterFigure } from '../figure.ts';
import { NOT_COLUMNAR } from '../kernel-flags.ts';
import { ratAdd, rational, type Rational } from '../rational.ts';
import { ACTUAL } from '../quality.ts';
import { DEFAULT_INTERVAL_SUM_LIMITS } from '../rules/interval-sum.ts';
import type { CheckGroup } from './alarms.ts';
import { windowEpoch } from './bulk-chunk.ts';
import { dayEpoch, energyLimitGroups, intervalGroups, intervalSumGroup, type EnergyLimits, type FrozenRuns } from './checks.ts';

/** One kernel group of a chunk: points (one row each) over intervals (from + jΔ, from + (j+1)Δ]. */
export interface CheckedGroup {
  from: number;
  intervals: number;
  dt: number;
  rows: readonly PointData[];
  chunk: KernelChunk;
  res: KernelResult;
}

/** The figure path's energy of one interval (start, end] of a point (bulk.ts memoizes it per chunk). */
export type IntervalFigure = (pointId: string, from: number, to: number) => EnergyFigure;

/**
 * Σ of the day's intervals on the checked registers: integer deltas × M where the kernel took
 * the interval, the figure path's energy where it did not (null when one is missing).
 */
function daySum(figure: IntervalFigure, g: CheckedGroup, row: number, j0: number, j1: number, m: bigint): EnergyFigure {
  const p = g.rows[row]!;
  const checked = DEFAULT_INTERVAL_SUM_LIMITS.registers;
  const steps = checked.map(() => 0);
  const extra: (Rational | null)[] = checked.map(() => rational(0));
  const { flags, deltas } = g.res;
  for (let j = j0; j < j1; j++) {
    const fi = row * g.intervals + j;
    if (flags[fi]! & NOT_COLUMNAR) {
      const f = figure(p.config.id, g.from + j * g.dt, g.from + (j + 1) * g.dt);
      checked.forEach((r, k) => {
        const e = f.registers[r]!.energy;
        extra[k] = e === null || extra[k] === null ? null : ratAdd(extra[k]!, e);
      });
    } else checked.forEach((r, k) => (steps[k]! += deltas[fi * REGISTER_COUNT + r]!));
  }
  const missing: RegisterFigure = { energy: null, quality: ACTUAL };
  const registers: RegisterFigure[] = Array.from({ length: REGISTER_COUNT }, () => missing);
  checked.forEach((r, k) => {
    const e = extra[k]!;
    registers[r] = { energy: e === null ? null : ratAdd(rational(BigInt(steps[k]!) * m), e), quality: ACTUAL };
  });
  return { pointId: p.config.id, from: g.from + j0 * g.dt, to: g.from + j1 * g.dt, registers, sources: [], events: [] };
}

/** Whether a point has a reading in [from, to]. */
function readsIn(p: PointData, from: number, to: number): boolean {
  const i = lowerBound(p.series.ts, from);
  return i < p.series.ts.length && p.series.ts[i]! <= to;
}

/** Check groups of one chunk: its kernel groups, its points' days and months and their energy limits. */
export function chunkChecks(figure: IntervalFigure, groups: readonly CheckedGroup[], days: readonly PeriodFigure[], months: readonly PeriodFigure[], limits: EnergyLimits, frozen: FrozenRuns = new Map()): CheckGroup[] {
  const out: CheckGroup[] = [];
  const where = new Map<string, { g: CheckedGroup; row: number }[]>();
  for (const g of groups) {
    const to = g.from + g.intervals * g.dt;
    // A meter that reads only some registers has no whole snapshot in the columnar chunk: its
    // interval checks take a chunk of the registers it reads (unread-registers.ts).
    const partial = g.rows.filter((p, row) => !g.chunk.present.subarray(row * (g.intervals + 1), (row + 1) * (g.intervals + 1)).includes(1) && readsIn(p, g.from, to));
    const whole = partial.length === 0 ? g.rows : g.rows.filter((p) => !partial.includes(p));
    const rowEnergy = g.rows.map((p) => ({ multiplier: windowEpoch(p, g.from).multiplier, maxIntervalEnergy: p.config.maxIntervalEnergy }));
    const view = { chunk: g.chunk, result: g.res, rowPoints: g.rows.map((p) => p.config.id), firstTs: g.from, stepMs: g.dt, rowEnergy };
    out.push(...intervalGroups(view, whole, g.from, to, days, frozen));
    if (partial.length > 0) {
      const loaded = new Set(g.rows.filter((_, row) => g.chunk.carriesLoad[row] === 1));
      const pc = pointChunk(partial, g.from, g.intervals, (p) => loaded.has(p));
      out.push(...intervalGroups({ chunk: pc.chunk, result: runKernel(pc.chunk), rowPoints: pc.rowPoints, firstTs: g.from, stepMs: g.dt, rowEnergy: pc.rowEnergy }, partial, g.from, to, days, frozen));
    }
    g.rows.forEach((p, row) => (where.get(p.config.id) ?? where.set(p.config.id, []).get(p.config.id)!).push({ g, row }));
  }
  out.push(...energyLimitGroups(days, months, limits));
  for (const f of days) {
    for (const { g, row } of where.get(f.pointId) ?? []) {
      const j0 = (f.from - g.from) / g.dt, j1 = (f.to - g.from) / g.dt;
      if (!Number.isInteger(j0) || !Number.isInteger(j1) || j0 < 0 || j1 > g.intervals) continue;
      const epoch = dayEpoch(g.rows[row]!, f);
      if (epoch) out.push(intervalSumGroup(f, [daySum(figure, g, row, j0, j1, epoch.multiplier.num)], epoch.multiplier));
    }
  }
  return out;
}
