/**
 * Alarms through the whole engine on a real database: a gap raises missing-data and leaves
 * the bus figure missing until backfill fills it, after which the alarm clears; a wrong
 * boundary reading pushes the bus imbalance over its limit, and its audited correction clears it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReadings, type Database, type ReadingRow } from '../../schema/index.ts';
import { applyAlarms, drainTasks, exportRows, listAlarms } from '../../calc-engine/store/index.ts';
import { archivedDatabase, dbTargets, freshDatabase } from '../support/db.ts';
import { risingReadings } from '../support/readings.ts';

const archive = `
substations: [{ id: S, name: S, timeZone: Europe/Berlin }]
points:
  - { id: A, substation: S, name: incomer, timeZone: Europe/Berlin }
  - { id: B, substation: S, name: feeder b, timeZone: Europe/Berlin }
  - { id: C, substation: S, name: feeder c, timeZone: Europe/Berlin }
objects:
  - id: BUS
    kind: bus
    name: 10 kV bus
    voltageKv: 10
    members: [{ point: A, role: in }, { point: B, role: out }, { point: C, role: out }]
`;
const start = Date.parse('2026-10-09T22:00:00Z'); // 10 October, 00:00 Berlin
const end = start + 3 * 86_400_000;
const gap = [start + 86_400_000 - 3_600_000, start + 86_400_000 + 3_600_000]; // 23:00–01:00 around the 11th

function rows(point: string, step: number, skip?: number[]): ReadingRow[] {
  const out: ReadingRow[] = [];
  for (let t = start, i = 0; t <= end; t += 900_000, i++) {
    if (skip && t >= skip[0]! && t <= skip[1]!) continue;
    const v = new Array<number | null>(20).fill(null);
    v[0] = 1_000_000 + i * step;
    out.push({ pointId: point, ts: new Date(t), source: 'poll', values: v });
  }
  return out;
}
const open = async (h: Database, object: string) =>
  (await exportRows(h, { kind: 'alarms', from: new Date(start), to: new Date(end), object })).filter((a) => a.state === 'open');

describe.each(dbTargets())('alarms on $name PostgreSQL', (target) => {
  let h: Database;
  beforeAll(async () => {
    h = await archivedDatabase(target, archive);
    // A: 1.00 kWh per interval; B 0.59 + C 0.40 = 0.99: a 1 % imbalance, inside ±2 % at 10 kV.
    await writeReadings(h, [...rows('A', 100), ...rows('B', 59), ...rows('C', 40, gap)]);
    await drainTasks(h);
  });
  afterAll(() => h.close());

  it('raises missing-data for the gap and leaves both days of the bus missing, no imbalance alarm', async () => {
    const alarms = await open(h, 'C');
    expect(alarms.map((a) => [a.rule, a.period_start, a.period_end])).toEqual([
      ['missing-data', new Date(gap[0]! - 900_000).toISOString(), new Date(gap[1]! + 900_000).toISOString()],
    ]);
    const days = await exportRows(h, { kind: 'losses', from: new Date(start), to: new Date(end), object: 'BUS' });
    expect(days.filter((d) => d.period_kind === 'day').map((d) => d.quality)).toEqual(['missing', 'missing', 'actual']);
    expect(await open(h, 'BUS')).toEqual([]);
  });

  it('clears missing-data when backfill fills the gap, and the bus days become actual', async () => {
    await writeReadings(h, rows('C', 40).filter((r) => r.ts.getTime() >= gap[0]! && r.ts.getTime() <= gap[1]!).map((r) => ({ ...r, source: 'backfill' as const })));
    await drainTasks(h);
    expect(await open(h, 'C')).toEqual([]);
    const cleared = (await exportRows(h, { kind: 'alarms', from: new Date(start), to: new Date(end), object: 'C' })).filter((a) => a.state === 'cleared');
    expect(cleared.map((a) => a.rule)).toEqual(['missing-data']);
    const days = await exportRows(h, { kind: 'losses', from: new Date(start), to: new Date(end), object: 'BUS' });
    // Each day: in 96.00, out 95.04, loss 0.96 kWh = 1 %.
    expect(days.filter((d) => d.period_kind === 'day').map((d) => [d.quality, d.loss_rate])).toEqual(Array(3).fill(['actual', '0.01000000']));
  });

  it('a pass waits for another pass over the same object, then reconciles with what that one wrote', async () => {
    // The other pass holds point C's alarm lock (class 'mfal', the slot of 'point|C') and raises
    // an alarm on it. This pass finds the same fault with another observed value: it must wait,
    // then update that alarm, not raise a second one that the insert would silently drop.
    const period = { from: start + 7_200_000, to: start + 8_100_000 };
    const scope = { rules: ['outlier' as const], objects: [{ kind: 'point' as const, id: 'C' }], from: period.from, to: period.to };
    const found = (observed: number) => ({ rule: 'outlier' as const, objectKind: 'point' as const, objectId: 'C', periodStart: period.from, periodEnd: period.to, observed, limit: 10, severity: 'warning' as const, detail: 'spike (test)' });
    const other = await h.pool.connect();
    try {
      await other.query('BEGIN');
      await other.query(`SELECT pg_advisory_xact_lock(${0x6d66_616c}, hashtext('point|C') & 1048575)`);
      await other.query(`INSERT INTO alarm (rule, object_kind, object_id, period_start, period_end, observed, limit_value, severity, state, message, detail)
        VALUES ('outlier', 'point', 'C', $1, $2, 5, 10, 'warning', 'open', 'raised by the other pass', 'spike (test)')`, [new Date(period.from), new Date(period.to)]);
      let done = false;
      const pass = applyAlarms(h, scope, [found(7)]).then((c) => ((done = true), c));
      await new Promise((r) => setTimeout(r, 500));
      expect(done).toBe(false);
      await other.query('COMMIT');
      const c = await pass;
      expect([c.raise.length, c.update.length, c.clear.length]).toEqual([0, 1, 0]);
    } finally {
      other.release();
    }
    const stored = (await open(h, 'C')).filter((a) => a.rule === 'outlier');
    expect(stored.map((a) => Number(a.observed))).toEqual([7]);
    await applyAlarms(h, scope, []);
    expect((await open(h, 'C')).filter((a) => a.rule === 'outlier')).toEqual([]);
  });

  it('raises bus-imbalance for a wrong boundary reading and clears it after the correction', async () => {
    // B's reading at midnight of the 12th reads 20.00 kWh too high: the 11th shows out 115.04
    // against in 96.00 (imbalance −19.8 %), the 12th out 75.04 (+21.8 %).
    const midnight = start + 2 * 86_400_000;
    const i = (midnight - start) / 900_000;
    const wrong = new Array<number | null>(20).fill(null);
    wrong[0] = 1_000_000 + i * 59 + 2000;
    const right = { pointId: 'B', ts: new Date(midnight), source: 'manual' as const, values: wrong };
    await writeReadings(h, [right], { onConflict: 'correct', actor: 'test', reason: 'simulate a misread' });
    await drainTasks(h);
    const raised = await open(h, 'BUS');
    expect(raised.map((a) => [a.rule, a.period_start, a.severity])).toEqual([
      ['bus-imbalance', new Date(start + 86_400_000).toISOString(), 'critical'],
      ['bus-imbalance', new Date(midnight).toISOString(), 'critical'],
    ]);
    wrong[0] = 1_000_000 + i * 59;
    await writeReadings(h, [right], { onConflict: 'correct', actor: 'test', reason: 'meter re-read' });
    await drainTasks(h);
    expect(await open(h, 'BUS')).toEqual([]);
  });
});

describe.each(dbTargets())('a bus out of balance all month on $name PostgreSQL', (target) => {
  // A in, B out at 95 % of A: a 5 % imbalance every day and over the month, beyond ±2 % at
  // 10 kV. The 1st's alarm and the month's start at the same instant; both are open (the
  // identity of an alarm is its whole period, not its start: the month's alarm was dropped).
  const archive2 = `
substations: [{ id: S, name: S, timeZone: Europe/Berlin }]
points:
  - { id: A, substation: S, name: incomer, timeZone: Europe/Berlin }
  - { id: B, substation: S, name: feeder, timeZone: Europe/Berlin }
objects:
  - { id: BUS, kind: bus, name: 10 kV bus, voltageKv: 10, members: [{ point: A, role: in }, { point: B, role: out }] }
`;
  const from = Date.parse('2026-09-30T22:00:00Z'), to = Date.parse('2026-10-31T23:00:00Z'); // October in Berlin (25 hours on the 25th)
  let h: Database;
  beforeAll(async () => (h = await drainedBus(target, archive2, from, to, 100, 95)));
  afterAll(() => h.close());

  it('has 31 day alarms and the month alarm open', async () => {
    const alarms = await openBusAlarms(h, from, to);
    const month = alarms.filter((a) => a.period_end === new Date(to).toISOString() && a.period_start === new Date(from).toISOString());
    expect(alarms.length).toBe(32);
    expect(month.map((a) => [a.rule, Number(a.observed), a.severity])).toEqual([['bus-imbalance', 5, 'critical']]);
  });

  it('lists the alarms of one pass by id as a number (9 before 10)', async () => {
    const ids = (await listAlarms(h, { object: 'BUS' })).map((a) => Number(a.id));
    expect(ids.length).toBe(32);
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
  });
});

describe.each(dbTargets())('a bus object takes the voltage of the bus it refers to on $name PostgreSQL', (target) => {
  // Bus B220 is 220 kV; object BUS refers to it and gives no voltage of its own. A in at 2.00
  // kWh an interval, B out at 1.97: loss rate (2.00 − 1.97) / 2.00 = 1.5 % on every day —
  // beyond ±1 % (220 kV and above), inside the ±2 % a bus of unknown voltage would get.
  const archive3 = `
substations: [{ id: S, name: S, timeZone: Europe/Berlin }]
buses: [{ id: B220, substation: S, name: 220 kV bus, voltageKv: 220 }]
points:
  - { id: A, substation: S, name: incomer, timeZone: Europe/Berlin }
  - { id: B, substation: S, name: feeder, timeZone: Europe/Berlin }
objects:
  - { id: BUS, kind: bus, ref: B220, name: 220 kV bus, members: [{ point: A, role: in }, { point: B, role: out }] }
`;
  const from = Date.parse('2026-10-09T22:00:00Z'), to = from + 86_400_000; // 10 October in Berlin
  let h: Database;
  beforeAll(async () => (h = await drainedBus(target, archive3, from, to, 200, 197)));
  afterAll(() => h.close());

  it('raises the day at 1.5 % against the 220 kV limit of 1 %', async () => {
    const alarms = await openBusAlarms(h, from, to);
    const day = alarms.filter((a) => a.period_start === new Date(from).toISOString() && a.period_end === new Date(to).toISOString());
    expect(day.map((a) => [a.rule, Number(a.observed), Number(a.limit), a.severity])).toEqual([['bus-imbalance', 1.5, 1, 'warning']]);
  });
});

/** A fresh database holding `archive`, A rising `aSteps` and B `bSteps` an interval over [from, to], drained. */
async function drainedBus(target: Parameters<typeof freshDatabase>[0], archive: string, from: number, to: number, aSteps: number, bSteps: number): Promise<Database> {
  const h = await archivedDatabase(target, archive);
  await writeReadings(h, [...risingReadings('A', from, to, aSteps), ...risingReadings('B', from, to, bSteps)]);
  await drainTasks(h);
  return h;
}

/** The open alarms of object BUS over [from, to]. */
async function openBusAlarms(h: Database, from: number, to: number) {
  return (await exportRows(h, { kind: 'alarms', from: new Date(from), to: new Date(to), object: 'BUS' })).filter((a) => a.state === 'open');
}
