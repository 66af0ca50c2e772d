/**
 * Rule `outlier` (DESIGN.md §6): singular data — a register decrease without rollover or
 * replacement, an interval above the point's physical maximum, a spike far above its
 * neighbours, a stuck register. Limits: `IntervalLimits` (spike factor and floor, stuck run)
 * and each row's maximum in register steps.
 */
import { REGISTER_CODES } from '../../schema/registers.ts';
import type { AlarmCandidate } from '../alarms.ts';
import { RUN_DETAIL } from '../runs.ts';
import type { EnergyEvent } from '../figure.ts';
import { DECREASE, OVER_MAX, SPIKE, STUCK } from '../kernel-flags.ts';
import { DEFAULT_INTERVAL_LIMITS, rowLimits, type IntervalLimits } from './interval-limits.ts';
import { countedRuns, flagRuns, intervalDelta, primaryEnergy, runPeriod, snapshotValue, stepsToPrimary, type KernelView } from './kernel-view.ts';

/** Outlier candidates from the kernel's flags; energies in primary kWh/kvarh (register steps for a view without multipliers). */
export function outlierCandidates(view: KernelView, limits: IntervalLimits = DEFAULT_INTERVAL_LIMITS): AlarmCandidate[] {
  const out: AlarmCandidate[] = [];
  // Energies in primary kWh/kvarh where the view knows the multipliers (the engine's views do).
  const unit = view.rowEnergy ? 'kWh' : 'steps';
  const base = (row: number, j0: number, j1: number) => ({
    rule: 'outlier' as const,
    objectKind: 'point' as const,
    objectId: view.rowPoints[row]!,
    ...runPeriod(view, { row, j0, j1 }),
  });
  for (const run of flagRuns(view, DECREASE, false)) {
    for (let r = 0; r < 20; r++) {
      const drop = snapshotValue(view, run.row, run.j0 + 1, r) - snapshotValue(view, run.row, run.j0, r);
      if (drop < 0 && intervalDelta(view, run.row, run.j0, r) === 0) {
        out.push({ ...base(run.row, run.j0, run.j1), observed: primaryEnergy(view, run.row, drop), limit: 0, severity: 'critical', register: REGISTER_CODES[r], detail: `register-decrease ${REGISTER_CODES[r]} (${unit})` });
        break;
      }
    }
  }
  for (const run of flagRuns(view, OVER_MAX, false)) {
    const max = view.chunk.maxSteps[run.row]!;
    let worst = 0;
    for (let d = 0; d < 4; d++) worst = Math.max(worst, intervalDelta(view, run.row, run.j0, d * 5));
    // The limit as configured (maxIntervalEnergy), not its whole steps.
    const limit = view.rowEnergy ? view.rowEnergy[run.row]!.maxIntervalEnergy / 100 : max;
    out.push({ ...base(run.row, run.j0, run.j1), observed: primaryEnergy(view, run.row, worst), limit, severity: worst > 2 * max ? 'critical' : 'warning', detail: `above-max (${unit})` });
  }
  for (const run of flagRuns(view, SPIKE, false)) {
    const v = Math.max(intervalDelta(view, run.row, run.j0, 0), intervalDelta(view, run.row, run.j0, 5));
    out.push({ ...base(run.row, run.j0, run.j1), observed: primaryEnergy(view, run.row, v), limit: rowLimits(view.chunk, run.row, limits).spikeFactor, severity: 'warning', detail: `spike (${unit}; limit is the factor over neighbours)` });
  }
  // Stuck runs count per direction (counters 1–4), carried on past the chunk's end like frozen ones.
  const stuckN = (row: number) => rowLimits(view.chunk, row, limits).stuckIntervals;
  for (const run of countedRuns(view, STUCK, [1, 2, 3, 4], stuckN)) {
    out.push({ ...base(run.row, run.j0, run.j1), observed: run.j1 - run.j0, limit: stuckN(run.row), severity: 'warning', detail: RUN_DETAIL.stuck });
  }
  return out;
}

/** Outlier candidates for register decreases met while computing figures (the figure path). */
export function decreaseCandidates(events: readonly EnergyEvent[]): AlarmCandidate[] {
  return events
    .filter((e) => e.kind === 'decrease')
    .map((e) => ({
      rule: 'outlier',
      objectKind: 'point',
      objectId: e.pointId,
      periodStart: e.from,
      periodEnd: e.to,
      observed: e.multiplier ? stepsToPrimary(e.toValue - e.fromValue, e.multiplier) : e.toValue - e.fromValue,
      limit: 0,
      severity: 'critical',
      register: REGISTER_CODES[e.register],
      detail: `register-decrease ${REGISTER_CODES[e.register]} meter ${e.meterId} (${e.multiplier ? 'kWh' : 'steps'})`,
    }));
}
