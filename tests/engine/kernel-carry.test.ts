/**
 * Property (fast-check): a window's frozen and stuck flags do not depend on where the window
 * starts. The kernel over the intervals from k on, with the runs carried in from the readings
 * before k (kernel-carry.ts), flags FROZEN and STUCK exactly where the kernel over the whole span
 * does — so readings recomputed a few intervals at a time find the runs a full recompute finds.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FROZEN, pointChunk, runKernel, STUCK } from '../../calc-engine/index.ts';
import { at, pointData } from './fixtures.ts';

const T0 = at('2024-05-06T00:00');
const STEP = 900_000;
const N = 48;

/** Per interval: 0 moves everything, 1 stands still (frozen), 2 moves the flat tier but not the total (stuck), 3 reading missing. */
const steps = fc.array(fc.constantFrom(0, 1, 1, 2, 2, 3), { minLength: N, maxLength: N });

function point(kinds: number[]) {
  const snaps = [];
  let total = 50_000, flat = 50_000;
  for (let i = 0; i <= N; i++) {
    const k = i === 0 ? 0 : kinds[i - 1]!;
    if (k === 0) (total += 120), (flat += 120);
    if (k === 2) flat += 120;
    if (k === 3) continue;
    const v = new Array<number>(20).fill(0);
    v[0] = total;
    v[3] = flat;
    snaps.push({ ts: T0 + i * STEP, values: v });
  }
  return pointData({ id: 'P' }, [{ meterId: 'm', from: at('2024-01-01T00:00'), capacity: 1e8 }], [], snaps);
}

describe('frozen and stuck runs carried into a window', () => {
  it('flag the same intervals as the kernel over the whole span', () => {
    fc.assert(
      fc.property(steps, fc.integer({ min: 1, max: N - 1 }), (kinds, k) => {
        const p = point(kinds);
        const whole = runKernel(pointChunk([p], T0, N, () => true).chunk);
        const part = runKernel(pointChunk([p], T0 + k * STEP, N - k, () => true).chunk);
        const mask = FROZEN | STUCK;
        const expected = Array.from(whole.flags.subarray(k), (f) => f & mask);
        expect(Array.from(part.flags, (f) => f & mask)).toEqual(expected);
      }),
      { numRuns: 400 },
    );
  });
});
