/** The columnar kernel on a hand-made chunk: every interval-level check, flag by flag. */
import { describe, expect, it } from 'vitest';
import {
  DECREASE, DEMAND_JUMP, FROZEN, MISSING, OVER_MAX, REVERSE, ROLLOVER, SPIKE, TOU_MISMATCH,
  dedupeCandidates, intervalCandidates, runKernel, type KernelChunk,
} from '../../calc-engine/index.ts';

// Row 0: import-only point carrying load, max 1500 steps per interval, capacity 1e8.
// Each snapshot: [ap_imp.total, ap_imp.peak, ap_exp.total] (ap_exp.flat follows ap_exp.total).
const row0: ([number, number, number] | null)[] = [
  [1000, 1000, 0], //  s0
  [1100, 1100, 0], //  s1  i0 +100
  [1200, 1200, 0], //  s2  i1 +100
  [3000, 3000, 0], //  s3  i2 +1800: > 1500 (above max); > 10 × both neighbours (spike); +1700 % (demand jump)
  [3100, 3100, 0], //  s4  i3 +100: a drop of 94 % is within 200 %
  [3000, 3000, 0], //  s5  i4 −100: wrap would be 99 999 900 > 1500 → decrease, no energy
  null, //             s6  i5, i6 missing
  [3100, 3100, 0], //  s7
  [3100, 3100, 50], // s8  i7 export 50 on an import-only point
  [3100, 3100, 50], // s9  i8…i12: nothing moves; the 4th and 5th unchanged interval are frozen
  [3100, 3100, 50], // s10
  [3100, 3100, 50], // s11
  [3100, 3100, 50], // s12
  [3100, 3100, 50], // s13
  [3100, 3300, 50], // s14 i13 peak +200 while total 0: |Σ tiers − total| = 200 > 4
];
// Row 1: a wrap. 999 999.00 → 1.00 kWh on a 1e8 register: 1e8 − 99 999 900 + 100 = 200 ≤ 1500.
const row1: [number, number, number][] = [[99_999_900, 0, 0], [100, 0, 0]];

function chunk(): KernelChunk {
  const S = row0.length;
  const values = new Float64Array(2 * S * 20);
  const present = new Uint8Array(2 * S);
  const put = (row: number, s: number, v: [number, number, number] | null) => {
    if (!v) return;
    present[row * S + s] = 1;
    const o = (row * S + s) * 20;
    values[o] = v[0]; values[o + 2] = v[1]; values[o + 5] = v[2]; values[o + 8] = v[2];
  };
  row0.forEach((v, s) => put(0, s, v));
  // row 1 repeats its last snapshot to the end of the chunk, peak tier following the total
  for (let s = 0; s < S; s++) { const v = row1[Math.min(s, 1)]!; put(1, s, [v[0], v[0], 0]); }
  return {
    rows: 2, snapshots: S, values, present,
    capacity: new Float64Array([1e8, 1e8]), maxSteps: new Float64Array([1500, 1500]),
    importOnly: new Uint8Array([1, 0]), carriesLoad: new Uint8Array([1, 0]),
  };
}

describe('runKernel', () => {
  const c = chunk();
  const res = runKernel(c);
  const I = res.intervals;
  it('flags every interval as worked out above', () => {
    expect(Array.from(res.flags.subarray(0, I))).toEqual([
      0, 0, OVER_MAX | SPIKE | DEMAND_JUMP, 0, DECREASE, MISSING, MISSING, REVERSE, 0, 0, 0, FROZEN, FROZEN, TOU_MISMATCH,
    ]);
    expect(res.flags[I]).toBe(ROLLOVER);
  });
  it('keeps deltas exact and invents no energy', () => {
    const imp = (row: number, j: number) => res.deltas[(row * I + j) * 20]!;
    expect([0, 1, 2, 3, 4, 5].map((j) => imp(0, j))).toEqual([100, 100, 1800, 100, 0, 0]);
    expect(imp(1, 0)).toBe(200);
  });
  it('turns flags into alarm candidates', () => {
    const view = { chunk: c, result: res, rowPoints: ['P', 'W'], firstTs: 0, stepMs: 900_000 };
    const got = dedupeCandidates(intervalCandidates(view)).map((a) => [a.rule, a.objectId, a.periodStart / 900_000, a.periodEnd / 900_000, a.observed]);
    expect(got).toEqual([
      ['outlier', 'P', 4, 5, -100], // register decrease, critical
      ['outlier', 'P', 2, 3, 1800], // above max; the spike on the same interval shares its key and severity: first kept
      ['missing-data', 'P', 5, 7, 2],
      ['tou-mismatch', 'P', 13, 14, 200],
      ['reverse-energy', 'P', 7, 8, 50],
      ['frozen-reading', 'P', 8, 13, 5],
      ['demand-jump', 'P', 2, 3, 1700],
    ]);
  });
});
