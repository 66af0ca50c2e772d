/** Property tests (fast-check) of the energy rules. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  dailyEnergy, energyContext, intervalEnergies, monthDailyEnergies, monthlyEnergy, pointChunk, ratAdd, ratMul, rational, ratSum, runKernel,
  spanEnergy, statisticalScheme, dayPeriod, monthDays, INACTIVE, MISSING, type Rational,
} from '../../calc-engine/index.ts';
import { REGISTER_COUNT } from '../../schema/registers.ts';
import { at, linearSnapshots, pointData, regs } from './fixtures.ts';
import { pointArb } from './gen.ts';

const sumTruth = (truth: Rational[][], a: number, b: number, r: number): Rational => ratSum(truth.slice(a, b).map((e) => e[r]!));

describe('energy is conserved across replacement, CT/PT change and rollover', () => {
  const arb = pointArb({ t0: at('2024-03-30T00:00'), minutes: 60, intervals: 72 });
  it('any window equals the true energy, register by register', () => {
    fc.assert(
      fc.property(arb, fc.integer({ min: 0, max: 72 }), fc.integer({ min: 0, max: 72 }), (g, x, y) => {
        const [a, b] = x <= y ? [x, y] : [y, x];
        const f = spanEnergy(g.point, g.t0 + a * g.stepMs, g.t0 + b * g.stepMs);
        for (let r = 0; r < REGISTER_COUNT; r++) {
          expect(f.registers[r]!.quality.kind).toBe('actual');
          expect(f.registers[r]!.energy).toEqual(sumTruth(g.trueEnergy, a, b, r));
        }
      }),
      { numRuns: 60 },
    );
  });
  it('interval energies add up to the window', () => {
    fc.assert(
      fc.property(arb, (g) => {
        const ctx = energyContext([g.point]);
        const ivs = intervalEnergies(ctx, 'G', g.t0, g.t0 + g.intervals * g.stepMs);
        expect(ivs).toHaveLength(g.intervals);
        ivs.forEach((f, j) => expect(f.registers[0]!.energy).toEqual(g.trueEnergy[j]![0]));
      }),
      { numRuns: 30 },
    );
  });
  it('the kernel agrees with the figure path: Σ rows delta × M = true interval energy', () => {
    fc.assert(
      fc.property(arb, (g) => {
        const pc = pointChunk([g.point], g.t0, g.intervals);
        const res = runKernel(pc.chunk);
        for (let j = 0; j < g.intervals; j++) {
          for (let r = 0; r < REGISTER_COUNT; r += 3) {
            let e = rational(0);
            for (let row = 0; row < pc.chunk.rows; row++) {
              const fl = res.flags[row * g.intervals + j]!;
              expect(fl & MISSING).toBe(0);
              if (fl & INACTIVE) continue;
              e = ratAdd(e, ratMul(rational(res.deltas[(row * g.intervals + j) * REGISTER_COUNT + r]!), pc.rowEnergy[row]!.multiplier));
            }
            expect(e).toEqual(g.trueEnergy[j]![r]);
          }
        }
      }),
      { numRuns: 40 },
    );
  });
});

describe('calendar', () => {
  const zones = ['Europe/Berlin', 'America/New_York'];
  it('days across DST add up to the true energy (23/24/25 h days)', () => {
    const hour = 3_600_000;
    const arb = fc
      .tuple(fc.constantFrom(...zones), fc.constantFrom('2024-03-08', '2024-03-29', '2024-10-25', '2024-11-01'), fc.integer({ min: 0, max: 6 }))
      .chain(([zone, startDate, dayStartHour]) =>
        pointArb({ t0: at(`${startDate}T00:00`, zone), minutes: 60, intervals: 24 * 5, zone, maxCuts: 2 }).map((g) => ({ zone, startDate, dayStartHour, g })),
      );
    fc.assert(
      fc.property(arb, ({ zone, startDate, dayStartHour, g }) => {
        const s = statisticalScheme({ dayStartHour, monthCloseHour: dayStartHour });
        const ctx = energyContext([g.point]);
        const days = [1, 2, 3].map((k) => new Date(Date.parse(`${startDate}T12:00Z`) + k * 86_400_000).toISOString().slice(0, 10));
        let total = rational(0);
        for (const d of days) {
          const p = dayPeriod(s, zone, d);
          expect([23, 24, 25]).toContain((p.to - p.from) / hour);
          total = ratAdd(total, dailyEnergy(ctx, s, 'G', d).registers[0]!.energy!);
        }
        const a = (dayPeriod(s, zone, days[0]!).from - g.t0) / hour;
        const b = (dayPeriod(s, zone, days[2]!).to - g.t0) / hour;
        expect(total).toEqual(sumTruth(g.trueEnergy, a, b, 0));
      }),
      { numRuns: 40 },
    );
  });

  it("the sum of a month's days equals the month exactly", () => {
    const hour = 3_600_000;
    const zone = 'America/New_York';
    // the register starts near its capacity so one month wraps; a month stays below C (two
    // readings cannot tell how many times a register wrapped between them)
    const P = pointData({ id: 'P', intervalMinutes: 60, zone }, [{ meterId: 'M', from: 0, capacity: 1e8 }], [],
      linearSnapshots(at('2023-12-01T00:00', zone), at('2024-06-01T00:00', zone), hour, (i) => (99_000_000 + i * 7_919 + (i % 5) * 13) % 1e8));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 28 }), fc.integer({ min: 0, max: 23 }), fc.constantFrom('start' as const, 'end' as const), fc.constantFrom('2024-02', '2024-03', '2024-04'), (closeDay, hourOfDay, label, month) => {
        const s = statisticalScheme({ monthCloseDay: closeDay, dayStartHour: hourOfDay, monthCloseHour: hourOfDay, monthLabel: label });
        const ctx = energyContext([P]);
        const m = monthlyEnergy(ctx, s, 'P', month);
        const days = monthDailyEnergies(ctx, s, 'P', month);
        expect(days.length).toBe(monthDays(s, zone, month).length);
        expect(days[0]!.from).toBe(m.from);
        expect(days[days.length - 1]!.to).toBe(m.to);
        expect(ratSum(days.map((d) => d.registers[0]!.energy!))).toEqual(m.registers[0]!.energy);
      }),
      { numRuns: 30 },
    );
  });
});

describe('bypass', () => {
  // P's meter stands still while B carries it; B idles outside the window.
  const hour = 3_600_000;
  const t0 = at('2024-03-10T00:00');
  it('moves the window energy from B to P: P + B is conserved, days add up to the month', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 60 }), fc.array(fc.integer({ min: 0, max: 900 }), { minLength: 24 * 8, maxLength: 24 * 8 }), (startH, lenH, incs) => {
        const w0 = t0 + startH * hour;
        const w1 = w0 + lenH * hour;
        let rp = 5_000;
        let rb = 999_000;
        const ps = [], bs = [];
        for (let i = 0; i <= 24 * 8; i++) {
          const t = t0 + i * hour;
          ps.push({ ts: t, values: regs({ 'ap_imp.total': rp }) });
          bs.push({ ts: t, values: regs({ 'ap_imp.total': rb }) });
          if (i === 24 * 8) break;
          if (t >= w0 && t < w1) rb = (rb + incs[i]!) % 1e6; else rp += incs[i]!;
        }
        const P = pointData({ id: 'P', intervalMinutes: 60 }, [{ meterId: 'mp', from: 0, capacity: 1e6 }], [], ps);
        const B = pointData({ id: 'B', intervalMinutes: 60 }, [{ meterId: 'mb', from: 0, capacity: 1e6 }], [], bs);
        const ctx = energyContext([P, B], [{ feederId: 'P', bypassId: 'B', from: w0, to: w1 }]);
        const a = t0, b = t0 + 24 * 8 * hour;
        const raw = ratAdd(spanEnergy(P, a, b).registers[0]!.energy!, spanEnergy(B, a, b).registers[0]!.energy!);
        const pe = dailyDays(ctx, 'P'), be = dailyDays(ctx, 'B');
        expect(ratAdd(pe, be)).toEqual(raw);
        expect(be).toEqual(rational(0));
        expect(pe).toEqual(rational(incs.reduce((x, y) => x + y, 0)));
      }),
      { numRuns: 50 },
    );
    function dailyDays(ctx: ReturnType<typeof energyContext>, id: string): Rational {
      const s = statisticalScheme();
      const days = ['2024-03-10', '2024-03-11', '2024-03-12', '2024-03-13', '2024-03-14', '2024-03-15', '2024-03-16', '2024-03-17'];
      return ratSum(days.map((d) => dailyEnergy(ctx, s, id, d).registers[0]!.energy!));
    }
  });
});

describe('recomputing twice changes nothing', () => {
  const arb = pointArb({ t0: at('2024-10-25T00:00'), minutes: 60, intervals: 96 });
  it('figures and kernel output are deterministic, reused buffers included', () => {
    fc.assert(
      fc.property(arb, (g) => {
        const ctx = energyContext([g.point]);
        const s = statisticalScheme();
        const once = ['2024-10-26', '2024-10-27'].map((d) => dailyEnergy(ctx, s, 'G', d));
        const twice = ['2024-10-26', '2024-10-27'].map((d) => dailyEnergy(ctx, s, 'G', d));
        expect(twice).toEqual(once);
        const pc = pointChunk([g.point], g.t0, g.intervals);
        const first = runKernel(pc.chunk);
        const copy = { intervals: first.intervals, deltas: first.deltas.slice(), flags: first.flags.slice() };
        const again = runKernel(pc.chunk, undefined, first);
        expect(again.deltas).toEqual(copy.deltas);
        expect(again.flags).toEqual(copy.flags);
      }),
      { numRuns: 25 },
    );
  });
});
