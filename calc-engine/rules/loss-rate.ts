/**
 * Loss-rate rules (DESIGN.md §6) share one test: the object's loss rate in percent against
 * [lower, upper]. `bus-imbalance` on buses, `transformer-loss` on transformers, `line-loss` on
 * lines; a figure with missing data is not judged (its missing-data alarm speaks instead).
 */
import type { AlarmCandidate, RuleName } from '../alarms.ts';
import type { ObjectFigure } from '../objects.ts';
import { ratToDecimal } from '../rational.ts';
import { severityOutside } from './severity.ts';

/** Loss-rate limits in percent. */
export interface LossRateLimits {
  readonly lowerPercent: number;
  readonly upperPercent: number;
}

/**
 * The candidate when `figure`'s loss rate lies outside the limits. Energy out with none in has
 * no rate but is the most negative loss there is (DESIGN.md §6: a negative loss is suspicious
 * too): critical, observed as the loss in kWh (energies are in hundredths) against 0 — where an
 * input is counted at all.
 */
export function lossRateCandidate(rule: RuleName, figure: ObjectFigure, limits: LossRateLimits): AlarmCandidate[] {
  if (figure.quality.kind === 'missing') return [];
  if (figure.lossRate === null) {
    const loss = figure.loss.energy;
    // An object none of whose inputs is counted (directions left out of computation) has no input
    // to compare: that is its configuration, not a fault of the period.
    if (loss === null || loss.num >= 0n || !figure.members.some((m) => m.role === 'in' && m.counted)) return [];
    return [{ rule, objectKind: figure.kind, objectId: figure.objectId, periodStart: figure.from, periodEnd: figure.to, observed: Number(ratToDecimal(loss, 4, 2)), limit: 0, severity: 'critical', detail: 'energy out with none in: loss (kWh)' }];
  }
  // Per cent to six places, from the exact rate: a float product would make 3.5 % read 3.5000000000000004 and cross a limit of 3.5.
  const observed = Number(ratToDecimal(figure.lossRate, 6, -2));
  const severity = severityOutside(observed, limits.lowerPercent, limits.upperPercent);
  if (!severity) return [];
  const limit = observed > limits.upperPercent ? limits.upperPercent : limits.lowerPercent;
  return [{ rule, objectKind: figure.kind, objectId: figure.objectId, periodStart: figure.from, periodEnd: figure.to, observed, limit, severity, detail: 'loss rate (%)' }];
}
