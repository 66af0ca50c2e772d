/**
 * Interval sum versus register delta: the sum of a period's interval energies against the energy
 * from the period's boundary readings (e.g. the meter's frozen day registers). They agree exactly
 * when every interval exists; a difference beyond the tolerance means lost or doubled intervals.
 */
import { REGISTER_CODES } from '../../schema/registers.ts';
import type { AlarmCandidate } from '../alarms.ts';
import type { EnergyFigure } from '../figure.ts';
import { ratCmp, rational, ratMul, ratSub, ratSum, ratToNumber, type Rational } from '../rational.ts';

/** Interval-sum limits. */
export interface IntervalSumLimits {
  /** Allowed |Σ intervals − boundary delta| in register steps; default 0 (same readings, exact). */
  readonly toleranceSteps: number;
  /** Register indexes checked; default the four totals. */
  readonly registers: readonly number[];
}

/** Default: exact agreement on the four totals. */
export const DEFAULT_INTERVAL_SUM_LIMITS: IntervalSumLimits = { toleranceSteps: 0, registers: [0, 5, 10, 15] };

/** Candidates where Σ of `intervals` differs from `period`'s energy; registers with missing data skipped. */
export function intervalSumCandidates(period: EnergyFigure, intervals: readonly EnergyFigure[], m: Rational, limits: IntervalSumLimits = DEFAULT_INTERVAL_SUM_LIMITS): AlarmCandidate[] {
  const out: AlarmCandidate[] = [];
  const tol = ratMul(rational(limits.toleranceSteps), m);
  for (const r of limits.registers) {
    const whole = period.registers[r]!.energy;
    const parts = intervals.map((f) => f.registers[r]!.energy);
    if (whole === null || parts.some((p) => p === null)) continue;
    const diff = ratSub(ratSum(parts as Rational[]), whole);
    const abs = diff.num < 0n ? rational(-diff.num, diff.den) : diff;
    if (ratCmp(abs, tol) > 0) {
      out.push({ rule: 'interval-sum', objectKind: 'point', objectId: period.pointId, periodStart: period.from, periodEnd: period.to, observed: ratToNumber(diff) / 100, limit: ratToNumber(tol) / 100, severity: 'warning', detail: `${REGISTER_CODES[r]} Σ intervals − delta (kWh)` });
    }
  }
  return out;
}
