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
 * The largest wrap accepted over a span, in register steps of a meter with multiplier num/den
 * and a register of `capacity` steps: the span's physical maximum ⌊maxIntervalEnergy × intervals
 * × den / num⌋ (exact, so a wrap is accepted iff wrap × M ≤ max), and below half the register.
 * A pair R(a) > R(b) is either a decrease by R(a) − R(b) or a wrap adding C − R(a) + R(b); the
 * wrap is taken only when it is the shorter way round the dial. Without that bound a day or a
 * month, whose maximum is many intervals', would take any small decrease as a wrap of almost
 * the whole register and invent that energy.
 */
export function maxSteps(maxIntervalEnergy: number, intervals: number, num: bigint, den: bigint, capacity: number): number {
  const half = Math.ceil(capacity / 2) - 1;
  if (!Number.isFinite(maxIntervalEnergy)) return half;
  const steps = (BigInt(Math.floor(maxIntervalEnergy)) * BigInt(intervals) * den) / num;
  return steps > BigInt(half) ? half : Number(steps);
}
