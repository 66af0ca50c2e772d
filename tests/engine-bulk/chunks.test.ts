import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { chunkPlans } from '../../calc-engine/store/bulk-chunk.ts';
import type { PointPlan } from '../../calc-engine/store/bulk-plan.ts';

const HOUR = 3_600_000;
/** A plan that loads `hours` hours of 15-minute readings (4 × hours + 1 snapshots). */
const plan = (id: number, hours: number) => ({
  archive: { config: { id: `P${id}`, intervalMinutes: 15 } },
  load: [{ from: 0, to: hours * HOUR }],
}) as unknown as PointPlan;

describe('chunkPlans', () => {
  it('keeps every plan once, in order, within the point cap, in at least `writers` chunks', () => {
    fc.assert(fc.property(
      fc.array(fc.integer({ min: 1, max: 800 }), { minLength: 1, maxLength: 3000 }),
      fc.integer({ min: 100, max: 400_000 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 600 }),
      (hours, snapshots, writers, maxPoints) => {
        const plans = hours.map((h, i) => plan(i, h));
        const chunks = chunkPlans(plans, snapshots, writers, maxPoints);
        expect(chunks.flat()).toEqual(plans);
        for (const c of chunks) expect(c.length).toBeGreaterThan(0);
        for (const c of chunks) expect(c.length).toBeLessThanOrEqual(maxPoints);
        expect(chunks.length).toBeGreaterThanOrEqual(Math.min(writers, plans.length));
      }));
  });

  it('splits a dirty hour of 10 000 points (small windows, one snapshot budget) by the point cap', () => {
    const plans = Array.from({ length: 10_000 }, (_, i) => plan(i, 1));
    const chunks = chunkPlans(plans, 300_000, 2, 500);
    expect(chunks).toHaveLength(20);
    expect(chunks.every((c) => c.length === 500)).toBe(true);
  });

  it('balances a full month of 1 000 points by snapshots (about 100 points a chunk)', () => {
    const plans = Array.from({ length: 1000 }, (_, i) => plan(i, 31 * 24));
    const chunks = chunkPlans(plans, 300_000, 2, 500);
    expect(chunks).toHaveLength(10);
    expect(chunks.map((c) => c.length)).toEqual(Array(10).fill(100));
  });
});
