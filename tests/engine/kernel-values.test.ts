/**
 * The kernel's 32-bit value layout: rows stored as offsets from their lowest reading give the
 * same deltas and flags as the raw float64 readings, and readings that do not fit keep float64.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RegisterRange, pointChunk, runKernel, valueLayout, type KernelChunk } from '../../calc-engine/index.ts';
import { at, linearSnapshots, pointData } from './fixtures.ts';

const R = 20;

/** A raw float64 chunk: registers random-walk from `start`, wrap at `capacity`, some snapshots unread. */
const chunkArb = fc
  .record({
    rows: fc.integer({ min: 1, max: 4 }),
    snapshots: fc.integer({ min: 2, max: 40 }),
    capacity: fc.constantFrom(1e6, 1e8, 2 ** 32, 1e10, 1e12),
    seed: fc.integer(),
    gaps: fc.double({ min: 0, max: 0.3, noNaN: true }),
    steps: fc.constantFrom(0, 3, 50, 5_000, 2 ** 31), // 0: frozen rows
  })
  .map(({ rows, snapshots, capacity, seed, gaps, steps }): KernelChunk => {
    let x = seed >>> 0;
    const rnd = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const values = new Float64Array(rows * snapshots * R);
    const present = new Uint8Array(rows * snapshots);
    for (let row = 0; row < rows; row++) {
      const reg = Array.from({ length: R }, () => Math.floor(rnd() * capacity));
      for (let s = 0; s < snapshots; s++) {
        for (let r = 0; r < R; r++) {
          // mostly forward, now and then a decrease, wrapping at the capacity
          const inc = rnd() < 0.05 ? -Math.floor(rnd() * steps) : Math.floor(rnd() * steps);
          reg[r] = (((reg[r]! + inc) % capacity) + capacity) % capacity;
        }
        if (rnd() >= gaps) {
          present[row * snapshots + s] = 1;
          values.set(reg, (row * snapshots + s) * R);
        }
      }
    }
    return {
      rows, snapshots, values, present,
      capacity: new Float64Array(rows).fill(capacity), maxSteps: new Float64Array(rows).fill(steps),
      importOnly: new Uint8Array(rows).fill(1), carriesLoad: new Uint8Array(rows).fill(1),
    };
  });

/** The same chunk in `valueLayout`'s layout, as the chunk builders make it. */
function laidOut(c: KernelChunk): KernelChunk {
  const ranges = Array.from({ length: c.rows * R }, () => new RegisterRange());
  for (let i = 0; i < c.values.length; i++) if (c.present[Math.floor(i / R)]) ranges[Math.floor(i / (c.snapshots * R)) * R + (i % R)]!.add(c.values[i]!);
  const { values, base } = valueLayout(ranges, c.snapshots);
  for (let i = 0; i < values.length; i++) if (c.present[Math.floor(i / R)]) values[i] = c.values[i]! - base[Math.floor(i / (c.snapshots * R)) * R + (i % R)]!;
  return { ...c, values, base };
}

describe('valueLayout', () => {
  it('gives the kernel the same deltas and flags as raw float64 readings', () => {
    fc.assert(
      fc.property(chunkArb, (c) => {
        const narrow = laidOut(c);
        const a = runKernel(c), b = runKernel(narrow);
        expect(Array.from(b.deltas)).toEqual(Array.from(a.deltas));
        expect(Array.from(b.flags)).toEqual(Array.from(a.flags));
      }),
      { numRuns: 300 },
    );
  });
  it('is 32-bit exactly when every register spans fewer than 2^32 steps in integers', () => {
    const range = (...xs: number[]) => { const r = new RegisterRange(); xs.forEach((x) => r.add(x)); return r; };
    expect(valueLayout([range(5, 2 ** 32 + 4)], 1).values).toBeInstanceOf(Uint32Array);
    expect(valueLayout([range(5, 2 ** 32 + 4)], 1).base[0]).toBe(5);
    expect(valueLayout([range(5, 2 ** 32 + 5)], 1).values).toBeInstanceOf(Float64Array);
    expect(valueLayout([range(0, 10), range(1.5)], 1).values).toBeInstanceOf(Float64Array);
    expect(valueLayout([range(), range(7)], 1).values).toBeInstanceOf(Uint32Array);
  });
});

describe('pointChunk', () => {
  const t0 = at('2024-05-01T00:00');
  // a 12+2 digit register far from zero, and one stepping 2^31 hundredths per interval
  const point = (start: number, inc: number) =>
    pointData({ id: 'P', maxIntervalEnergy: 1e12 }, [{ meterId: 'M', from: 0, capacity: 1e14 }], [], linearSnapshots(t0, t0 + 4 * 900_000, 900_000, (i) => start + i * inc));
  const imports = (c: KernelChunk) => Array.from(runKernel(c).deltas.filter((_, i) => i % R === 0));
  it('lays a register far from zero out in 32 bits above its lowest reading', () => {
    const pc = pointChunk([point(3e11, 150)], t0, 4);
    expect(pc.chunk.values).toBeInstanceOf(Uint32Array);
    expect(pc.chunk.base![0]).toBe(3e11);
    expect(imports(pc.chunk)).toEqual([150, 150, 150, 150]);
  });
  it('keeps float64 for a register that spans 2^32 steps in the chunk', () => {
    const pc = pointChunk([point(0, 2 ** 31)], t0, 4);
    expect(pc.chunk.values).toBeInstanceOf(Float64Array);
    expect(imports(pc.chunk)).toEqual([2 ** 31, 2 ** 31, 2 ** 31, 2 ** 31]);
  });
});
