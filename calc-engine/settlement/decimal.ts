/**
 * Exact decimals on BigInt for money and energy: a value is `units × 10^-scale`. Addition and
 * multiplication are exact; the only rounding is explicit, half-up with ties away from zero (so
 * a credit mirrors a charge of the same size), to a stated number of places.
 */

import { PLAIN_DECIMAL } from '../../schema/index.ts';

/** An exact decimal `units × 10^-scale` (scale ≥ 0). */
export interface Decimal {
  readonly units: bigint;
  readonly scale: number;
}

const POW10: bigint[] = [1n];
function pow10(n: number): bigint {
  while (POW10.length <= n) POW10.push(POW10[POW10.length - 1]! * 10n);
  return POW10[n]!;
}

/** Zero at scale 0. */
export const DEC_ZERO: Decimal = { units: 0n, scale: 0 };

/** Build a decimal from integer units and a scale. */
export function dec(units: bigint | number, scale = 0): Decimal {
  return { units: BigInt(units), scale };
}


/** Parse a plain decimal string (`"0.2150"`, `"-3"`) exactly; throws on anything else. */
export function parseDecimal(text: string | number | bigint): Decimal {
  if (typeof text === 'bigint') return { units: text, scale: 0 };
  const s = typeof text === 'number' ? numberText(text) : text;
  const m = PLAIN_DECIMAL.exec(s);
  if (!m) throw new RangeError(`not a plain decimal: '${s}'`);
  const frac = m[3] ?? '';
  const units = BigInt(m[2]! + frac);
  return { units: m[1] === '-' ? -units : units, scale: frac.length };
}

function numberText(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`not a finite number: ${n}`);
  const s = String(n);
  if (/e/i.test(s)) throw new RangeError(`number ${s} is too large or small to be read exactly; write it as a decimal string`);
  return s;
}

function align(a: Decimal, b: Decimal): [bigint, bigint, number] {
  if (a.scale === b.scale) return [a.units, b.units, a.scale];
  if (a.scale > b.scale) return [a.units, b.units * pow10(a.scale - b.scale), a.scale];
  return [a.units * pow10(b.scale - a.scale), b.units, b.scale];
}

/** a + b, exact. */
export function decAdd(a: Decimal, b: Decimal): Decimal {
  const [x, y, s] = align(a, b);
  return { units: x + y, scale: s };
}

/** a − b, exact. */
export function decSub(a: Decimal, b: Decimal): Decimal {
  const [x, y, s] = align(a, b);
  return { units: x - y, scale: s };
}

/** a × b, exact. */
export function decMul(a: Decimal, b: Decimal): Decimal {
  return { units: a.units * b.units, scale: a.scale + b.scale };
}

/** −a. */
export function decNeg(a: Decimal): Decimal {
  return { units: -a.units, scale: a.scale };
}

/** Sum of decimals, exact (0 for none). */
export function decSum(values: Iterable<Decimal>): Decimal {
  let acc = DEC_ZERO;
  for (const v of values) acc = decAdd(acc, v);
  return acc;
}

/** −1, 0 or 1 as a < b, a = b, a > b. */
export function decCmp(a: Decimal, b: Decimal): -1 | 0 | 1 {
  const [x, y] = align(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Whether the value is zero. */
export function decIsZero(a: Decimal): boolean {
  return a.units === 0n;
}

/** num / den rounded half-up (ties away from zero) to an integer. */
export function divHalfUp(num: bigint, den: bigint): bigint {
  if (den === 0n) throw new RangeError('division by zero');
  if (den < 0n) [num, den] = [-num, -den];
  const neg = num < 0n;
  const n = neg ? -num : num;
  const q = (2n * n + den) / (2n * den);
  return neg ? -q : q;
}

/** Round to `places` decimals, half-up with ties away from zero. */
export function decRound(a: Decimal, places: number): Decimal {
  if (a.scale <= places) return { units: a.units * pow10(places - a.scale), scale: places };
  return { units: divHalfUp(a.units, pow10(a.scale - places)), scale: places };
}

/** a × num / den rounded half-up to `places` decimals (exact until the one rounding). */
export function decMulRatioRound(a: Decimal, num: bigint, den: bigint, places: number): Decimal {
  const n = a.units * num * pow10(places);
  const d = den * pow10(a.scale);
  return { units: divHalfUp(n, d), scale: places };
}

/** The value with trailing zeros dropped down to `minScale` places (for display and storage). */
export function decNormalize(a: Decimal, minScale = 0): Decimal {
  let { units, scale } = a;
  while (scale > minScale && units % 10n === 0n) {
    units /= 10n;
    scale--;
  }
  return { units, scale };
}

/** Plain decimal text with exactly the value's scale (`"-12.50"`). */
export function formatDecimal(a: Decimal): string {
  const neg = a.units < 0n;
  const digits = (neg ? -a.units : a.units).toString().padStart(a.scale + 1, '0');
  const int = a.scale === 0 ? digits : digits.slice(0, -a.scale);
  const frac = a.scale === 0 ? '' : `.${digits.slice(-a.scale)}`;
  return `${neg ? '-' : ''}${int}${frac}`;
}

/** Money text: rounded half-up to 2 places. */
export function formatMoney(a: Decimal): string {
  return formatDecimal(decRound(a, 2));
}

/** The nearest float, for charts and spreadsheets only — never for arithmetic. */
export function decToNumber(a: Decimal): number {
  return Number(formatDecimal(a));
}
