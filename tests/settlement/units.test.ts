/** Decimal rounding, the power-factor tables and the tariff schema. */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { parseArchive, InputError } from '../../schema/index.ts';
import {
  PF_STANDARD_TABLES, decRound, formatDecimal, parseDecimal, parseTariff, pfAdjustmentPercent, powerFactorHundredths, schedulesOf,
} from '../../calc-engine/settlement/index.ts';

const d = parseDecimal;

describe('decimal', () => {
  it('rounds half-up, ties away from zero, exactly', () => {
    expect(formatDecimal(decRound(d('6172.835'), 2))).toBe('6172.84');
    expect(formatDecimal(decRound(d('-6172.835'), 2))).toBe('-6172.84');
    expect(formatDecimal(decRound(d('0.004999'), 2))).toBe('0.00');
    expect(formatDecimal(decRound(d('2.5'), 0))).toBe('3');
    expect(() => d('1e5')).toThrow(/plain decimal/);
  });
});

describe('power factor', () => {
  it('is P/√(P²+Q²) to two decimals, half-up, without floats', () => {
    expect(powerFactorHundredths(d('10000'), d('6000'))).toBe(86); // 0.8575 → 0.86
    expect(powerFactorHundredths(d('12345.67'), d('7000'))).toBe(87); // 0.8699 → 0.87
    expect(powerFactorHundredths(d('100'), d('0'))).toBe(100);
    expect(powerFactorHundredths(d('0'), d('0'))).toBeNull();
    // A net export with reactive energy: no power factor, rather than 0.00 and a 145 % surcharge.
    expect(powerFactorHundredths(d('-50'), d('300'))).toBeNull();
    expect(powerFactorHundredths(d('0'), d('300'))).toBeNull();
    // exactly on a half: P = 0.855·S → rounds up. 3-4-5: P 0.6 → 0.60
    expect(powerFactorHundredths(d('3'), d('4'))).toBe(60);
  });

  it('looks up the shipped tables, extrapolating 2 % per 0.01 below the last row', () => {
    const t90 = PF_STANDARD_TABLES['0.90'];
    expect(formatDecimal(pfAdjustmentPercent(t90, 100))).toBe('-0.75');
    expect(formatDecimal(pfAdjustmentPercent(t90, 90))).toBe('0');
    expect(formatDecimal(pfAdjustmentPercent(t90, 70))).toBe('10.0');
    expect(formatDecimal(pfAdjustmentPercent(t90, 65))).toBe('15');
    expect(formatDecimal(pfAdjustmentPercent(t90, 60))).toBe('25'); // 15 + 5 × 2 (e.g. 0.60 → 25 %)
    expect(formatDecimal(pfAdjustmentPercent(PF_STANDARD_TABLES['0.85'], 94))).toBe('-1.10');
    expect(formatDecimal(pfAdjustmentPercent(PF_STANDARD_TABLES['0.80'], 92))).toBe('-1.30');
    for (const t of Object.values(PF_STANDARD_TABLES)) {
      for (let k = 0; k <= 100; k++) expect(() => pfAdjustmentPercent(t, k)).not.toThrow();
      expect(formatDecimal(pfAdjustmentPercent(t, Math.round(Number(t.standard) * 100)))).toBe('0');
    }
  });
});

describe('tariff spec', () => {
  it('names the tariff and the field of a bad spec', () => {
    const e = (() => {
      try {
        parseTariff({ id: 'BAD', name: 'b', effectiveFrom: '2026-01-01', effectiveTo: null, spec: { energy: { kind: 'single', price: '1e3' }, basic: { kind: 'capacity', pricePerKva: '3' } } });
      } catch (x) {
        return x as InputError;
      }
    })();
    expect(e).toBeInstanceOf(InputError);
    expect(e!.message).toContain('tariff BAD');
    expect(e!.message).toContain('basic.contractedKva');
  });

  it('refuses overlapping tariffs of one schedule', () => {
    const t = (id: string, from: string, to: string | null) => parseTariff({ id, name: id, effectiveFrom: from, effectiveTo: to, spec: { schedule: 'S', energy: { kind: 'single', price: '1' } } });
    expect(() => schedulesOf([t('A', '2026-01-01', null), t('B', '2026-10-16', null)])).toThrow(/overlaps tariff A/);
    expect(schedulesOf([t('A', '2026-01-01', '2026-10-15'), t('B', '2026-10-16', null)]).get('S')!.map((x) => x.id)).toEqual(['A', 'B']);
  });

  it('refuses the same days in force at archive import, there by file, line and field', () => {
    const yaml = [
      'tariffs:',
      '  - { id: A, name: a, schedule: S, effectiveFrom: 2026-01-01, energy: { kind: single, price: 1 } }',
      '  - { id: B, name: b, schedule: S, effectiveFrom: 2026-10-16, energy: { kind: single, price: 1 } }',
      '  - { id: C, name: c, effectiveFrom: 2026-05-01, effectiveTo: 2026-04-30, energy: { kind: single, price: 1 } }',
    ].join('\n');
    expect(() => parseArchive(yaml, 'days.yaml')).toThrow([
      'days.yaml:4: tariffs[2].effectiveTo: is before effectiveFrom',
      'days.yaml:3: tariffs[1].effectiveFrom: overlaps tariff A of schedule S; end A (effectiveTo) the day before',
    ].join('\n'));
    const stored = { id: 'C', name: 'c', effectiveFrom: '2026-05-01', effectiveTo: '2026-04-30', spec: { energy: { kind: 'single', price: '1' } } };
    expect(() => parseTariff(stored)).toThrow('tariff C: effectiveTo: is before effectiveFrom');
  });

  it('accepts the example tariffs and the tariff of examples/archive.yaml', () => {
    const files = readdirSync('examples/tariffs').filter((f) => f.endsWith('.yaml')).map((f) => `examples/tariffs/${f}`);
    expect(files.length).toBeGreaterThan(0);
    for (const file of [...files, 'examples/archive.yaml']) {
      const a = parseArchive(readFileSync(file, 'utf8'), file, { point: new Set(['F1', 'F2']) });
      for (const { id, name, effectiveFrom, effectiveTo, ...spec } of a.tariffs) {
        expect(() => parseTariff({ id, name, effectiveFrom, effectiveTo: effectiveTo ?? null, spec })).not.toThrow();
      }
    }
  });
});
