/**
 * Run alarms (reverse energy, frozen reading, stuck register, missing data) and the verdicts
 * judged against an interval's neighbours (spike, demand jump) as a worker sees them: readings
 * arrive a few intervals at a time and each batch is recomputed alone, a link comes back after
 * an outage, or a backfill lands in the middle of a run. Whatever the order, the open alarms are the ones a
 * recomputation from scratch finds: one alarm per run, extended in place (same id, its
 * acknowledgement kept), split or shortened where the data says so.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { writeReadings, type Database, type ReadingRow } from '../../schema/index.ts';
import { acknowledgeAlarm, drainTasks, recomputeBulk, recomputeRanges, type AlarmEvent } from '../../calc-engine/store/index.ts';
import { claimWork, markDirty, outsideLocks } from '../../calc-engine/tasks/index.ts';
import { meterSnapshots, risingReadings } from '../support/readings.ts';
import { archivedDatabase, dbTargets } from '../support/db.ts';

const archive = `
substations: [{ id: S, name: S, timeZone: Europe/Berlin }]
points:
  - { id: E, substation: S, name: import only, timeZone: Europe/Berlin, importOnly: true }
  - { id: G, substation: S, name: gappy link, timeZone: Europe/Berlin }
  - { id: F, substation: S, name: freezing meter, timeZone: Europe/Berlin }
  - { id: L, substation: S, name: link down, timeZone: Europe/Berlin }
  - { id: K, substation: S, name: spiking load, timeZone: Europe/Berlin }
  - { id: T, substation: S, name: sticking total, timeZone: Europe/Berlin }
  - { id: C, substation: S, name: corrected twice, timeZone: Europe/Berlin, importOnly: true }
  - { id: D, substation: S, name: dead for days, timeZone: Europe/Berlin }
  - { id: N, substation: S, name: no load, timeZone: Europe/Berlin }
  - { id: W, substation: S, name: small export register, timeZone: Europe/Berlin, importOnly: true }
  - { id: Q, substation: S, name: passes at the same time, timeZone: Europe/Berlin, importOnly: true }
meters:
  - { id: M-W, serial: "1", capacity: 1000.00 }
installations:
  - { point: W, meter: M-W, installedAt: "2026-10-01T00:00:00+02:00", initial: { ap_imp.total: 0 } }
`;
const T0 = Date.parse('2026-10-09T22:00:00Z'); // 10 October, 00:00 Berlin
const STEP = 900_000;
const iso = (i: number) => new Date(T0 + i * STEP).toISOString();

/**
 * Snapshots n0..n1 of a point: 1.00 kWh import per interval; export of 0.05 kWh per interval
 * while `exporting(i)`; snapshots `absent(i)` not collected; the export register wraps at
 * 1 000.00 kWh (W's meter).
 */
const snapshots = (n0: number, n1: number, exporting: (i: number) => boolean, point = 'E', absent = (_i: number) => false, frozen = (_i: number) => false, exp0 = 20_000): ReadingRow[] =>
  meterSnapshots(point, T0, n1, (i) => ({ export: exporting(i) ? 5 : 0, frozen: frozen(i) }), { from: n0, absent, exportStart: exp0, capacity: 100_000 });

type Row = { id: string; state: string; period_start: Date; period_end: Date; observed: string; severity: string };
const alarms = async (h: Database, rule: string, point = 'E') =>
  (await sql<Row>`SELECT id, state, period_start, period_end, observed, severity FROM alarm
    WHERE rule = ${rule} AND object_id = ${point} AND state <> 'cleared' ORDER BY period_start`.execute(h.db)).rows
    .map((r) => ({ id: r.id, state: r.state, from: r.period_start.toISOString(), to: r.period_end.toISOString(), observed: Number(r.observed), severity: r.severity }));
const never = () => false;

/** The open alarms of a point as a recomputation from scratch finds them: no alarms, the whole span recomputed. */
async function fromScratch(h: Database, point: string, rule: string, to: number, bulk: boolean) {
  await sql`DELETE FROM alarm WHERE object_id = ${point}`.execute(h.db);
  const range = [{ pointId: point, from: new Date(T0), to: new Date(T0 + to * STEP) }];
  await (bulk ? recomputeBulk(h, range) : recomputeRanges(h, range));
  return (await alarms(h, rule, point)).map(({ from, to, observed, severity }) => ({ from, to, observed, severity }));
}

describe.each(dbTargets())('run alarms on $name PostgreSQL', (target) => {
  let h: Database;
  beforeAll(async () => {
    h = await archivedDatabase(target, archive);
  });
  afterAll(() => h.close());

  it('a reverse-energy fault that goes on while readings arrive batch by batch is one alarm, extended in place', async () => {
    // Export in intervals 9..40 (snapshots 9..40 each 5 steps above the last).
    const exporting = (i: number) => i >= 9 && i <= 40;
    await writeReadings(h, snapshots(0, 12, exporting));
    await drainTasks(h);
    const first = await alarms(h, 'reverse-energy');
    expect(first.map((a) => [a.from, a.to])).toEqual([[iso(8), iso(12)]]);
    await acknowledgeAlarm(h, first[0]!.id, 'ops');
    for (let n = 12; n < 48; n += 3) {
      await writeReadings(h, snapshots(n + 1, n + 3, exporting));
      await drainTasks(h);
    }
    const after = await alarms(h, 'reverse-energy');
    // one run, intervals ending 9..40: (8, 40]; the same alarm, still acknowledged; 32 intervals × 5 export steps
    expect(after).toEqual([{ id: first[0]!.id, state: 'acknowledged', from: iso(8), to: iso(40), observed: 160, severity: 'warning' }]);
    const [run] = after.map(({ from, to, observed, severity }) => ({ from, to, observed, severity }));
    expect(await fromScratch(h, 'E', 'reverse-energy', 51, true)).toEqual([run]);
    expect(await fromScratch(h, 'E', 'reverse-energy', 51, false)).toEqual([run]);
  });

  it('a reverse-energy run across a wrap of the export register is measured in its steps', async () => {
    // W exports 5 steps per interval in intervals 9..40 from 999.00 kWh (99 900 steps): the
    // register wraps at 1 000.00 after 20 intervals. Still 32 × 5 = 160 steps.
    const exporting = (i: number) => i >= 9 && i <= 40;
    await writeReadings(h, snapshots(0, 12, exporting, 'W', never, never, 99_900));
    await drainTasks(h);
    for (let n = 12; n < 48; n += 3) {
      await writeReadings(h, snapshots(n + 1, n + 3, exporting, 'W', never, never, 99_900));
      await drainTasks(h);
    }
    const got = (await alarms(h, 'reverse-energy', 'W')).map(({ from, to, observed }) => ({ from, to, observed }));
    expect(got).toEqual([{ from: iso(8), to: iso(40), observed: 160 }]);
  });

  it('a meter that freezes while readings arrive batch by batch is one frozen-reading alarm', async () => {
    // Import stands still from snapshot 21 to 40 (intervals ending 21..40 unchanged); frozen
    // after 4 such intervals, the alarm's period starts at the first: (20, 40].
    const frozen = (i: number) => i >= 21 && i <= 40;
    await writeReadings(h, snapshots(0, 12, never, 'F', never, frozen));
    await drainTasks(h);
    for (let n = 12; n < 48; n += 3) {
      await writeReadings(h, snapshots(n + 1, n + 3, never, 'F', never, frozen));
      await drainTasks(h);
    }
    const got = (await alarms(h, 'frozen-reading', 'F')).map(({ from, to, observed, severity }) => ({ from, to, observed, severity }));
    expect(got).toEqual([{ from: iso(20), to: iso(40), observed: 20, severity: 'warning' }]);
    expect(await fromScratch(h, 'F', 'frozen-reading', 51, true)).toEqual(got);
    expect(await fromScratch(h, 'F', 'frozen-reading', 51, false)).toEqual(got);
  });

  it('a spike read live, one reading at a time, is raised when the reading after it arrives', async () => {
    // 100 import steps an interval but 2 400 in the interval ending at snapshot 6. It is a spike
    // (≥ 100 steps and more than 10× both neighbours: 2 400 > 1 000) only once snapshot 7 shows
    // the interval after it: that reading's window must judge the interval before its own.
    // The jump into it is 2 300 % of 100 (> 200 %); the fall after it, 95.8 %, is not a jump.
    const rows = meterSnapshots('K', T0, 12, (i) => ({ import: i === 6 ? 2_400 : 100 }));
    for (const r of rows) {
      await writeReadings(h, [r]);
      await drainTasks(h);
    }
    const spike = (await alarms(h, 'outlier', 'K')).map(({ from, to, observed }) => ({ from, to, observed }));
    expect(spike).toEqual([{ from: iso(5), to: iso(6), observed: 24 }]); // 2 400 steps = 24.00 kWh (M = 1)
    const jump = (await alarms(h, 'demand-jump', 'K')).map(({ from, to, observed }) => ({ from, to, observed }));
    expect(jump).toEqual([{ from: iso(5), to: iso(6), observed: 2_300 }]);
    for (const bulk of [true, false]) expect((await fromScratch(h, 'K', 'outlier', 12, bulk)).map(({ from, to, observed }) => ({ from, to, observed }))).toEqual(spike);
  });

  it('a backfill just before a stuck total register completes its run', async () => {
    // The import total stands still while its flat tier moves in the intervals ending 10..13:
    // stuck after 4 such intervals. Snapshots 10..20 arrive first and show three (11..13); the
    // backfill of 0..9 shows the fourth, so the run (9, 13] is stuck, as from scratch.
    const rows = meterSnapshots('T', T0, 20, (i) => ({ stuck: i >= 10 && i <= 13 }));
    await writeReadings(h, rows.slice(10));
    await drainTasks(h);
    expect(await alarms(h, 'outlier', 'T')).toEqual([]);
    await writeReadings(h, rows.slice(0, 10));
    await drainTasks(h);
    const got = (await alarms(h, 'outlier', 'T')).map(({ from, to, observed, severity }) => ({ from, to, observed, severity }));
    expect(got).toEqual([{ from: iso(9), to: iso(13), observed: 4, severity: 'warning' }]);
    expect(await fromScratch(h, 'T', 'outlier', 20, true)).toEqual(got);
    expect(await fromScratch(h, 'T', 'outlier', 20, false)).toEqual(got);
  });

  it('corrections in two places of one run, days apart, in one pass split it as from scratch', async () => {
    // The import-only point exports 5 steps an interval from snapshot 21 to 400 (four days): one
    // reverse-energy run (20, 400]. Then the export of snapshots 120 and 300 is corrected down to
    // the reading before it: the intervals ending 120 and 300 export nothing, the ones after them
    // 10 steps. The run splits into (20, 119], (120, 299] and (300, 400], measured on the export
    // register: 99 × 5, 180 × 5 and 101 × 5 steps. The corrections lie days apart: one claim, two
    // windows, recomputed in one pass; each window's join must see the other's result, not the
    // alarm as it was stored before the pass.
    const rows = meterSnapshots('C', T0, 420, (i) => ({ export: i >= 21 && i <= 400 ? 5 : 0 }));
    await writeReadings(h, rows);
    await drainTasks(h);
    expect((await alarms(h, 'reverse-energy', 'C')).map(({ from, to }) => [from, to])).toEqual([[iso(20), iso(400)]]);
    const corrected = [120, 300].map((i) => ({ ...rows[i]!, values: rows[i]!.values.map((v, r) => (r === 5 || r === 8 ? rows[i - 1]!.values[r]! : v)) }));
    const w = await writeReadings(h, corrected, { onConflict: 'correct', actor: 'test', reason: 'test' });
    expect(w.corrected).toBe(4); // two registers of two snapshots
    // A listener hears of each alarm once, as it ends: the first window's split raises (120, 400],
    // which the second shortens to (120, 299] in the same pass, written in one transaction.
    const heard: AlarmEvent[] = [];
    await drainTasks(h, { alarmListeners: [(e) => void heard.push(e)] });
    const got = (await alarms(h, 'reverse-energy', 'C')).map(({ from, to, observed }) => ({ from, to, observed }));
    expect(got).toEqual([{ from: iso(20), to: iso(119), observed: 495 }, { from: iso(120), to: iso(299), observed: 900 }, { from: iso(300), to: iso(400), observed: 505 }]);
    const runEvents = heard.filter((e) => e.rule === 'reverse-energy').map(({ change, periodStart, periodEnd }) => [change, periodStart, periodEnd]);
    expect(runEvents.sort()).toEqual([['raised', iso(120), iso(299)], ['raised', iso(300), iso(400)], ['updated', iso(20), iso(119)]]);
    for (const bulk of [true, false]) expect((await fromScratch(h, 'C', 'reverse-energy', 420, bulk)).map(({ from, to, observed }) => ({ from, to, observed }))).toEqual(got);
  });

  it('passes over one point at the same time (workers, `engine recompute`) leave one alarm per run and fail none', async () => {
    // Q exports 5 steps an interval in (10, 30] and (50, 60]: two reverse-energy runs, 100 and 50
    // steps. The first half arrives and is recomputed; then the rest, and five passes over the
    // whole span run at once, each extending the first run's alarm and raising the second's.
    const rows = meterSnapshots('Q', T0, 80, (i) => ({ export: (i >= 11 && i <= 30) || (i >= 51 && i <= 60) ? 5 : 0 }));
    await writeReadings(h, rows.slice(0, 21));
    await drainTasks(h);
    expect((await alarms(h, 'reverse-energy', 'Q')).map(({ from, to }) => [from, to])).toEqual([[iso(10), iso(20)]]);
    await writeReadings(h, rows.slice(21));
    const range = [{ pointId: 'Q', from: new Date(T0), to: new Date(T0 + 80 * STEP) }];
    const passes = await Promise.allSettled([recomputeBulk(h, range), recomputeRanges(h, range), recomputeBulk(h, range), recomputeRanges(h, range), drainTasks(h)]);
    expect(passes.filter((p) => p.status === 'rejected')).toEqual([]);
    const got = await alarms(h, 'reverse-energy', 'Q');
    expect(got.map(({ from, to, observed }) => ({ from, to, observed }))).toEqual([{ from: iso(10), to: iso(30), observed: 100 }, { from: iso(50), to: iso(60), observed: 50 }]);
  });

  it('a meter dead for days while readings arrive hourly is one frozen-reading alarm, as long as the freeze', async () => {
    // Import stands still from snapshot 21 to 300 (three days) while the terminal keeps
    // answering. A window on the second day sees no load in the readings it loaded; the open
    // alarm says the point carried load when it froze, so the run goes on: (20, 300], 280.
    const frozen = (i: number) => i >= 21 && i <= 300;
    const rows = meterSnapshots('D', T0, 320, (i) => ({ frozen: frozen(i) }));
    for (let i = 0; i < rows.length; i += 4) {
      await writeReadings(h, rows.slice(i, i + 4));
      await drainTasks(h);
    }
    const got = (await alarms(h, 'frozen-reading', 'D')).map(({ from, to, observed }) => ({ from, to, observed }));
    expect(got).toEqual([{ from: iso(20), to: iso(300), observed: 280 }]);
    for (const bulk of [true, false]) expect((await fromScratch(h, 'D', 'frozen-reading', 320, bulk)).map(({ from, to, observed }) => ({ from, to, observed }))).toEqual(got);
  });

  it('an open frozen-reading alarm is no evidence for itself: on a point without load it clears', async () => {
    // N carries no load (import never moves), yet holds an open frozen-reading alarm (raised by
    // hand here, as by an older version or a reading since corrected). A recomputation whose
    // window holds the whole alarm judges it again from the readings: no load, no frozen run.
    await writeReadings(h, meterSnapshots('N', T0, 40, () => ({ frozen: true })));
    await drainTasks(h);
    for (const bulk of [true, false]) {
      await sql`INSERT INTO alarm (rule, object_kind, object_id, period_start, period_end, observed, limit_value, severity, state, message, detail)
        VALUES ('frozen-reading', 'point', 'N', ${iso(10)}, ${iso(30)}, 20, 4, 'warning', 'open', 'by hand', 'unchanged intervals')`.execute(h.db);
      const range = [{ pointId: 'N', from: new Date(T0), to: new Date(T0 + 40 * STEP) }];
      await (bulk ? recomputeBulk(h, range) : recomputeRanges(h, range));
      expect(await alarms(h, 'frozen-reading', 'N')).toEqual([]);
    }
  });

  it('an outage while readings arrive live is one missing-data alarm from the last reading before it, its intervals stored missing', async () => {
    // Readings 0..12, then the link is down for two days; readings resume at 205 (2 × 96 + 13).
    // From scratch: intervals ending 13..205 have no reading pair, (12, 205] is one run of 193,
    // critical (more than a day).
    await writeReadings(h, snapshots(0, 12, never, 'L'));
    await drainTasks(h);
    for (let n = 204; n < 213; n += 3) {
      await writeReadings(h, snapshots(n + 1, n + 3, never, 'L'));
      await drainTasks(h);
    }
    const got = (await alarms(h, 'missing-data', 'L')).map(({ from, to, observed, severity }) => ({ from, to, observed, severity }));
    expect(got).toEqual([{ from: iso(12), to: iso(205), observed: 193, severity: 'critical' }]);
    const stored = async () => (await sql<{ ts: Date; quality: string }>`
      SELECT ts, quality FROM interval_energy WHERE point_id = 'L' ORDER BY ts`.execute(h.db)).rows;
    const live = await stored();
    expect(live.filter((r) => r.ts.getTime() > T0 + 12 * STEP && r.ts.getTime() <= T0 + 205 * STEP).map((r) => r.quality)).toEqual(Array(193).fill('missing'));
    expect(await fromScratch(h, 'L', 'missing-data', 213, true)).toEqual(got);
    expect(await stored()).toEqual(live);
  });

  it('a gap is one missing-data alarm; a backfill in its middle splits it, the rest of the backfill closes it', async () => {
    // Snapshots 10..30 missing: intervals ending 10..31 lack a reading, (9, 31] is one run of 22.
    await writeReadings(h, snapshots(0, 40, never, 'G', (i) => i >= 10 && i <= 30));
    await drainTasks(h);
    const [gap] = await alarms(h, 'missing-data', 'G');
    expect(gap).toMatchObject({ from: iso(9), to: iso(31), observed: 22, severity: 'warning' });
    await acknowledgeAlarm(h, gap!.id, 'ops');
    // Snapshots 19..21 arrive: intervals ending 20 and 21 are whole again; (9, 19] and (21, 31] stay missing.
    await writeReadings(h, snapshots(19, 21, never, 'G'));
    await drainTasks(h);
    const split = await alarms(h, 'missing-data', 'G');
    expect(split).toEqual([
      { id: gap!.id, state: 'acknowledged', from: iso(9), to: iso(19), observed: 10, severity: 'warning' },
      { id: expect.any(String), state: 'open', from: iso(21), to: iso(31), observed: 10, severity: 'warning' },
    ]);
    const expected = split.map(({ from, to, observed, severity }) => ({ from, to, observed, severity }));
    expect(await fromScratch(h, 'G', 'missing-data', 40, true)).toEqual(expected);
    expect(await fromScratch(h, 'G', 'missing-data', 40, false)).toEqual(expected);
    // The rest arrives in two batches (each recomputed alone): both runs close, nothing open.
    await writeReadings(h, snapshots(10, 18, never, 'G'));
    await drainTasks(h);
    expect((await alarms(h, 'missing-data', 'G')).map((a) => [a.from, a.to])).toEqual([[iso(21), iso(31)]]);
    await writeReadings(h, snapshots(22, 30, never, 'G'));
    await drainTasks(h);
    expect(await alarms(h, 'missing-data', 'G')).toEqual([]);
  });
});

describe.each(dbTargets())('how far an outage reaches on $name PostgreSQL', (target) => {
  const archive2 = `
substations: [{ id: S, name: S, timeZone: UTC }]
points:
  - { id: P, substation: S, name: settled, timeZone: UTC }
  - { id: Q, substation: S, name: clock once wrong, timeZone: UTC }
`;
  const rows = (point: string, from: string, to: string): ReadingRow[] =>
    risingReadings(point, Date.parse(from), Date.parse(to), 100, { start: 1_000_000 + (Date.parse(from) - Date.parse('2026-08-31T00:00Z')) / 9_000, allRegisters: true });
  let h: Database;
  beforeAll(async () => {
    h = await archivedDatabase(target, archive2);
  });
  afterAll(() => h.close());
  /** P's September as settled: the month, its last day, the intervals of its last hour. */
  const figures = async () => ({
    month: (await sql`SELECT quality, ap_imp_total::text AS e FROM monthly_energy WHERE point_id = 'P' AND month = '2026-09-01'`.execute(h.db)).rows,
    day: (await sql`SELECT quality, ap_imp_total::text AS e FROM daily_energy WHERE point_id = 'P' AND day = '2026-09-30'`.execute(h.db)).rows,
    intervals: (await sql`SELECT ts, quality FROM interval_energy WHERE point_id = 'P' AND ts > '2026-09-30T23:00Z' AND ts <= '2026-10-01T00:00Z' ORDER BY ts`.execute(h.db)).rows,
  });

  it('not into a month a settlement has locked: its figures stay as settled', async () => {
    // September collected up to the 30th, 23:00, then the link is down; September is settled
    // with the gap (its last hour missing). The readings that come back on 1 October reach
    // back to the gap only as far as October.
    await writeReadings(h, rows('P', '2026-08-31T00:00Z', '2026-09-30T23:00Z'));
    await drainTasks(h);
    const settled = await figures();
    await sql`INSERT INTO settlement_run (month, version, state, actor) VALUES ('2026-09-01', 1, 'locked', 'test')`.execute(h.db);
    await sql`INSERT INTO month_lock (month, point_id, run_id, period_start, period_end)
      SELECT '2026-09-01', 'P', id, '2026-09-01T00:00Z', '2026-10-01T00:00Z' FROM settlement_run`.execute(h.db);
    await writeReadings(h, rows('P', '2026-10-01T00:15Z', '2026-10-01T06:00Z'));
    await drainTasks(h);
    expect(await figures()).toEqual(settled);
  });

  it('nor by `meterflow engine recompute`: the settled month is left as settled, and it says so', async () => {
    // P as the test above left it: September settled with its last hour missing, readings from
    // 1 October 00:15 on. A recomputation over both would estimate that hour now; it recomputes
    // October only (its first day written again) and names the settled month and the way out.
    const before = await figures();
    await sql`DELETE FROM daily_energy WHERE point_id = 'P' AND day = '2026-10-01'`.execute(h.db);
    const r = spawnSync('node', ['cli/bin.js', 'engine', 'recompute', '--from', '2026-09-29T00:00:00Z', '--to', '2026-10-01T06:00:00Z', '--point', 'P'],
      { env: { ...process.env, DATABASE_URL: h.url }, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/2026-09 is settled for 1 point: left as settled \(to recompute it, reopen it: meterflow settle --month 2026-09 --reopen --reason/);
    expect(await figures()).toEqual(before);
    expect((await sql`SELECT count(*)::int AS n FROM daily_energy WHERE point_id = 'P' AND day = '2026-10-01'`.execute(h.db)).rows).toEqual([{ n: 1 }]);
  });

  it('nor by a worker whose task spans the settled month (an archive change after settlement marks a span up to now)', async () => {
    const before = await figures();
    await sql`DELETE FROM daily_energy WHERE point_id = 'P' AND day = '2026-10-01'`.execute(h.db);
    await markDirty(h, [{ pointId: 'P', from: new Date('2026-09-29T00:00Z'), to: new Date('2026-10-01T06:00Z') }], 'test');
    expect(await drainTasks(h)).toBe(1);
    expect(await figures()).toEqual(before);
    expect((await sql`SELECT count(*)::int AS n FROM daily_energy WHERE point_id = 'P' AND day = '2026-10-01'`.execute(h.db)).rows).toEqual([{ n: 1 }]);
  });

  it('cuts a range around the settled month, each part stopping at its edge', async () => {
    const iso8601 = (d?: Date) => d?.toISOString().slice(0, 10);
    const cut = await outsideLocks(h, [{ pointId: 'P', from: new Date('2026-08-20T00:00Z'), to: new Date('2026-10-05T00:00Z') }, { pointId: 'P', from: new Date('2026-09-15T00:00Z'), to: new Date('2026-09-20T00:00Z') }]);
    expect(cut.ranges.map((r) => [iso8601(r.from), iso8601(r.to), iso8601(r.lockedTo), iso8601(r.lockedFrom)])).toEqual([
      ['2026-08-20', '2026-09-01', undefined, '2026-09-01'],
      ['2026-10-01', '2026-10-05', '2026-10-01', undefined],
    ]);
    expect(cut.locked.map((l) => [l.month, iso8601(l.from), iso8601(l.to)])).toEqual([['2026-09', '2026-09-01', '2026-10-01'], ['2026-09', '2026-09-15', '2026-09-20']]);
    // October settled too: a range ending where the two meet leaves nothing of either, and one
    // starting at September's start still closes August's last interval.
    await sql`INSERT INTO month_lock (month, point_id, run_id, period_start, period_end)
      SELECT '2026-10-01', 'P', id, '2026-10-01T00:00Z', '2026-11-01T00:00Z' FROM settlement_run LIMIT 1`.execute(h.db);
    const two = await outsideLocks(h, [{ pointId: 'P', from: new Date('2026-09-01T00:00Z'), to: new Date('2026-10-01T00:00Z') }]);
    expect(two.ranges.map((r) => [iso8601(r.from), iso8601(r.to), iso8601(r.lockedTo), iso8601(r.lockedFrom)])).toEqual([['2026-09-01', '2026-09-01', undefined, '2026-09-01']]);
    expect(two.locked.map((l) => l.month)).toEqual(['2026-09']);
    await sql`DELETE FROM month_lock WHERE point_id = 'P' AND month = '2026-10-01'`.execute(h.db);
  });

  it('not years back for one reading with a wrong clock: at most 92 days', async () => {
    // One reading stamped 2020 (a terminal whose clock was reset), then readings from October 2026.
    // Written together: the batch dirties two islands, not the years between them.
    await writeReadings(h, [...rows('Q', '2020-03-01T00:00Z', '2020-03-01T00:00Z'), ...rows('Q', '2026-10-01T00:00Z', '2026-10-01T01:00Z')]);
    const work = await claimWork(h, { worker: 'test', limit: 100 });
    expect(work.filter((w) => w.pointId === 'Q').map((w) => [w.from.toISOString(), w.to.toISOString()])).toEqual([
      ['2020-03-01T00:00:00.000Z', '2020-03-01T00:00:00.000Z'],
      ['2026-10-01T00:00:00.000Z', '2026-10-01T01:00:00.000Z'],
    ]);
  });
});

