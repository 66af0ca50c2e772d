/**
 * Rule `tou-mismatch` (DESIGN.md §6): the sum of the tier registers' deltas differs from the
 * total register's delta beyond a tolerance in register steps (default 4: each of the four tier
 * registers truncates on its own).
 */
import { DIRECTIONS, registerIndex } from '../../schema/registers.ts';
import type { AlarmCandidate } from '../alarms.ts';
import type { EnergyFigure } from '../figure.ts';
import { TOU_MISMATCH } from '../kernel-flags.ts';
import { ratDiv, ratSub, ratSum, ratToNumber, type Rational } from '../rational.ts';
import { TOU_TIERS } from '../tou.ts';
import { DEFAULT_INTERVAL_LIMITS, rowLimits, type IntervalLimits } from './interval-limits.ts';
import { flagRuns, intervalDelta, runPeriod, type KernelView } from './kernel-view.ts';

/** TOU-mismatch candidates from the kernel flags (per interval; observed in steps). */
export function touMismatchCandidates(view: KernelView, limits: IntervalLimits = DEFAULT_INTERVAL_LIMITS): AlarmCandidate[] {
  return flagRuns(view, TOU_MISMATCH, false).map((run) => {
    const tol = rowLimits(view.chunk, run.row, limits).touToleranceSteps;
    let worst = 0;
    for (let d = 0; d < 4; d++) {
      let tiers = 0;
      for (let t = 1; t < 5; t++) tiers += intervalDelta(view, run.row, run.j0, d * 5 + t);
      const diff = Math.abs(tiers - intervalDelta(view, run.row, run.j0, d * 5));
      worst = Math.max(worst, diff);
    }
    return {
      rule: 'tou-mismatch', objectKind: 'point', objectId: view.rowPoints[run.row]!, ...runPeriod(view, run),
      observed: worst, limit: tol, severity: worst > 2 * tol ? 'critical' : 'warning', detail: '|Σ tiers − total| (steps)',
    };
  });
}

/**
 * TOU-mismatch candidates of a day or month figure: per direction, |Σ tiers − total| converted
 * back to register steps with the point's multiplier `m`, against the tolerance.
 */
export function touMismatchFigureCandidates(figure: EnergyFigure, m: Rational, limits: IntervalLimits = DEFAULT_INTERVAL_LIMITS): AlarmCandidate[] {
  const out: AlarmCandidate[] = [];
  for (const d of DIRECTIONS) {
    const total = figure.registers[registerIndex(`${d}.total`)]!.energy;
    const tiers = TOU_TIERS.map((t) => figure.registers[registerIndex(`${d}.${t}`)]!.energy);
    if (total === null || tiers.some((x) => x === null)) continue;
    const diff = ratSub(ratSum(tiers as Rational[]), total);
    const steps = Math.abs(ratToNumber(ratDiv(diff, m)));
    if (steps > limits.touToleranceSteps) {
      out.push({
        rule: 'tou-mismatch', objectKind: 'point', objectId: figure.pointId, periodStart: figure.from, periodEnd: figure.to,
        observed: steps, limit: limits.touToleranceSteps, severity: steps > 2 * limits.touToleranceSteps ? 'critical' : 'warning', detail: `${d}: |Σ tiers − total| (steps)`,
      });
    }
  }
  return out;
}
