/**
 * Worked examples with hand-checked totals. Every figure in the comments was computed by hand:
 * each line is quantity × price (× days factor), rounded half-up to 0.01; totals are the sums of
 * the rounded lines.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Database } from '../../schema/index.ts';
import { formatDecimal, settleMonth, type Statement } from '../../calc-engine/settlement/index.ts';
import { dbTargets, freshDatabase } from '../support/db.ts';
import { fixture } from './fixture.ts';

const TOU_A = { energy: { sharp: '0.2150', peak: '0.1820', flat: '0.1240', valley: '0.0610' }, basic: { kind: 'capacity', pricePerKva: '3.20', contractedKva: 2000 } };
const TOU_B = { energy: { sharp: '0.2300', peak: '0.1950', flat: '0.1300', valley: '0.0650' }, basic: { kind: 'capacity', pricePerKva: '3.20', contractedKva: 2000 } };

const lines = (s: Statement) => s.lines.map((l) => [l.code, l.tariffId, formatDecimal(l.quantity), formatDecimal(l.price), formatDecimal(l.amount)]);

describe.each(dbTargets())('worked examples on $name', (target) => {
  let h: Database;
  const by = new Map<string, Statement>();

  beforeAll(async () => {
    h = await freshDatabase(target);
    const f = fixture(h);

    // 1. TOU with a meter swap on 16 Oct. Point SWAP has CT 40 × PT 100: M = 4000.
    //    Old meter 1 Oct → swap, tiers sharp/peak/flat/valley: +0.25 +0.80 +1.00 +1.50 → × 4000 = 1000, 3200, 4000, 6000
    //    New meter swap → 1 Nov (from 0):                      +0.20 +0.70 +0.90 +1.25 → × 4000 =  800, 2800, 3600, 5000
    //    The engine's monthly figure already adds both pieces: 1800, 6000, 7600, 11000 (total 26400 kWh).
    await f.point('SWAP', { ct: '40', pt: '100' });
    await f.tariff('TOU-A', '2026-01-01', null, TOU_A);
    await f.account('A-SWAP', 'TOU-A', [['SWAP', 1]]);
    await f.monthly('SWAP', '2026-10', { ap_imp_total: '26400.00', ap_imp_sharp: '1800.00', ap_imp_peak: '6000.00', ap_imp_flat: '7600.00', ap_imp_valley: '11000.00', rp_imp_total: '9000.00' });

    // 2a. Demand from the meter's demand register: D1 with CT 100; 2 345 W secondary → 234.5 kW.
    await f.point('D1', { ct: '100' });
    await f.tariff('DEM-R', '2026-01-01', null, { energy: { kind: 'single', price: '0.1500' }, basic: { kind: 'demand', pricePerKw: '40.00', source: 'register' } });
    await f.account('A-DEM-R', 'DEM-R', [['D1', 1]]);
    await f.monthly('D1', '2026-10', { ap_imp_total: '50000.00' });
    await f.demand('D1', '2026-10', 'ap_imp.total', 2345, '2026-10-14T10:15:00Z');

    // 2b. Demand computed from 15-min intervals, coincident over a main meter and a sub-meter:
    //     10:15 → 40 − 5 = 35 kWh; 10:30 → 50 − 30 = 20 kWh; max 35 kWh × 4 = 140 kW (not 50 × 4 = 200).
    await f.point('DM');
    await f.point('DS');
    await f.tariff('DEM-I', '2026-01-01', null, { energy: { kind: 'single', price: '0.1500' }, basic: { kind: 'demand', pricePerKw: '40.00', source: 'intervals' } });
    await f.account('A-DEM-I', 'DEM-I', [['DM', 1], ['DS', -1]]);
    await f.monthly('DM', '2026-10', { ap_imp_total: '3000.00' });
    await f.monthly('DS', '2026-10', { ap_imp_total: '500.00' });
    await f.interval('DM', '2026-10-20T10:15:00Z', '40.00');
    await f.interval('DM', '2026-10-20T10:30:00Z', '50.00');
    await f.interval('DS', '2026-10-20T10:15:00Z', '5.00');
    await f.interval('DS', '2026-10-20T10:30:00Z', '30.00');

    // 3. Power factor, table 0.90, reactive forward only.
    await f.tariff('PF90', '2026-01-01', null, { energy: { kind: 'single', price: '0.5000' }, powerFactor: { standard: '0.90', reactive: 'import' } });
    //    Penalty: P 12 345.67, Q 7 000 → PF 0.8699 → 0.87 → +1.5 %.
    await f.point('PFP');
    await f.account('A-PF-PEN', 'PF90', [['PFP', 1]]);
    await f.monthly('PFP', '2026-10', { ap_imp_total: '12345.67', rp_imp_total: '7000.00' });
    //    Bonus: P 10 000, Q 3 000 → PF 0.9578 → 0.96 → −0.75 %.
    await f.point('PFB');
    await f.account('A-PF-BON', 'PF90', [['PFB', 1]]);
    await f.monthly('PFB', '2026-10', { ap_imp_total: '10000.00', rp_imp_total: '3000.00' });

    // 4a. Tariff change on 16 Oct, split by the days' figures: every day sharp 10, peak 20, flat 30, valley 40.
    await f.tariff('TOU-A1', '2026-01-01', '2026-10-15', { ...TOU_A, schedule: 'TOU-SPLIT' });
    await f.tariff('TOU-B1', '2026-10-16', null, { ...TOU_B, schedule: 'TOU-SPLIT', midMonth: 'split' });
    await f.point('CH');
    await f.account('A-CHANGE-SPLIT', 'TOU-B1', [['CH', 1]]);
    await f.monthly('CH', '2026-10', { ap_imp_total: '3100.00', ap_imp_sharp: '310.00', ap_imp_peak: '620.00', ap_imp_flat: '930.00', ap_imp_valley: '1240.00' });
    for (let d = 1; d <= 31; d++) await f.daily('CH', `2026-10-${String(d).padStart(2, '0')}`, { ap_imp_total: '100.00', ap_imp_sharp: '10.00', ap_imp_peak: '20.00', ap_imp_flat: '30.00', ap_imp_valley: '40.00' });

    // 4b. The same change prorated by days: monthly sharp 100, peak 200, flat 300, valley 400.
    await f.tariff('TOU-A2', '2026-01-01', '2026-10-15', { ...TOU_A, schedule: 'TOU-PRORATE' });
    await f.tariff('TOU-B2', '2026-10-16', null, { ...TOU_B, schedule: 'TOU-PRORATE', midMonth: 'prorate' });
    await f.point('CP');
    await f.account('A-CHANGE-PRORATE', 'TOU-A2', [['CP', 1]]);
    await f.monthly('CP', '2026-10', { ap_imp_total: '1000.00', ap_imp_sharp: '100.00', ap_imp_peak: '200.00', ap_imp_flat: '300.00', ap_imp_valley: '400.00' });

    // 5. A sub-meter subtracted: MAIN 1 000.00 − SUB 250.50 = 749.50 kWh; the tenant pays SUB.
    await f.tariff('FLAT', '2026-01-01', null, { energy: { kind: 'single', price: '0.5000' } });
    await f.point('MAIN');
    await f.point('SUB');
    await f.account('A-LANDLORD', 'FLAT', [['MAIN', 1], ['SUB', -1]]);
    await f.account('A-TENANT', 'FLAT', [['SUB', 1]]);
    await f.monthly('MAIN', '2026-10', { ap_imp_total: '1000.00' });
    await f.monthly('SUB', '2026-10', { ap_imp_total: '250.50' });

    const r = await settleMonth(h, { month: '2026-10', actor: 'alice' });
    for (const s of r.statements) by.set(s.accountId, s);
  });
  afterAll(async () => h?.close());

  it('bills a TOU month across a meter swap from the engine’s monthly figure', () => {
    const s = by.get('A-SWAP')!;
    expect(lines(s)).toEqual([
      ['energy.sharp', 'TOU-A', '1800.00', '0.2150', '387.00'], //    1 800 × 0.2150
      ['energy.peak', 'TOU-A', '6000.00', '0.1820', '1092.00'], //   6 000 × 0.1820
      ['energy.flat', 'TOU-A', '7600.00', '0.1240', '942.40'], //    7 600 × 0.1240
      ['energy.valley', 'TOU-A', '11000.00', '0.0610', '671.00'], // 11 000 × 0.0610
      ['basic.capacity', 'TOU-A', '2000', '3.20', '6400.00'], //     2 000 kVA × 3.20
    ]);
    expect(formatDecimal(s.total)).toBe('9492.40'); // 387 + 1092 + 942.40 + 671 + 6400
    expect(formatDecimal(s.figures.activeImport.total)).toBe('26400.00');
  });

  it('bills maximum demand from the demand register with the multiplier', () => {
    const s = by.get('A-DEM-R')!;
    expect(formatDecimal(s.figures.demandKw!)).toBe('234.5');
    expect(lines(s).map((l) => [l[0], l[4]])).toEqual([['energy.total', '7500.00'], ['basic.demand', '9380.00']]); // 50 000 × 0.15; 234.5 × 40
    expect(formatDecimal(s.total)).toBe('16880.00');
  });

  it('bills coincident maximum demand computed from 15-min intervals', () => {
    const s = by.get('A-DEM-I')!;
    expect(formatDecimal(s.figures.demandKw!)).toBe('140.00');
    // energy (3000 − 500) × 0.15 = 375.00; demand 140 × 40 = 5600.00
    expect(lines(s).map((l) => [l[0], l[4]])).toEqual([['energy.total', '375.00'], ['basic.demand', '5600.00']]);
    expect(formatDecimal(s.total)).toBe('5975.00');
  });

  it('adds a power-factor penalty and grants a bonus', () => {
    const pen = by.get('A-PF-PEN')!;
    expect(pen.figures.powerFactor).toBe('0.87');
    // 12 345.67 × 0.5 = 6 172.835 → 6 172.84 (half-up); 6 172.84 × 1.5 % = 92.5926 → 92.59
    expect(lines(pen).map((l) => [l[0], l[2], l[3], l[4]])).toEqual([['energy.total', '12345.67', '0.5000', '6172.84'], ['pf.adjustment', '6172.84', '0.015', '92.59']]);
    expect(formatDecimal(pen.total)).toBe('6265.43');
    const bon = by.get('A-PF-BON')!;
    expect(bon.figures.powerFactor).toBe('0.96');
    // 10 000 × 0.5 = 5 000.00; × −0.75 % = −37.50
    expect(lines(bon).map((l) => l[4])).toEqual(['5000.00', '-37.50']);
    expect(formatDecimal(bon.total)).toBe('4962.50');
  });

  it('splits a mid-month tariff change by the days’ figures', () => {
    const s = by.get('A-CHANGE-SPLIT')!;
    expect(s.figures.windows).toEqual([
      { tariffId: 'TOU-A1', firstDay: '2026-10-01', lastDay: '2026-10-15', days: 15 },
      { tariffId: 'TOU-B1', firstDay: '2026-10-16', lastDay: '2026-10-31', days: 16 },
    ]);
    expect(lines(s).map((l) => [l[1], l[0], l[2], l[4]])).toEqual([
      ['TOU-A1', 'energy.sharp', '150.00', '32.25'], //  15 days × 10 × 0.2150
      ['TOU-A1', 'energy.peak', '300.00', '54.60'], //   15 × 20 × 0.1820
      ['TOU-A1', 'energy.flat', '450.00', '55.80'], //   15 × 30 × 0.1240
      ['TOU-A1', 'energy.valley', '600.00', '36.60'], // 15 × 40 × 0.0610
      ['TOU-A1', 'basic.capacity', '2000', '3096.77'], // 6 400 × 15/31 = 3 096.774…
      ['TOU-B1', 'energy.sharp', '160.00', '36.80'], //  16 × 10 × 0.2300
      ['TOU-B1', 'energy.peak', '320.00', '62.40'], //   16 × 20 × 0.1950
      ['TOU-B1', 'energy.flat', '480.00', '62.40'], //   16 × 30 × 0.1300
      ['TOU-B1', 'energy.valley', '640.00', '41.60'], // 16 × 40 × 0.0650
      ['TOU-B1', 'basic.capacity', '2000', '3303.23'], // 6 400 × 16/31 = 3 303.225…
    ]);
    expect(formatDecimal(s.total)).toBe('6782.45'); // 179.25 + 3096.77 + 203.20 + 3303.23
  });

  it('prorates a mid-month tariff change by days when configured', () => {
    const s = by.get('A-CHANGE-PRORATE')!;
    expect(lines(s).map((l) => [l[1], l[0], l[2], l[4]])).toEqual([
      ['TOU-A2', 'energy.sharp', '48.39', '10.40'], //   100 × 15/31 = 48.387 → 48.39; × 0.2150 = 10.40385
      ['TOU-A2', 'energy.peak', '96.77', '17.61'], //    200 × 15/31 → 96.77; × 0.1820 = 17.61214
      ['TOU-A2', 'energy.flat', '145.16', '18.00'], //   300 × 15/31 → 145.16; × 0.1240 = 17.99984
      ['TOU-A2', 'energy.valley', '193.55', '11.81'], // 400 × 15/31 → 193.55; × 0.0610 = 11.80655
      ['TOU-A2', 'basic.capacity', '2000', '3096.77'],
      ['TOU-B2', 'energy.sharp', '51.61', '11.87'], //   the rest: 100 − 48.39; × 0.2300 = 11.8703
      ['TOU-B2', 'energy.peak', '103.23', '20.13'], //   × 0.1950 = 20.12985
      ['TOU-B2', 'energy.flat', '154.84', '20.13'], //   × 0.1300 = 20.1292
      ['TOU-B2', 'energy.valley', '206.45', '13.42'], // × 0.0650 = 13.41925
      ['TOU-B2', 'basic.capacity', '2000', '3303.23'],
    ]);
    expect(formatDecimal(s.total)).toBe('6523.37'); // 57.82 + 3096.77 + 65.55 + 3303.23
  });

  it('subtracts a sub-meter from the landlord and bills it to the tenant', () => {
    const landlord = by.get('A-LANDLORD')!;
    expect(formatDecimal(landlord.figures.activeImport.total)).toBe('749.50'); // 1000.00 − 250.50
    expect(formatDecimal(landlord.total)).toBe('374.75'); // 749.50 × 0.5
    // Each member's own month on the statement: 1000.00 − 250.50 = 749.50.
    expect(landlord.figures.members).toEqual([
      expect.objectContaining({ pointId: 'MAIN', sign: 1, quality: 'actual', activeImport: '1000.00' }),
      expect.objectContaining({ pointId: 'SUB', sign: -1, quality: 'actual', activeImport: '250.50' }),
    ]);
    const tenant = by.get('A-TENANT')!;
    expect(formatDecimal(tenant.total)).toBe('125.25'); // 250.50 × 0.5; landlord + tenant = 1000 × 0.5
  });

  it('stores what it returned and locks every member point', async () => {
    const t = await sql<{ n: string; s: string }>`SELECT count(*)::text AS n, sum(total)::text AS s FROM statement WHERE kind = 'statement'`.execute(h.db);
    const expected = [...by.values()].reduce((a, s) => a + Math.round(Number(formatDecimal(s.total)) * 100), 0);
    expect(t.rows[0]!.n).toBe(String(by.size));
    expect(Math.round(Number(t.rows[0]!.s) * 100)).toBe(expected);
    const locks = await sql<{ n: string }>`SELECT count(*)::text AS n FROM month_lock WHERE month = '2026-10-01'`.execute(h.db);
    expect(locks.rows[0]!.n).toBe('10'); // SWAP D1 DM DS PFP PFB CH CP MAIN SUB
  });
});
