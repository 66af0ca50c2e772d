/**
 * The kernel's 32-bit value layout: registers stored as offsets from their first reading give the
 * same deltas and flags as the raw float64 readings, and readings that do not fit keep float64.
 * Both against a plain interval-by-interval reference of the deltas, so that a slip in the
 * kernel's own loop (its carried readings) cannot hide behind agreeing with itself.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChunkValues, INACTIVE, MISSING, WIDE, pointChunk, runKernel, type KernelChunk } from '../../calc-engine/index.ts';
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
    active: fc.boolean(), // rows counted over part of the chunk only, as a meter swap's rows are
  })
  .map(({ rows, snapshots, capacity, seed, gaps, steps, active }): KernelChunk => {
    let x = seed >>> 0;
    const rnd = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const values = new Float64Array(rows * snapshots * R);
    const present = new Uint8Array(rows * snapshots);
    for (let row = 0; row < rows; row++) {
      const reg = Array.from({ length: R }, () => Math.floor(rnd() * capacity));
      for (let s = 0; s < snapshots; s++) {
        for (let r = 0; r < R; r++) {
          // mostly forward, now and then a decrease or (on registers of more than ten digits) a
          // jump beyond 32 bits, wrapping at the capacity
          const u = rnd();
          const inc = u < 0.05 ? -Math.floor(rnd() * steps) : u < 0.07 && capacity > 2 ** 33 ? 2 ** 32 + Math.floor(rnd() * 2 ** 32) : Math.floor(rnd() * steps);
          reg[r] = (((reg[r]! + inc) % capacity) + capacity) % capacity;
        }
        if (rnd() >= gaps) {
          present[row * snapshots + s] = 1;
          values.set(reg, (row * snapshots + s) * R);
        }
      }
    }
    const I = snapshots - 1;
    const activeFrom = Int32Array.from({ length: rows }, () => Math.floor(rnd() * I));
    const activeTo = activeFrom.map((a) => a + 1 + Math.floor(rnd() * (I - a)));
    return {
      rows, snapshots, values, present,
      capacity: new Float64Array(rows).fill(capacity), maxSteps: new Float64Array(rows).fill(steps),
      importOnly: new Uint8Array(rows).fill(1), carriesLoad: new Uint8Array(rows).fill(1),
      ...(active ? { activeFrom, activeTo } : {}),
    };
  });

/** Deltas the plain way, interval by interval from the raw readings (a flagged interval keeps its energy, as in the kernel). */
function referenceDeltas(c: KernelChunk): { deltas: number[]; flags: number[] } {
  const I = c.snapshots - 1;
  const deltas: number[] = [], flags: number[] = [];
  for (let row = 0; row < c.rows; row++) {
    for (let j = 0; j < I; j++) {
      const s = row * c.snapshots + j;
      const inactive = j < (c.activeFrom?.[row] ?? 0) || j >= (c.activeTo?.[row] ?? I);
      const missing = !c.present[s] || !c.present[s + 1];
      const ds: number[] = [];
      for (let r = 0; r < R; r++) {
        let d = 0;
        if (!inactive && !missing) {
          d = c.values[(s + 1) * R + r]! - c.values[s * R + r]!;
          if (d < 0) {
            d += c.capacity[row]!; // a wrap, when within the maximum; else a decrease, no energy
            if (d < 0 || d > c.maxSteps[row]!) d = 0;
          }
        }
        ds.push(d);
      }
      // beyond 32 bits the kernel's deltas do not hold it: flagged for the figure path, not compared
      const wide = ds.some((d) => d > 0xffff_ffff);
      flags.push(inactive ? INACTIVE : missing ? MISSING : wide ? WIDE : 0);
      deltas.push(...(wide ? new Array<number>(R).fill(-1) : ds));
    }
  }
  return { deltas, flags };
}

/** The same chunk as the chunk builders lay it out (`ChunkValues`), a reading or a snapshot at a time. */
function laidOut(c: KernelChunk, bySnapshot: boolean): KernelChunk {
  const values = new ChunkValues(c.rows, c.snapshots);
  const raw = Float64Array.from(c.values);
  for (let i = 0; i < c.rows * c.snapshots; i++) {
    if (!c.present[i]) continue;
    const row = Math.floor(i / c.snapshots), s = i % c.snapshots;
    if (bySnapshot) values.putSnapshot(row, s, raw, i * R);
    else for (let r = 0; r < R; r++) values.put(row, s, r, raw[i * R + r]!);
  }
  return { ...c, ...values.layout() };
}

describe('ChunkValues', () => {
  it('gives the kernel the same deltas and flags as raw float64 readings', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(chunkArb, fc.boolean(), (c, bySnapshot) => {
        const narrow = laidOut(c, bySnapshot);
        seen.add(narrow.values.constructor.name);
        if (narrow.values instanceof Float64Array && runKernel(narrow).flags.some((f) => f & WIDE)) seen.add('WIDE');
        const a = runKernel(c), b = runKernel(narrow);
        expect(Array.from(b.deltas)).toEqual(Array.from(a.deltas));
        expect(Array.from(b.flags)).toEqual(Array.from(a.flags));
        const ref = referenceDeltas(c);
        expect(Array.from(a.deltas, (d, i) => (ref.deltas[i] === -1 ? -1 : d))).toEqual(ref.deltas);
        expect(Array.from(a.flags, (f) => f & (INACTIVE | MISSING | WIDE))).toEqual(ref.flags);
      }),
      { numRuns: 300 },
    );
    expect([...seen].sort()).toEqual(['Float64Array', 'Int32Array', 'WIDE']);
  });
  it("is 32-bit exactly while every offset from a register's first reading is a 32-bit integer", () => {
    const layout = (...xs: number[]) => { const v = new ChunkValues(1, xs.length); xs.forEach((x, s) => v.put(0, s, 3, x)); return v.layout(); };
    const fits = layout(2 ** 31 + 7, 7, 2 ** 32 + 6);
    expect(fits.values).toBeInstanceOf(Int32Array);
    expect(fits.base[3]).toBe(2 ** 31 + 7);
    expect(Array.from(fits.values.filter((_, i) => i % R === 3))).toEqual([0, -(2 ** 31), 2 ** 31 - 1]);
    // one step further either way, or a fraction: float64, raw readings, bases 0
    for (const wide of [layout(2 ** 31 + 7, 6), layout(2 ** 31 + 7, 2 ** 32 + 7), layout(10, 11.5)]) {
      expect(wide.values).toBeInstanceOf(Float64Array);
      expect(wide.base.every((b) => b === 0)).toBe(true);
    }
    expect(Array.from(layout(5, 2 ** 32 + 5, 9).values.filter((_, i) => i % R === 3))).toEqual([5, 2 ** 32 + 5, 9]);
    expect(layout().values).toBeInstanceOf(Int32Array);
  });
});

describe('pointChunk', () => {
  const t0 = at('2024-05-01T00:00');
  // a 12+2 digit register far from zero, and one stepping 2^31 hundredths per interval
  const point = (start: number, inc: number) =>
    pointData({ id: 'P', maxIntervalEnergy: 1e12 }, [{ meterId: 'M', from: 0, capacity: 1e14 }], [], linearSnapshots(t0, t0 + 4 * 900_000, 900_000, (i) => start + i * inc));
  const imports = (c: KernelChunk) => Array.from(runKernel(c).deltas.filter((_, i) => i % R === 0));
  it('lays a register far from zero out in 32 bits above its first reading', () => {
    const pc = pointChunk([point(3e11, 150)], t0, 4);
    expect(pc.chunk.values).toBeInstanceOf(Int32Array);
    expect(pc.chunk.base![0]).toBe(3e11);
    expect(imports(pc.chunk)).toEqual([150, 150, 150, 150]);
  });
  it('keeps float64 for a register that moves 2^31 steps or more from its first reading in the chunk', () => {
    const pc = pointChunk([point(0, 2 ** 30)], t0, 4);
    expect(pc.chunk.values).toBeInstanceOf(Float64Array);
    expect(imports(pc.chunk)).toEqual([2 ** 30, 2 ** 30, 2 ** 30, 2 ** 30]);
  });
});
