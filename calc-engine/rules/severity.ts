/**
 * Severity from how far a value lies beyond its limit: beyond twice the allowed excess it is
 * critical, otherwise a warning — one convention for every rule with numeric limits.
 */
import type { Severity } from '../alarms.ts';

const RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

/** The more severe of two severities. */
export function moreSevere(a: Severity, b: Severity): Severity {
  return RANK[b] > RANK[a] ? b : a;
}

/** Severity of `observed` outside [lower, upper]; undefined when inside. */
export function severityOutside(observed: number, lower: number, upper: number): Severity | undefined {
  if (observed >= lower && observed <= upper) return undefined;
  const width = Math.max(Math.abs(upper), Math.abs(lower), Number.EPSILON);
  const excess = observed > upper ? observed - upper : lower - observed;
  return excess > width ? 'critical' : 'warning';
}
