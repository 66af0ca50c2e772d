/**
 * Exact rational numbers on BigInt. Energies above the interval kernel are rationals in
 * hundredths of a primary unit, so a non-integer multiplier (e.g. a PT of 10 000 V / 110 V) and
 * a prorated manual figure stay exact; rounding happens only when a figure is presented.
 */

/** A normalised fraction: `den > 0`, `gcd(|num|, den) = 1`. */
export interface Rational {
  readonly num: bigint;
  readonly den: bigint;
}

function gcd(a: bigint, b: bigint): bigint {
  if (a < 0n) a = -a;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** Build a normalised rational `num/den` (den ≠ 0). */
export function rational(num: bigint | number, den: bigint | number = 1n): Rational {
  let n = BigInt(num);
  let d = BigInt(den);
  if (d === 0n) throw new RangeError('rational: zero denominator');
  if (d < 0n) [n, d] = [-n, -d];
  if (d === 1n) return { num: n, den: 1n };
  const g = gcd(n, d);
  return g === 1n ? { num: n, den: d } : { num: n / g, den: d / g };
}

/** The rational zero. */
export const ZERO: Rational = { num: 0n, den: 1n };

/** a + b. */
export function ratAdd(a: Rational, b: Rational): Rational {
  if (a.den === b.den) return rational(a.num + b.num, a.den);
  return rational(a.num * b.den + b.num * a.den, a.den * b.den);
}

/** a − b. */
export function ratSub(a: Rational, b: Rational): Rational {
  return ratAdd(a, { num: -b.num, den: b.den });
}

/** a × b. */
export function ratMul(a: Rational, b: Rational): Rational {
  return rational(a.num * b.num, a.den * b.den);
}

/** a ÷ b (b ≠ 0). */
export function ratDiv(a: Rational, b: Rational): Rational {
  return rational(a.num * b.den, a.den * b.num);
}

/** Sign of a − b: -1, 0 or 1. */
export function ratCmp(a: Rational, b: Rational): number {
  const l = a.num * b.den;
  const r = b.num * a.den;
  return l < r ? -1 : l > r ? 1 : 0;
}

/** Whether two rationals are equal. */
export function ratEquals(a: Rational, b: Rational): boolean {
  return a.num === b.num && a.den === b.den;
}

/** Sum of a list (exact). */
export function ratSum(values: Iterable<Rational>): Rational {
  let acc = ZERO;
  for (const v of values) acc = ratAdd(acc, v);
  return acc;
}

/** Nearest float, for display, rates and alarm thresholds only — never fed back into sums. */
export function ratToNumber(a: Rational): number {
  const whole = a.num / a.den;
  const rest = a.num - whole * a.den;
  return Number(whole) + Number(rest) / Number(a.den);
}

/**
 * Decimal text of `a / 10^shift` with `digits` fraction digits, rounded half to even.
 * With `shift = 2` an energy in hundredths prints in whole units ("1234.57"); with `shift = −2`
 * a rate prints in per cent.
 */
export function ratToDecimal(a: Rational, digits: number, shift = 0): string {
  const scale = 10n ** BigInt(digits);
  const num = a.num * scale * (shift < 0 ? 10n ** BigInt(-shift) : 1n);
  const den = a.den * (shift > 0 ? 10n ** BigInt(shift) : 1n);
  const neg = num < 0n;
  const abs = neg ? -num : num;
  let q = abs / den;
  const r2 = (abs % den) * 2n;
  if (r2 > den || (r2 === den && q % 2n === 1n)) q += 1n;
  const s = q.toString().padStart(digits + 1, '0');
  const body = digits > 0 ? `${s.slice(0, -digits)}.${s.slice(-digits)}` : s;
  return neg && q !== 0n ? `-${body}` : body;
}
