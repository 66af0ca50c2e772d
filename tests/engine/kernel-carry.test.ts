/**
 * Property (fast-check): a window's flags do not depend on where the window starts or ends. The
 * kernel over intervals [k, m), with the runs and neighbours carried across its edges from the
 * readings beyond them (kernel-carry.ts), flags FROZEN, STUCK, SPIKE and DEMAND_JUMP exactly
 * where the kernel over the whole span does — so readings recomputed a few intervals at a time
 * find the runs and spikes a full recompute finds — also next to a CT change, where the point's
 * intervals belong to two kernel rows (epochs).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEMAND_JUMP, FROZEN, pointChunk, runKernel, SPIKE, STUCK } from '../../calc-engine/index.ts';
import { at, ct, pointData } from './fixtures.ts';

const T0 = at('2024-05-06T00:00');
const STEP = 900_000;
const N = 48;

/**
 * Per interval: 0 moves everything, 1 stands still (frozen), 2 moves the flat tier but not the
 * total (stuck), 3 reading missing, 4 a spike (twenty times the load), 5 the register going down.
 */
const steps = fc.array(fc.constantFrom(0, 0, 1, 1, 2, 2, 3, 4, 4, 5), { minLength: N, maxLength: N });

/** The point's readings; with `change`, its CT ratio changes at snapshot `change` (two meter epochs, two kernel rows). */
function point(kinds: number[], change = -1) {
  const snaps = [];
  let total = 50_000, flat = 50_000;
  for (let i = 0; i <= N; i++) {
    const k = i === 0 ? 0 : kinds[i - 1]!;
    if (k === 0) (total += 120), (flat += 120);
    if (k === 2) flat += 120;
    if (k === 4) (total += 2400), (flat += 2400);
    if (k === 5) (total -= 500), (flat -= 500);
    if (k === 3) continue;
    const v = new Array<number>(20).fill(0);
    v[0] = total;
    v[3] = flat;
    snaps.push({ ts: T0 + i * STEP, values: v });
  }
  const ratios = change < 0 ? [] : [{ from: 0, ratios: ct(100) }, { from: T0 + change * STEP, ratios: ct(200) }];
  return pointData({ id: 'P' }, [{ meterId: 'm', from: at('2024-01-01T00:00'), capacity: 1e8 }], ratios, snaps);
}

/** The flags of a point's intervals: its rows' flags in `mask`, or-ed (each interval belongs to one epoch's row). */
function pointFlags(flags: Uint16Array, rows: number, intervals: number, mask: number): number[] {
  return Array.from({ length: intervals }, (_, j) => {
    let f = 0;
    for (let row = 0; row < rows; row++) f |= flags[row * intervals + j]! & mask;
    return f;
  });
}

describe("runs and neighbours carried across a window's edges", () => {
  it('flag the same intervals as the kernel over the whole span', () => {
    fc.assert(
      fc.property(steps, fc.integer({ min: 0, max: N - 1 }), fc.integer({ min: 1, max: N }), fc.integer({ min: -1, max: N }), (kinds, a, b, change) => {
        const [k, m] = a < b ? [a, b] : [b - 1, a + 1];
        const p = point(kinds, change);
        const mask = FROZEN | STUCK | SPIKE | DEMAND_JUMP;
        const whole = pointChunk([p], T0 - 2 * STEP, N + 4, () => true).chunk;
        const part = pointChunk([p], T0 + k * STEP, m - k, () => true).chunk;
        const expected = pointFlags(runKernel(whole).flags, whole.rows, N + 4, mask).slice(k + 2, m + 2);
        expect(pointFlags(runKernel(part).flags, part.rows, m - k, mask)).toEqual(expected);
      }),
      { numRuns: 600 },
    );
  });
});
