/**
 * Properties of the pure settlement core: a statement's total is the sum of its rounded lines,
 * each line is quantity × price × factor rounded half-up; the amounts do not depend on the order
 * of member rows; a re-settlement of unchanged figures differs by zero; split windows add up to
 * the month exactly.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { REGISTER_COLUMNS } from '../../schema/index.ts';
import {
  addFigures, attributeEnergy, computeStatement, decMul, decRound, decSum, differenceStatement, formatDecimal, parseDecimal, parseTariff,
  zeroFigures, type MemberFigure, type RegisterFigures, type StatementInput, type Tariff, type TariffSpan,
} from '../../calc-engine/settlement/index.ts';

const energy = fc.bigInt({ min: 0n, max: 10_000_000_00n }).map((u) => ({ units: u, scale: 2 }));
const priceText = fc.integer({ min: 0, max: 99_999 }).map((n) => `0.${String(n).padStart(5, '0')}`);
const figures = fc.record(Object.fromEntries(REGISTER_COLUMNS.map((c) => [c, energy]))) as fc.Arbitrary<RegisterFigures>;
const member = fc.record({ pointId: fc.string({ minLength: 1, maxLength: 6 }), sign: fc.constantFrom<1 | -1>(1, -1), energy: figures })
  .map((m): MemberFigure => ({ ...m, quality: 'actual' }));

const tariffArb = fc.record({
  tou: fc.boolean(), p: fc.array(priceText, { minLength: 4, maxLength: 4 }), basic: fc.constantFrom('none', 'capacity', 'demand'),
  kva: fc.integer({ min: 1, max: 50_000 }), pf: fc.constantFrom(undefined, '0.90', '0.85', '0.80'),
}).map(({ tou, p, basic, kva, pf }): Tariff => parseTariff({
  id: 'T', name: 'T', effectiveFrom: '2026-01-01', effectiveTo: null,
  spec: {
    energy: tou ? { sharp: p[0], peak: p[1], flat: p[2], valley: p[3] } : { kind: 'single', price: p[0] },
    ...(basic === 'capacity' ? { basic: { kind: 'capacity', pricePerKva: '3.20', contractedKva: kva } } : {}),
    ...(basic === 'demand' ? { basic: { kind: 'demand', pricePerKw: '41.50' } } : {}),
    ...(pf ? { powerFactor: { standard: pf } } : {}),
  },
}));

function inputOf(t: Tariff, members: readonly MemberFigure[], days: [number, number] | null): StatementInput {
  const total = members.reduce((acc, m) => addFigures(acc, m.energy, m.sign), zeroFigures());
  const spans: TariffSpan[] = days
    ? [{ tariff: t, firstDay: '2026-10-01', lastDay: '2026-10-10', days: days[0] }, { tariff: { ...t, id: 'T2' }, firstDay: '2026-10-11', lastDay: '2026-10-31', days: days[1] }]
    : [{ tariff: t, firstDay: '2026-10-01', lastDay: '2026-10-31', days: 31 }];
  const { windows } = attributeEnergy(total, spans, 31, 'prorate', () => undefined);
  return { accountId: 'A', accountName: 'A', month: '2026-10', monthDays: 31, energy: total, windows, demandKw: parseDecimal('123.456'), members: [...members], warnings: [] };
}

const json = (v: unknown) => JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? x.toString() : x));
const split = fc.integer({ min: 1, max: 30 }).map((d): [number, number] => [d, 31 - d]);

describe('settlement properties', () => {
  it('the total equals the sum of the rounded lines, each rounded half-up', () => {
    fc.assert(fc.property(tariffArb, fc.array(member, { minLength: 1, maxLength: 4 }), fc.option(split, { nil: null }), (t, members, days) => {
      const s = computeStatement(inputOf(t, members, days));
      expect(formatDecimal(s.total)).toBe(formatDecimal(decSum(s.lines.map((l) => l.amount))));
      for (const l of s.lines) {
        expect(l.amount.scale).toBe(2);
        if (!l.factor) expect(formatDecimal(l.amount)).toBe(formatDecimal(decRound(decMul(l.quantity, l.price), 2)));
      }
    }), { numRuns: 300 });
  });

  it('amounts never depend on the order of the member rows', () => {
    fc.assert(fc.property(tariffArb, fc.array(member, { minLength: 1, maxLength: 6 }), fc.option(split, { nil: null }), fc.infiniteStream(fc.nat()), (t, members, days, rnd) => {
      const shuffled = [...members];
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = rnd.next().value % (i + 1);
        [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
      }
      const a = computeStatement(inputOf(t, members, days));
      const b = computeStatement(inputOf(t, shuffled, days));
      expect(json(b.lines)).toBe(json(a.lines));
      expect(formatDecimal(b.total)).toBe(formatDecimal(a.total));
    }), { numRuns: 200 });
  });

  it('re-settling unchanged figures gives a zero difference', () => {
    fc.assert(fc.property(tariffArb, fc.array(member, { minLength: 1, maxLength: 3 }), fc.option(split, { nil: null }), (t, members, days) => {
      const v1 = computeStatement(inputOf(t, members, days));
      const v2 = computeStatement(inputOf(t, members, days));
      const d = differenceStatement(v1, v2, 1);
      expect(d.lines.every((l) => l.amount.units === 0n && l.quantity.units === 0n)).toBe(true);
      expect(d.total.units).toBe(0n);
    }), { numRuns: 200 });
  });

  it('tariff windows add up exactly to the month, prorated or split', () => {
    fc.assert(fc.property(figures, split, fc.constantFrom<'split' | 'prorate'>('split', 'prorate'), figures, (month, [d1, d2], mode, perDay) => {
      const t = parseTariff({ id: 'T', name: 'T', effectiveFrom: '2026-01-01', effectiveTo: null, spec: { energy: { kind: 'single', price: '1' } } });
      const spans: TariffSpan[] = [{ tariff: t, firstDay: '2026-10-01', lastDay: `2026-10-${String(d1).padStart(2, '0')}`, days: d1 }, { tariff: t, firstDay: '', lastDay: '2026-10-31', days: d2 }];
      const { windows, missingDays } = attributeEnergy(month, spans, 31, mode, () => perDay);
      expect(missingDays).toEqual([]);
      const sum = windows.reduce((acc, w) => addFigures(acc, w.energy), zeroFigures());
      for (const c of REGISTER_COLUMNS) expect(formatDecimal(decRound(sum[c], 2))).toBe(formatDecimal(decRound(month[c], 2)));
    }), { numRuns: 200 });
  });
});
