/**
 * Rule `bus-imbalance` (DESIGN.md §6): a bus's imbalance rate (Σin − Σout) / Σin outside ±limit.
 * Defaults by voltage: ±1 % at 220 kV and above, ±2 % below (the 110 kV-and-below limit also
 * covers the rare levels in between, the looser side).
 */
import type { AlarmCandidate } from '../alarms.ts';
import type { ObjectFigure, StatObject } from '../objects.ts';
import { lossRateCandidate, type LossRateLimits } from './loss-rate.ts';

/** Default imbalance limits for a bus of `voltageKv`. */
export function defaultBusLimits(voltageKv: number | undefined): LossRateLimits {
  const p = voltageKv !== undefined && voltageKv >= 220 ? 1 : 2;
  return { lowerPercent: -p, upperPercent: p };
}

/** Bus-imbalance candidate of a bus figure. */
export function busImbalanceCandidates(bus: StatObject, figure: ObjectFigure, limits: LossRateLimits = defaultBusLimits(bus.voltageKv)): AlarmCandidate[] {
  return lossRateCandidate('bus-imbalance', figure, limits);
}
