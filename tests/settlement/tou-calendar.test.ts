/**
 * A meter that keeps no tier registers, billed under a TOU tariff: each interval's energy goes to
 * the tier the tariff's calendar puts at its local start (season, weekday, weekend, holiday).
 * Hand-computed: every interval below is placed in its band by hand.
 */
import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { ensurePartitions, type Database } from '../../schema/index.ts';
import { formatDecimal, settleMonth } from '../../calc-engine/settlement/index.ts';
import { dbTargets, freshDatabase, type DbTarget } from '../support/db.ts';
import { fixture } from './fixture.ts';

const PRICES = { sharp: '0.2150', peak: '0.1820', flat: '0.1240', valley: '0.0610' };
const CALENDAR = {
  // Winter (from 1 November, wrapping over New Year to 31 March): valley all day. Summer: bands.
  seasons: [
    { start: '11-01', workday: [{ start: '00:00', tier: 'valley' }] },
    { start: '04-01', workday: [{ start: '00:00', tier: 'valley' }, { start: '08:00', tier: 'peak' }, { start: '18:00', tier: 'flat' }, { start: '22:00', tier: 'valley' }], weekend: [{ start: '00:00', tier: 'valley' }] },
  ],
  holidays: ['2026-10-12'],
};

async function scenario(h: Database, spec: Record<string, unknown>, monthTotal = '34.00', allIntervals = true) {
  const f = fixture(h);
  await f.point('NT', { zone: 'Europe/Berlin' });
  await f.tariff('TOU-CAL', '2026-01-01', null, spec);
  await f.account('A-NT', 'TOU-CAL', [['NT', 1]]);
  // Only the total register: 10 + 5 + 7 + 4 + 8 = 34 kWh in October (CEST, UTC+2).
  await f.monthly('NT', '2026-10', { ap_imp_total: monthTotal }, 'actual', 'Europe/Berlin');
  await f.interval('NT', '2026-10-07T06:15:00Z', '10.00'); // Wed 08:00–08:15: peak
  await f.interval('NT', '2026-10-07T06:00:00Z', '5.00'); //  Wed 07:45–08:00: valley
  await f.interval('NT', '2026-10-09T16:15:00Z', '7.00'); //  Fri 18:00–18:15: flat
  await f.interval('NT', '2026-10-12T07:00:00Z', '4.00'); //  Mon 08:45–09:00, a holiday: weekend bands, valley
  await f.interval('NT', '2026-10-10T10:00:00Z', '8.00'); //  Sat 11:45–12:00: valley
  // Every other interval of October (745 hours: 2 980 intervals) without energy of its own.
  if (allIntervals) {
    await ensurePartitions(h.db, 'interval_energy', new Date('2026-09-30T22:15:00Z'), new Date('2026-10-31T23:00:00Z'));
    await sql`INSERT INTO interval_energy (point_id, ts, ap_imp_total, quality)
      SELECT 'NT', ts, 0, 'actual' FROM generate_series(timestamptz '2026-09-30T22:15:00Z', '2026-10-31T23:00:00Z', interval '15 minutes') ts
      ON CONFLICT DO NOTHING`.execute(h.db);
  }
}

/** Settle October on a fresh database holding the scenario; the database is dropped after. */
async function settleScenario(target: DbTarget, spec: Record<string, unknown>, monthTotal?: string, allIntervals?: boolean) {
  const h = await freshDatabase(target);
  try {
    await scenario(h, spec, monthTotal, allIntervals);
    return await settleMonth(h, { month: '2026-10', actor: 'alice' });
  } finally {
    await h.close();
  }
}

describe.each(dbTargets())('TOU from a tariff calendar on $name', (target) => {
  it('splits the intervals of a meter without tier registers by the calendar and bills the tiers', async () => {
    const [s] = (await settleScenario(target, { energy: PRICES, calendar: CALENDAR })).statements;
    expect(s!.lines.map((l) => [l.code, formatDecimal(l.quantity), formatDecimal(l.amount)])).toEqual([
      ['energy.sharp', '0.00', '0.00'],
      ['energy.peak', '10.00', '1.82'], //   10 × 0.1820
      ['energy.flat', '7.00', '0.87'], //     7 × 0.1240 = 0.868
      ['energy.valley', '17.00', '1.04'], // (5 + 4 + 8) × 0.0610 = 1.037
    ]);
    expect(formatDecimal(s!.total)).toBe('3.73');
    expect(formatDecimal(s!.figures.activeImport.valley)).toBe('17.00');
    expect(s!.warnings).toContain('point NT keeps no tier registers: its 2980 intervals are split into tiers by the tariff calendar');
  });

  it('refuses to bill tiers the meter does not keep without a calendar, saying what to add', async () => {
    await expect(settleScenario(target, { energy: PRICES })).rejects.toThrow(/A-NT \/ NT: no tier figures this month \(a meter without tier registers\) and TOU tariff TOU-CAL has no calendar .*give the tariff a calendar/);
  });

  it('refuses tiers that would bill less than the month: every interval, and all of the month', async () => {
    // Only the five intervals above were collected.
    await expect(settleScenario(target, { energy: PRICES, calendar: CALENDAR }, '34.00', false)).rejects.toThrow(/A-NT \/ NT: .*2975 of its 2980 intervals have no energy: .*backfill them/);
    // The month says 40 kWh (an adjustment of the month), the intervals hold 34.
    await expect(settleScenario(target, { energy: PRICES, calendar: CALENDAR }, '40.00')).rejects.toThrow(/A-NT \/ NT: .*its intervals hold 34\.00 of the month's 40\.00 kWh \(an adjustment of the month\?\)/);
  });

  it('bills the month exactly when the intervals differ from it by their rounding: the remainder goes to the largest tier', async () => {
    // 2 980 intervals rounded to 0.0001 each may differ from the month by up to 0.149.
    const [s] = (await settleScenario(target, { energy: PRICES, calendar: CALENDAR }, '34.0001')).statements;
    expect(formatDecimal(s!.figures.activeImport.valley)).toBe('17.0001');
    expect(s!.lines.map((l) => formatDecimal(l.quantity))).toEqual(['0.00', '10.00', '7.00', '17.0001']);
  });
});
