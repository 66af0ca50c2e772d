/**
 * Power-factor adjustment tables (功率因数调整电费表) as data.
 *
 * Source: 《功率因数调整电费办法》, (83)水电财字第215号, Ministry of Water Resources and
 * Electric Power and State Price Bureau of China, 1983 — tables 1 to 3 for the standard power
 * factors 0.90 (high-voltage industrial users ≥ 160 kVA, users with on-load tap changers, large
 * pumping stations), 0.85 (other users ≥ 100 kVA) and 0.80 (agricultural and wholesale users).
 *
 * How they are applied (same document): the month's power factor is computed from the month's
 * active and reactive energy, PF = P / √(P² + Q²), and taken to two decimals, rounding the third
 * half-up; the table gives a percentage of the month's basic charge plus energy charge: positive
 * is a surcharge (penalty), negative a reduction (bonus). Below the lowest listed row every
 * further 0.01 adds `belowStepPercent` (2 % in all three tables).
 *
 * Each row is `[min, max, percent]`: power factors `min`…`max` inclusive take `percent`.
 */
import { dec, decAdd, decMul, parseDecimal, type Decimal } from './decimal.ts';

/** A power-factor adjustment table. */
export interface PfTable {
  /** Standard power factor it is built around (adjustment 0 there). */
  readonly standard: string;
  /** Rows `[min, max, percent]` over power factors in hundredths, highest first. */
  readonly rows: readonly (readonly [string, string, string])[];
  /** Percent added per 0.01 below the lowest row's `min`. */
  readonly belowStepPercent: string;
  /** Where the figures come from. */
  readonly source: string;
}

const SOURCE = '功率因数调整电费办法, (83)水电财字第215号 (1983)';

/** Table 1: standard 0.90. */
export const PF_TABLE_090: PfTable = {
  standard: '0.90', source: `${SOURCE}, table 1`, belowStepPercent: '2',
  rows: [
    ['0.95', '1.00', '-0.75'], ['0.94', '0.94', '-0.60'], ['0.93', '0.93', '-0.45'],
    ['0.92', '0.92', '-0.30'], ['0.91', '0.91', '-0.15'], ['0.90', '0.90', '0'], ['0.89', '0.89', '0.5'],
    ['0.88', '0.88', '1.0'], ['0.87', '0.87', '1.5'], ['0.86', '0.86', '2.0'], ['0.85', '0.85', '2.5'],
    ['0.84', '0.84', '3.0'], ['0.83', '0.83', '3.5'], ['0.82', '0.82', '4.0'], ['0.81', '0.81', '4.5'],
    ['0.80', '0.80', '5.0'], ['0.79', '0.79', '5.5'], ['0.78', '0.78', '6.0'], ['0.77', '0.77', '6.5'],
    ['0.76', '0.76', '7.0'], ['0.75', '0.75', '7.5'], ['0.74', '0.74', '8.0'], ['0.73', '0.73', '8.5'],
    ['0.72', '0.72', '9.0'], ['0.71', '0.71', '9.5'], ['0.70', '0.70', '10.0'], ['0.69', '0.69', '11'],
    ['0.68', '0.68', '12'], ['0.67', '0.67', '13'], ['0.66', '0.66', '14'], ['0.65', '0.65', '15'],
  ],
};

/** Table 2: standard 0.85. */
export const PF_TABLE_085: PfTable = {
  standard: '0.85', source: `${SOURCE}, table 2`, belowStepPercent: '2',
  rows: [
    ['0.94', '1.00', '-1.10'], ['0.93', '0.93', '-0.95'], ['0.92', '0.92', '-0.80'],
    ['0.91', '0.91', '-0.65'], ['0.90', '0.90', '-0.50'], ['0.89', '0.89', '-0.40'],
    ['0.88', '0.88', '-0.30'], ['0.87', '0.87', '-0.20'], ['0.86', '0.86', '-0.10'], ['0.85', '0.85', '0'],
    ['0.84', '0.84', '0.5'], ['0.83', '0.83', '1.0'], ['0.82', '0.82', '1.5'], ['0.81', '0.81', '2.0'],
    ['0.80', '0.80', '2.5'], ['0.79', '0.79', '3.0'], ['0.78', '0.78', '3.5'], ['0.77', '0.77', '4.0'],
    ['0.76', '0.76', '4.5'], ['0.75', '0.75', '5.0'], ['0.74', '0.74', '5.5'], ['0.73', '0.73', '6.0'],
    ['0.72', '0.72', '6.5'], ['0.71', '0.71', '7.0'], ['0.70', '0.70', '7.5'], ['0.69', '0.69', '8.0'],
    ['0.68', '0.68', '8.5'], ['0.67', '0.67', '9.0'], ['0.66', '0.66', '9.5'], ['0.65', '0.65', '10.0'],
    ['0.64', '0.64', '11'], ['0.63', '0.63', '12'], ['0.62', '0.62', '13'], ['0.61', '0.61', '14'],
    ['0.60', '0.60', '15'],
  ],
};

/** Table 3: standard 0.80. */
export const PF_TABLE_080: PfTable = {
  standard: '0.80', source: `${SOURCE}, table 3`, belowStepPercent: '2',
  rows: [
    ['0.92', '1.00', '-1.30'], ['0.91', '0.91', '-1.15'], ['0.90', '0.90', '-1.00'],
    ['0.89', '0.89', '-0.90'], ['0.88', '0.88', '-0.80'], ['0.87', '0.87', '-0.70'],
    ['0.86', '0.86', '-0.60'], ['0.85', '0.85', '-0.50'], ['0.84', '0.84', '-0.40'],
    ['0.83', '0.83', '-0.30'], ['0.82', '0.82', '-0.20'], ['0.81', '0.81', '-0.10'], ['0.80', '0.80', '0'],
    ['0.79', '0.79', '0.5'], ['0.78', '0.78', '1.0'], ['0.77', '0.77', '1.5'], ['0.76', '0.76', '2.0'],
    ['0.75', '0.75', '2.5'], ['0.74', '0.74', '3.0'], ['0.73', '0.73', '3.5'], ['0.72', '0.72', '4.0'],
    ['0.71', '0.71', '4.5'], ['0.70', '0.70', '5.0'], ['0.69', '0.69', '5.5'], ['0.68', '0.68', '6.0'],
    ['0.67', '0.67', '6.5'], ['0.66', '0.66', '7.0'], ['0.65', '0.65', '7.5'], ['0.64', '0.64', '8.0'],
    ['0.63', '0.63', '8.5'], ['0.62', '0.62', '9.0'], ['0.61', '0.61', '9.5'], ['0.60', '0.60', '10.0'],
    ['0.59', '0.59', '11'], ['0.58', '0.58', '12'], ['0.57', '0.57', '13'], ['0.56', '0.56', '14'],
    ['0.55', '0.55', '15'],
  ],
};

/** The shipped standard tables by their standard power factor. */
export const PF_STANDARD_TABLES: Readonly<Record<'0.90' | '0.85' | '0.80', PfTable>> = {
  '0.90': PF_TABLE_090, '0.85': PF_TABLE_085, '0.80': PF_TABLE_080,
};

function hundredths(text: string): bigint {
  const d = parseDecimal(text);
  if (d.scale > 2) throw new RangeError(`power factor ${text}: at most two decimals`);
  return d.units * 10n ** BigInt(2 - d.scale);
}

/**
 * Monthly power factor PF = P / √(P² + Q²) in hundredths, rounded half-up, computed exactly
 * (no square root, no float): k is the largest integer with P·200 ≥ (2k − 1)·√(P²+Q²).
 * Null when there is no active import energy (none, or a net export): a power factor would be
 * 0.00 whatever the reactive energy, and the table's surcharge for it (+145 % on the 0.90 table)
 * bills no consumption.
 */
export function powerFactorHundredths(p: Decimal, q: Decimal): number | null {
  const scale = Math.max(p.scale, q.scale);
  const P = p.units * 10n ** BigInt(scale - p.scale);
  const Q = q.units * 10n ** BigInt(scale - q.scale);
  const s = P * P + Q * Q;
  if (s === 0n || P <= 0n) return null;
  const lhs = P * P * 40000n;
  let k = 100;
  while (k > 0 && BigInt(2 * k - 1) ** 2n * s > lhs) k--;
  return k;
}

/** Format hundredths as a power factor ("0.87"). */
export function formatPowerFactor(k: number): string {
  return `${Math.floor(k / 100)}.${String(k % 100).padStart(2, '0')}`;
}

/** The adjustment percent (positive: surcharge, negative: reduction) for a PF in hundredths. */
export function pfAdjustmentPercent(table: PfTable, pfHundredths: number): Decimal {
  const k = BigInt(pfHundredths);
  let lowest: readonly [string, string, string] | undefined;
  for (const row of table.rows) {
    if (k >= hundredths(row[0]) && k <= hundredths(row[1])) return parseDecimal(row[2]);
    if (!lowest || hundredths(row[0]) < hundredths(lowest[0])) lowest = row;
  }
  if (!lowest) throw new RangeError('empty power-factor table');
  const min = hundredths(lowest[0]);
  if (k > min) throw new RangeError(`power factor ${formatPowerFactor(pfHundredths)} is not covered by the table of standard ${table.standard}`);
  return decAdd(parseDecimal(lowest[2]), decMul(dec(min - k), parseDecimal(table.belowStepPercent)));
}
