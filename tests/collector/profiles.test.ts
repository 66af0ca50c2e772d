import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  acrelDtsd1352,
  decodeReading,
  eastronSdm630,
  encodeWords,
  planProfile,
  planRequests,
  simTerminalV1,
  type RegisterBlock,
  type RegisterRange,
} from '../../collector/index.ts';
import { registerIndex } from '../../schema/registers.ts';

/** Build a register image (address → word) and answer the planned requests from it. */
function answer(image: Map<number, number>, plan: RegisterRange[]): RegisterBlock[] {
  return plan.map((r) => ({
    table: r.table,
    address: r.address,
    registers: Array.from({ length: r.count }, (_, i) => image.get(r.address + i) ?? 0),
  }));
}
function put(image: Map<number, number>, address: number, words: number[]): void {
  words.forEach((w, i) => image.set(address + i, w));
}

describe('request planner', () => {
  it('merges sim-terminal-v1 into one request with a generous gap and three without', () => {
    expect(planProfile(simTerminalV1)).toEqual([{ table: 'holding', address: 0, count: 98 }]);
    expect(planProfile(simTerminalV1, { maxGap: 0 })).toEqual([
      { table: 'holding', address: 0, count: 40 },
      { table: 'holding', address: 64, count: 15 },
      { table: 'holding', address: 96, count: 2 },
    ]);
    expect(planProfile(simTerminalV1, { maxGap: 20 })).toEqual([
      { table: 'holding', address: 0, count: 40 },
      { table: 'holding', address: 64, count: 34 },
    ]);
  });

  it('keeps the Acrel map to wanted registers only', () => {
    expect(planProfile(acrelDtsd1352)).toEqual([
      { table: 'holding', address: 0x0a, count: 20 },
      { table: 'holding', address: 0x28, count: 20 },
      { table: 'holding', address: 0x61, count: 6 },
      { table: 'holding', address: 0x16a, count: 2 },
      { table: 'holding', address: 0x17f, count: 1 },
    ]);
  });

  it('covers every wanted register, within 125 registers and the gap bound (property)', () => {
    const range = fc.record({
      table: fc.constantFrom('holding' as const, 'input' as const),
      address: fc.integer({ min: 0, max: 2000 }),
      count: fc.integer({ min: 1, max: 130 }),
    });
    fc.assert(
      fc.property(fc.array(range, { maxLength: 30 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 125 }), (ranges, maxGap, maxCount) => {
        const plan = planRequests(ranges, { maxGap, maxCount });
        for (const p of plan) expect(p.count).toBeLessThanOrEqual(maxCount);
        for (const r of ranges)
          for (let a = r.address; a < r.address + r.count; a++)
            expect(plan.some((p) => p.table === r.table && a >= p.address && a < p.address + p.count)).toBe(true);
        // No request reads a run of more than maxGap unwanted registers.
        for (const p of plan) {
          let run = 0;
          for (let a = p.address; a < p.address + p.count; a++) {
            const wanted = ranges.some((r) => r.table === p.table && a >= r.address && a < r.address + r.count);
            run = wanted ? 0 : run + 1;
            expect(run).toBeLessThanOrEqual(maxGap);
          }
        }
        // Requests never overlap.
        const sorted = [...plan].sort((x, y) => (x.table === y.table ? x.address - y.address : x.table < y.table ? -1 : 1));
        for (let i = 1; i < sorted.length; i++)
          if (sorted[i]!.table === sorted[i - 1]!.table) expect(sorted[i]!.address).toBeGreaterThanOrEqual(sorted[i - 1]!.address + sorted[i - 1]!.count);
      }),
    );
  });
});

describe('profiles decode frames built from their register tables', () => {
  it('sim-terminal-v1 (DESIGN.md §7)', () => {
    const image = new Map<number, number>();
    for (let i = 0; i < 20; i++) put(image, i * 2, encodeWords(123_456_789 + i * 1_000_003, 'uint32'));
    put(image, 64, encodeWords(23012, 'uint32')); // 230.12 V
    put(image, 66, encodeWords(23100, 'uint32'));
    put(image, 68, encodeWords(22999, 'uint32'));
    put(image, 70, encodeWords(5123, 'uint32')); // 5.123 A
    put(image, 72, encodeWords(5000, 'uint32'));
    put(image, 74, encodeWords(4999, 'uint32'));
    put(image, 76, encodeWords(-3500, 'int32')); // exporting 3.5 kW
    put(image, 78, encodeWords(-985, 'int16'));
    put(image, 96, encodeWords(1_735_689_600, 'uint32'));
    const r = decodeReading(simTerminalV1, answer(image, planProfile(simTerminalV1)));
    expect(r.values).toEqual(Array.from({ length: 20 }, (_, i) => 123_456_789 + i * 1_000_003));
    expect(r.instant).toEqual({ ua: 230.12, ub: 231, uc: 229.99, ia: 5.123, ib: 5, ic: 4.999, p: -3500, pf: -0.985 });
    expect(r.clock?.toISOString()).toBe('2025-01-01T00:00:00.000Z');
    expect(r.problems).toEqual([]);
  });

  it('Eastron SDM630: float32 kWh rounded exactly to hundredths', () => {
    const image = new Map<number, number>();
    put(image, 0x00, encodeWords(230.5, 'float32'));
    put(image, 0x02, encodeWords(231.25, 'float32'));
    put(image, 0x04, encodeWords(229.75, 'float32'));
    put(image, 0x06, encodeWords(10.5, 'float32'));
    put(image, 0x08, encodeWords(11, 'float32'));
    put(image, 0x0a, encodeWords(9.25, 'float32'));
    put(image, 0x34, encodeWords(7250, 'float32'));
    put(image, 0x3e, encodeWords(0.5, 'float32'));
    put(image, 0x48, encodeWords(12345.67, 'float32')); // float32 12345.669921875 → 1234567
    put(image, 0x4a, encodeWords(0.01, 'float32'));
    put(image, 0x4c, encodeWords(99999.99, 'float32')); // 99999.9921875 → 9999999
    put(image, 0x4e, encodeWords(0, 'float32'));
    const plan = planProfile(eastronSdm630);
    expect(plan.every((p) => p.table === 'input')).toBe(true);
    const r = decodeReading(eastronSdm630, answer(image, plan));
    expect(r.values[registerIndex('ap_imp.total')]).toBe(1_234_567);
    expect(r.values[registerIndex('ap_exp.total')]).toBe(1);
    expect(r.values[registerIndex('rp_imp.total')]).toBe(9_999_999);
    expect(r.values[registerIndex('rp_exp.total')]).toBe(0);
    expect(r.values[registerIndex('ap_imp.peak')]).toBeNull();
    expect(r.instant).toEqual({ ua: 230.5, ub: 231.25, uc: 229.75, ia: 10.5, ib: 11, ic: 9.25, p: 7250, pf: 0.5 });
  });

  it('Eastron SDM630: every float32 kWh value rounds to its nearest hundredth (property)', () => {
    fc.assert(
      fc.property(fc.float({ min: 0, max: 9_999_999, noNaN: true }), (kwh) => {
        const f = Math.fround(kwh);
        const image = new Map<number, number>();
        put(image, 0x48, encodeWords(f, 'float32'));
        const r = decodeReading(eastronSdm630, answer(image, planProfile(eastronSdm630)));
        const v = r.values[0]!;
        expect(Math.abs(v / 100 - f)).toBeLessThanOrEqual(0.005 + 1e-9);
        expect(Number.isInteger(v)).toBe(true);
      }),
    );
  });

  it('Eastron SDM630: NaN energy is reported, not stored', () => {
    const image = new Map<number, number>();
    put(image, 0x48, [0x7fc0, 0x0000]);
    const r = decodeReading(eastronSdm630, answer(image, planProfile(eastronSdm630)));
    expect(r.values[0]).toBeNull();
    expect(r.problems[0]).toContain('register 72 (ap_imp.total)');
  });

  it('Acrel DTSD1352: TOU registers in 0.01 kWh, 0.1 V, 0.01 A', () => {
    const image = new Map<number, number>();
    // Forward active total/sharp/peak/flat/valley at 000AH: 1000.00 = 100.00 + 300.00 + 400.00 + 200.00 kWh.
    [100000, 10000, 30000, 40000, 20000].forEach((v, i) => put(image, 0x0a + i * 2, encodeWords(v, 'uint32')));
    [555, 0, 555, 0, 0].forEach((v, i) => put(image, 0x14 + i * 2, encodeWords(v, 'uint32')));
    [4_294_967_295, 1, 2, 3, 4].forEach((v, i) => put(image, 0x28 + i * 2, encodeWords(v, 'uint32')));
    [7, 7, 0, 0, 0].forEach((v, i) => put(image, 0x32 + i * 2, encodeWords(v, 'uint32')));
    put(image, 0x61, [2201, 2202, 2203, 1050, 1051, 1052]);
    put(image, 0x16a, encodeWords(-12345, 'int32'));
    put(image, 0x17f, encodeWords(-870, 'int16'));
    // Combined energy at 0000H must not be read into the forward registers.
    put(image, 0x00, encodeWords(999999, 'uint32'));
    const r = decodeReading(acrelDtsd1352, answer(image, planProfile(acrelDtsd1352)));
    expect(r.values.slice(0, 5)).toEqual([100000, 10000, 30000, 40000, 20000]);
    expect(r.values.slice(5, 10)).toEqual([555, 0, 555, 0, 0]);
    expect(r.values.slice(10, 15)).toEqual([4_294_967_295, 1, 2, 3, 4]);
    expect(r.values.slice(15, 20)).toEqual([7, 7, 0, 0, 0]);
    expect(r.instant).toEqual({ ua: 220.1, ub: 220.2, uc: 220.3, ia: 10.5, ib: 10.51, ic: 10.52, p: -12345, pf: -0.87 });
    expect(r.clock).toBeNull();
  });

  it('leaves fields not read as null', () => {
    const r = decodeReading(simTerminalV1, [{ table: 'holding', address: 0, registers: new Array(10).fill(0) }]);
    expect(r.values.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    expect(r.values.slice(5)).toEqual(new Array(15).fill(null));
  });
});
