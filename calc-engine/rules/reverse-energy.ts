/**
 * Reverse energy on an import-only point: export active energy (`ap_exp`) where the archive
 * says none can flow — a wiring or CT polarity fault. Tolerance in register steps (default 0).
 */
import { registerIndex } from '../../schema/registers.ts';
import type { AlarmCandidate } from '../alarms.ts';
import { RUN_DETAIL } from '../runs.ts';
import type { EnergyFigure } from '../figure.ts';
import { REVERSE } from '../kernel-flags.ts';
import { ratCmp, rational, ratToNumber, type Rational, ratMul } from '../rational.ts';
import { DEFAULT_INTERVAL_LIMITS, rowLimits, type IntervalLimits } from './interval-limits.ts';
import { flagRuns, intervalDelta, runPeriod, type KernelView } from './kernel-view.ts';

/** Reverse-energy candidates from the kernel (runs merged; observed = export steps in the run, limit = steps per interval). */
export function reverseEnergyCandidates(view: KernelView, limits: IntervalLimits = DEFAULT_INTERVAL_LIMITS): AlarmCandidate[] {
  return flagRuns(view, REVERSE, true).map((run) => {
    let steps = 0;
    for (let j = run.j0; j < run.j1; j++) steps += intervalDelta(view, run.row, j, 5);
    return { rule: 'reverse-energy', objectKind: 'point', objectId: view.rowPoints[run.row]!, ...runPeriod(view, run), observed: steps, limit: rowLimits(view.chunk, run.row, limits).reverseToleranceSteps, severity: 'warning', detail: RUN_DETAIL.reverse };
  });
}

/** Reverse-energy candidate of a day or month figure of an import-only point (multiplier `m`). */
export function reverseEnergyFigureCandidates(figure: EnergyFigure, m: Rational, limits: IntervalLimits = DEFAULT_INTERVAL_LIMITS): AlarmCandidate[] {
  const exp = figure.registers[registerIndex('ap_exp.total')]!.energy;
  const limit = ratMul(rational(limits.reverseToleranceSteps), m);
  if (exp === null || ratCmp(exp, limit) <= 0) return [];
  return [{ rule: 'reverse-energy', objectKind: 'point', objectId: figure.pointId, periodStart: figure.from, periodEnd: figure.to, observed: ratToNumber(exp) / 100, limit: ratToNumber(limit) / 100, severity: 'warning', detail: 'ap_exp on import-only point (kWh)' }];
}
