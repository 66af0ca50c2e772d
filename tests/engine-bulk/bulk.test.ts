/**
 * The bulk recompute against the figure path on a real database: the same rows and values in
 * interval_energy, daily_energy, monthly_energy and object_result, and the same alarms from the
 * plausibility checks, for a full recompute and for dirty sub-ranges. The data holds what the columnar path must hand to the figure path — a meter
 * swap mid-day, a non-integer multiplier, a bypass, a short gap (interpolated), a long gap across
 * midnight (missing), a partial snapshot, a register decrease — plus a rollover it takes itself,
 * the 25-hour day of 25 October in Berlin, a complete month (October) and an incomplete one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { REGISTER_CODES, writeReadings, type Database, type ReadingRow } from '../../schema/index.ts';
import { recomputeBulk, recomputeRanges } from '../../calc-engine/store/index.ts';
import { archivedDatabase, dbTargets, importArchiveText } from '../support/db.ts';

const START = Date.parse('2026-09-30T22:00:00Z'); // 1 October 00:00 Berlin
const END = Date.parse('2026-11-02T23:00:00Z'); // 3 November 00:00 Berlin
const SWAP = Date.parse('2026-10-26T10:00:00Z');
const STEPS = (END - START) / 900_000;

/** Register r of a point's meter after i intervals: deterministic, uneven increments. */
function counter(seed: number, base: number) {
  const start = () => Array.from({ length: 20 }, (_, r) => base + r * 1000);
  let cum = start();
  let at = 0;
  return (i: number): number[] => {
    if (i < at) (cum = start()), (at = 0); // asked again from an earlier interval (each target's rows)
    for (; at < i; at++) for (let r = 0; r < 20; r++) cum[r]! += 1 + ((at * 31 + r * 17 + seed * 7) % 23);
    return [...cum];
  };
}
const oldC = counter(3, 50_000);
const newC = counter(9, 0);
const regs = (v: number[]) => Object.fromEntries(REGISTER_CODES.map((c, r) => [c, v[r]! / 100]));
const swapIndex = (SWAP - START) / 900_000;
const oldAtSwap = oldC(swapIndex);

const archive = `
substations: [{ id: S, name: S, timeZone: Europe/Berlin }]
meters:
  - { id: MB, serial: mb, capacity: 10000 }
  - { id: C-OLD, serial: c-old }
  - { id: C-NEW, serial: c-new }
  - { id: MW, serial: mw, capacity: 10000000000 }
points:
  - { id: A, substation: S, name: incomer, timeZone: Europe/Berlin, ctRatio: 40, ptRatio: 100 }
  - { id: B, substation: S, name: gaps and wrap, timeZone: Europe/Berlin }
  - { id: C, substation: S, name: swapped, timeZone: Europe/Berlin, ctRatio: 20 }
  - { id: D, substation: S, name: half ratio, timeZone: Europe/Berlin, ctRatio: 0.5 }
  - { id: E, substation: S, name: decrease, timeZone: Europe/Berlin, importOnly: true }
  - { id: G, substation: S, name: feeder, timeZone: Europe/Berlin }
  - { id: H, substation: S, name: bypass, timeZone: Europe/Berlin }
  - { id: W, substation: S, name: twelve digits, timeZone: Europe/Berlin }
installations:
  - { point: B, meter: MB, installedAt: '2026-01-01T00:00:00Z', initial: {} }
  - { point: W, meter: MW, installedAt: '2026-01-01T00:00:00Z', initial: {} }
  - { point: C, meter: C-OLD, installedAt: '2026-01-01T00:00:00Z', removedAt: '${new Date(SWAP).toISOString()}', initial: {}, final: ${JSON.stringify(regs(oldAtSwap))} }
  - { point: C, meter: C-NEW, installedAt: '${new Date(SWAP).toISOString()}', initial: ${JSON.stringify(regs(newC(0)))} }
bypasses:
  - { point: G, via: H, startedAt: '2026-10-12T21:30:00Z', endedAt: '2026-10-13T03:00:00Z' }
objects:
  - id: BUS
    kind: bus
    name: bus
    voltageKv: 10
    members: [{ point: A, role: in }, { point: B, role: out }, { point: C, role: out }, { point: E, role: out }]
`;

function rows(): ReadingRow[] {
  const out: ReadingRow[] = [];
  const counters = { A: counter(1, 100_000), B: counter(2, 998_000), D: counter(4, 10_000), E: counter(5, 20_000), G: counter(6, 0), H: counter(7, 0), W: counter(8, 100_000_000_000) };
  for (let i = 0; i <= STEPS; i++) {
    const ts = new Date(START + i * 900_000);
    for (const [id, c] of Object.entries(counters)) {
      let v: (number | null)[] = c(i);
      if (id === 'B') {
        // wraps at 1 000 000 steps; a short gap before 29 Oct 00:00, a long one across 27 Oct 00:00, a partial row
        v = v.map((x) => x! % 1_000_000);
        if ((i >= 2691 && i <= 2693) || (i >= 2495 && i <= 2506)) continue;
        if (i === 1234) v[7] = null;
      }
      if (id === 'E' && i === 1500) v[0] = v[0]! - 5_000;
      // a 12-digit register jumps 50 000 000 kWh in one interval: beyond the kernel's 32-bit deltas
      if (id === 'W' && i >= 2000) v[0] = v[0]! + 5_000_000_000;
      out.push({ pointId: id, ts, source: 'poll', values: v });
    }
    out.push({ pointId: 'C', ts, source: 'poll', values: i < swapIndex ? oldC(i) : newC(i - swapIndex) });
  }
  return out;
}

const TABLES = {
  interval_energy: 'point_id, ts',
  daily_energy: 'point_id, day',
  monthly_energy: 'point_id, month',
  object_result: 'object_id, period_kind, period_start',
  alarm: 'rule, object_kind, object_id, period_start',
};

async function dump(h: Database): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const [table, key] of Object.entries(TABLES)) {
    const r = await sql.raw<{ t: string }>(`SELECT (to_jsonb(x) - 'computed_at' - 'id' - 'raised_at' - 'updated_at' - 'cleared_at')::text AS t FROM ${table} x ORDER BY ${key}`).execute(h.db);
    out[table] = r.rows.map((x) => x.t);
  }
  return out;
}

async function clear(h: Database): Promise<void> {
  await sql.raw(`TRUNCATE ${Object.keys(TABLES).join(', ')}`).execute(h.db);
}

describe.each(dbTargets())('bulk recompute on $name PostgreSQL', (target) => {
  let h: Database;
  const ranges = (ids: string[], from: number, to: number) => ids.map((pointId) => ({ pointId, from: new Date(from), to: new Date(to) }));
  const all = ranges(['A', 'B', 'C', 'D', 'E', 'G', 'H', 'W'], START, END);
  beforeAll(async () => {
    h = await archivedDatabase(target, archive);
    await writeReadings(h, rows(), { markDirty: false });
  });
  afterAll(() => h.close());

  it('writes exactly the rows of the figure path for a full recompute', async () => {
    await recomputeRanges(h, all);
    const expected = await dump(h);
    await clear(h);
    const stats = await recomputeBulk(h, all, { chunkSnapshots: 2 * (STEPS + 2) }); // two points a chunk
    expect(await dump(h)).toEqual(expected);
    // 8 points × every interval of the range (25 October has 100) and two either side of it.
    expect(expected.interval_energy).toHaveLength(8 * (STEPS + 4));
    // W's jump: 5 000 000 000 + 18 hundredths, exactly (the kernel's deltas are 32-bit; the figure path took it)
    const jump = await sql<{ e: string }>`SELECT ap_imp_total::text AS e FROM interval_energy WHERE point_id = 'W' AND ts = ${new Date(START + 2000 * 900_000)}`.execute(h.db);
    expect(jump.rows[0]!.e).toBe('50000000.1800');
    expect(stats).toMatchObject({ points: 8, columnarPoints: 4, figurePoints: { C: 'meter or CT/PT change in the window', D: 'non-integer multiplier', G: 'bypass or manual energy', H: 'bypass or manual energy' } });
    expect(stats.figureIntervals).toBeGreaterThan(0);
    // the data's decrease, gaps and bus imbalance (among others) are found by both paths, as the same alarms
    expect([...new Set(expected.alarm!.map((a) => JSON.parse(a).rule))]).toEqual(expect.arrayContaining(['outlier', 'missing-data', 'bus-imbalance']));
    expect(stats.alarms.raised).toBe(expected.alarm!.length);
  });

  it('takes the DST day and the rollover on the columnar path, to the same figures', async () => {
    const day = await sql<{ ap_imp_total: string; quality: string; hours: number }>`
      SELECT ap_imp_total, quality, extract(epoch FROM period_end - period_start) / 3600 AS hours FROM daily_energy WHERE point_id = 'A' AND day = '2026-10-25'`.execute(h.db);
    const sum = await sql<{ s: string }>`SELECT sum(ap_imp_total)::text AS s FROM interval_energy WHERE point_id = 'A' AND ts > '2026-10-24T22:00:00Z' AND ts <= '2026-10-25T23:00:00Z'`.execute(h.db);
    expect(day.rows[0]).toMatchObject({ quality: 'actual' });
    expect(Number(day.rows[0]!.hours)).toBe(25);
    expect(Number(sum.rows[0]!.s)).toBe(Number(day.rows[0]!.ap_imp_total));
    const wrapped = await sql<{ q: string }>`SELECT quality AS q FROM monthly_energy WHERE point_id = 'B' AND month = '2026-10-01'`.execute(h.db);
    expect(wrapped.rows[0]!.q).toBe('actual');
  });

  it('writes exactly the rows of the figure path for dirty sub-ranges', async () => {
    const dirty = [
      ...ranges(['A', 'B', 'E'], Date.parse('2026-10-24T21:00:00Z'), Date.parse('2026-10-25T23:00:00Z')),
      ...ranges(['B'], Date.parse('2026-10-28T20:00:00Z'), Date.parse('2026-10-29T02:00:00Z')),
      ...ranges(['C'], Date.parse('2026-10-26T08:00:00Z'), Date.parse('2026-10-26T12:00:00Z')),
    ];
    await clear(h);
    // The figure path takes one range per point (claimed tasks are merged per point).
    for (const r of dirty) await recomputeRanges(h, [r]);
    const expected = await dump(h);
    await clear(h);
    for (const r of dirty) await recomputeBulk(h, [r]);
    expect(await dump(h)).toEqual(expected);
    expect(expected.object_result!.length).toBeGreaterThan(0);
  });

  // Also: the reverse energy of E all month stays one alarm, not one more for the day recomputed.
  it('leaves a stored month alone when a range cannot reach its boundaries, and recomputes it when one can', async () => {
    await clear(h);
    await recomputeBulk(h, all);
    const expected = await dump(h);
    const stamps = async () => (await sql<{ k: string; at: Date }>`
      SELECT point_id || ' ' || month AS k, computed_at AS at FROM monthly_energy WHERE month = '2026-10-01'
      UNION ALL SELECT object_id || ' ' || period_kind, computed_at FROM object_result WHERE period_kind = 'month' AND period_start = '2026-09-30T22:00:00Z'
      UNION ALL SELECT point_id || ' ' || day, computed_at FROM daily_energy WHERE day = '2026-10-14' ORDER BY 1`.execute(h.db)).rows;
    const before = new Map((await stamps()).map((r) => [r.k, r.at.getTime()]));
    // Mid-October: the day and its intervals change, October (boundaries 1 and 31 October 22:00 UTC) does not.
    const stats = await recomputeBulk(h, ranges(['A', 'B', 'E'], Date.parse('2026-10-13T22:15:00Z'), Date.parse('2026-10-14T22:00:00Z')));
    expect(await dump(h)).toEqual(expected);
    const after = new Map((await stamps()).map((r) => [r.k, r.at.getTime()]));
    for (const k of ['A 2026-10-01', 'B 2026-10-01', 'E 2026-10-01', 'BUS month']) expect(after.get(k), k).toBe(before.get(k));
    for (const k of ['A 2026-10-14', 'B 2026-10-14', 'E 2026-10-14']) expect(after.get(k)!, k).toBeGreaterThan(before.get(k)!);
    expect(stats.months).toBe(0);
    // An hour before the month ends is within the estimation gap of its last boundary reading.
    const late = await recomputeBulk(h, ranges(['A'], Date.parse('2026-10-31T22:00:00Z'), Date.parse('2026-10-31T22:45:00Z')));
    expect(late.months).toBeGreaterThanOrEqual(1);
    expect((await stamps()).find((r) => r.k === 'A 2026-10-01')!.at.getTime()).toBeGreaterThan(before.get('A 2026-10-01')!);
    expect(await dump(h)).toEqual(expected);
    // An archive import may change a ratio or an object without a dirty range: months stored
    // before it are computed again, with the objects' months above them.
    const beforeImport = new Map((await stamps()).map((r) => [r.k, r.at.getTime()]));
    await importArchiveText(h, archive);
    const again = await recomputeBulk(h, ranges(['B', 'E'], Date.parse('2026-10-13T22:15:00Z'), Date.parse('2026-10-14T22:00:00Z')));
    expect(again.months).toBe(2);
    const afterImport = new Map((await stamps()).map((r) => [r.k, r.at.getTime()]));
    for (const k of ['B 2026-10-01', 'E 2026-10-01', 'BUS month']) expect(afterImport.get(k)!, k).toBeGreaterThan(beforeImport.get(k)!);
    expect(await dump(h)).toEqual(expected);
  });
});
