/**
 * Register delta with rollover (DESIGN.md §5): a register wraps at capacity C. A decrease is a
 * wrap only when C − R(a) + R(b) is plausible (at most the physical maximum for the span);
 * otherwise it is a register decrease and no energy is invented.
 */

/** How a delta was obtained. */
export type DeltaKind = 'normal' | 'rollover' | 'decrease';

/** A register delta in register steps (hundredths of a secondary unit). */
export interface RegisterDelta {
  /** The delta; 0 for a decrease (no energy invented). */
  readonly delta: number;
  readonly kind: DeltaKind;
}

/**
 * Delta from `from` to `to` on a register of `capacity` steps; a wrap is accepted when it is at
 * most `maxSteps` (the span's physical maximum in register steps).
 */
export function registerDelta(from: number, to: number, capacity: number, maxSteps: number): RegisterDelta {
  if (to >= from) return { delta: to - from, kind: 'normal' };
  const wrapped = capacity - from + to;
  if (wrapped >= 0 && wrapped <= maxSteps) return { delta: wrapped, kind: 'rollover' };
  return { delta: 0, kind: 'decrease' };
}

/**
 * The physical maximum of a span, in register steps of a meter with multiplier num/den:
 * ⌊maxIntervalEnergy × intervals × den / num⌋ (exact, so a wrap is accepted iff wrap × M ≤ max).
 */
export function maxSteps(maxIntervalEnergy: number, intervals: number, num: bigint, den: bigint): number {
  if (!Number.isFinite(maxIntervalEnergy)) return Number.MAX_SAFE_INTEGER;
  const steps = (BigInt(Math.floor(maxIntervalEnergy)) * BigInt(intervals) * den) / num;
  return steps > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(steps);
}
