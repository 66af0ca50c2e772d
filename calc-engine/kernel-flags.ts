/**
 * Bit flags the columnar kernel sets per interval. A flagged interval keeps the energy it could
 * compute, except MISSING, DECREASE (that register only), INACTIVE and WIDE (see NOT_COLUMNAR).
 */

/** A snapshot at either end of the interval was not read: no energy. */
export const MISSING = 1;
/** A register went down without a plausible wrap: that register's delta is 0, no energy invented. */
export const DECREASE = 2;
/** A register wrapped at its capacity; the wrapped delta was used. */
export const ROLLOVER = 4;
/** A total register's delta exceeds the point's physical maximum for one interval. */
export const OVER_MAX = 8;
/** The active total (import or export) is far above both neighbouring intervals (set on the middle one). */
export const SPIKE = 16;
/** A total register did not move for the configured run while its own tier registers did. */
export const STUCK = 32;
/** Σ tier deltas differs from the total's delta by more than the tolerance, in any direction. */
export const TOU_MISMATCH = 64;
/** Export active energy on an import-only point. */
export const REVERSE = 128;
/** Every register unchanged for the configured run on a point known to carry load, reading non-zero. */
export const FROZEN = 256;
/** Active demand changed from the previous interval by more than the configured percentage. */
export const DEMAND_JUMP = 512;
/** Outside the row's active range (the meter or multiplier of this row is not in force). */
export const INACTIVE = 1024;
/** A delta does not fit the 32-bit output (a register of more than ten digits): the figure path computes it. */
export const WIDE = 2048;
/** Intervals whose energy the kernel's deltas do not give: the figure path computes them. */
export const NOT_COLUMNAR = MISSING | DECREASE | INACTIVE | WIDE;

/** Flag names, for logs and alarm details. */
export const KERNEL_FLAG_NAMES: Readonly<Record<number, string>> = {
  [MISSING]: 'missing',
  [DECREASE]: 'register-decrease',
  [ROLLOVER]: 'rollover',
  [OVER_MAX]: 'above-max',
  [SPIKE]: 'spike',
  [STUCK]: 'stuck',
  [TOU_MISMATCH]: 'tou-mismatch',
  [REVERSE]: 'reverse-energy',
  [FROZEN]: 'frozen-reading',
  [DEMAND_JUMP]: 'demand-jump',
  [INACTIVE]: 'inactive',
  [WIDE]: 'wide-delta',
};
