/**
 * Multiplier M = CT ratio × PT ratio (DESIGN.md §5), kept as an exact rational so that
 * non-integer ratios such as 10 000 V / 110 V do not drift.
 */
import { rational, type Rational } from './rational.ts';

/** CT and PT ratios as primary/secondary integers (A/A and V/V); 1/1 for direct connection. */
export interface TransformerRatios {
  readonly ctPrimary: number;
  readonly ctSecondary: number;
  readonly ptPrimary: number;
  readonly ptSecondary: number;
}

/** Ratios of a meter that already registers primary values. */
export const DIRECT: TransformerRatios = { ctPrimary: 1, ctSecondary: 1, ptPrimary: 1, ptSecondary: 1 };

/** M = (ctPrimary × ptPrimary) / (ctSecondary × ptSecondary), exact. */
export function multiplier(r: TransformerRatios): Rational {
  for (const v of [r.ctPrimary, r.ctSecondary, r.ptPrimary, r.ptSecondary]) {
    if (!Number.isSafeInteger(v) || v <= 0) throw new RangeError(`multiplier: ratio term ${v} is not a positive integer`);
  }
  return rational(BigInt(r.ctPrimary) * BigInt(r.ptPrimary), BigInt(r.ctSecondary) * BigInt(r.ptSecondary));
}
