/**
 * Property (fast-check): the intervals a dirty range recomputes lie on the point's grid, reach two
 * intervals either side of the range (a reading changes the spike verdict of the interval beyond
 * the two it ends and starts), and stop at a settled month's edge — in a zone off the hour too,
 * where a month starts at hh:30 and an hourly point's interval straddles it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dirtyWindow, WINDOW_REACH_INTERVALS } from '../../calc-engine/tasks/index.ts';

const MIN = 60_000;
const T = Date.parse('2026-10-31T18:30:00Z'); // 1 November 00:00 in Asia/Kolkata (UTC+05:30)

describe('dirtyWindow', () => {
  it('is on the grid, two intervals either side, short of a locked month', () => {
    fc.assert(
      fc.property(fc.constantFrom(5, 15, 30, 60), fc.integer({ min: -400, max: 400 }), fc.integer({ min: 0, max: 200 }), fc.option(fc.integer({ min: 0, max: 300 })), fc.option(fc.integer({ min: 0, max: 300 })),
        (minutes, a, len, before, after) => {
          const dt = minutes * MIN;
          const from = T + a * 15 * MIN, to = from + len * 5 * MIN;
          const range = { from: new Date(from), to: new Date(to),
            ...(before !== null ? { lockedTo: new Date(from - before * 15 * MIN) } : {}),
            ...(after !== null ? { lockedFrom: new Date(to + after * 15 * MIN) } : {}) };
          const w = dirtyWindow(range, dt);
          expect(w.from % dt).toBe(0);
          expect(w.to % dt).toBe(0);
          const reach = WINDOW_REACH_INTERVALS * dt;
          // the whole reach where no lock is near; else the lock's edge, or the interval it cuts
          expect(w.from).toBe(Math.max(Math.floor(from / dt) * dt - reach, before !== null ? Math.floor((from - before * 15 * MIN) / dt) * dt : -Infinity));
          expect(w.to).toBe(Math.min(Math.ceil(to / dt) * dt + reach, after !== null ? Math.floor((to + after * 15 * MIN) / dt) * dt : Infinity));
          expect(w.from).toBeLessThanOrEqual(from);
          // no interval ending in a locked month (after its start) is recomputed
          if (after !== null) expect(w.to).toBeLessThanOrEqual(to + after * 15 * MIN);
        }),
      { numRuns: 500 },
    );
  });

  it('recomputes the hour a Kolkata month edge cuts after a settled month, and leaves it before one', () => {
    // The hour (18:00Z, 19:00Z] straddles 1 November 00:00 local (18:30Z) and ends in November.
    // October settled, a reading at 20:00Z: recomputed from that hour on, not (17:00Z, 18:00Z].
    const after = dirtyWindow({ from: new Date('2026-10-31T20:00:00Z'), to: new Date('2026-10-31T20:00:00Z'), lockedTo: new Date(T) }, 60 * MIN);
    expect([new Date(after.from).toISOString(), new Date(after.to).toISOString()]).toEqual(['2026-10-31T18:00:00.000Z', '2026-10-31T22:00:00.000Z']);
    // November settled, a reading at 17:00Z: recomputed up to 18:00Z, that hour is November's.
    const before = dirtyWindow({ from: new Date('2026-10-31T17:00:00Z'), to: new Date('2026-10-31T17:00:00Z'), lockedFrom: new Date(T) }, 60 * MIN);
    expect([new Date(before.from).toISOString(), new Date(before.to).toISOString()]).toEqual(['2026-10-31T15:00:00.000Z', '2026-10-31T18:00:00.000Z']);
  });
});
