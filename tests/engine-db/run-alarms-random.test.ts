/**
 * Property (fast-check) on a real database: whatever order readings arrive in — live batches,
 * backfills of older intervals, a link coming back after an outage — the open run alarms
 * (missing data, reverse energy, frozen reading, stuck register) and the verdicts judged against
 * an interval's neighbours (spike, demand jump), and the interval and daily figures after each
 * batch is recomputed alone are those a recomputation from scratch finds, by the worker's own
 * path and claims. Every other point judges by limits of its own from the archive.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { writeReadings, type Database, type ReadingRow } from '../../schema/index.ts';
import { drainTasks, recomputeBulk } from '../../calc-engine/store/index.ts';
import { archivedDatabase, dbTargets } from '../support/db.ts';
import { meterSnapshots } from '../support/readings.ts';

const RUNS = Number(process.env.MF_RUNS ?? 12);
const POINTS = 200; // one fresh point per run, shrinking included
const N = 40; // snapshots 0..N
const T0 = Date.parse('2026-10-09T22:00:00Z'); // 10 October, 00:00 Berlin
const STEP = 900_000;
/** Every other point has check limits of its own (archive `checks`): runs of other lengths, short gaps allowed. */
const checksOf = (k: number) => (k % 2 === 0 ? '' : `, checks: { frozenIntervals: ${2 + (k % 5)}, stuckIntervals: ${2 + ((k * 3) % 5)}, missingAllowedIntervals: ${k % 3}, spikeFactor: ${5 + (k % 4) * 5} }`);
const archive = `
substations: [{ id: S, name: S, timeZone: Europe/Berlin }]
points:
${Array.from({ length: POINTS }, (_, k) => `  - { id: R${k}, substation: S, name: r${k}, timeZone: Europe/Berlin, importOnly: true${checksOf(k)} }`).join('\n')}
`;

/** Per interval: 0 normal load, 1 load and export, 2 frozen (nothing moves), 3 import total stuck, 4 a spike of load; per snapshot: absent. */
const timeline = fc.record({
  kinds: fc.array(fc.constantFrom(0, 0, 1, 2, 3, 4), { minLength: N, maxLength: N }),
  absent: fc.array(fc.constantFrom(false, false, false, true), { minLength: N + 1, maxLength: N + 1 }),
  // The snapshots in the order they arrive: batches of 1 to 6, shuffled by a key.
  keys: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: N + 1, maxLength: N + 1 }),
  sizes: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: N + 1, maxLength: N + 1 }),
});

const snapshots = (point: string, kinds: number[], absent: boolean[]): ReadingRow[] =>
  meterSnapshots(point, T0, N, (i) => ({ export: kinds[i - 1] === 1 ? 7 : 0, frozen: kinds[i - 1] === 2, stuck: kinds[i - 1] === 3, import: kinds[i - 1] === 4 ? 2_400 : 100 }), { absent: (i) => absent[i]!, importStart: 500_000, exportStart: 1_000 });

const RULES = ['missing-data', 'reverse-energy', 'frozen-reading', 'outlier', 'demand-jump'];
type Row = { rule: string; period_start: Date; period_end: Date; observed: string; severity: string };
const open = async (h: Database, point: string) =>
  (await sql<Row>`SELECT rule, period_start, period_end, observed, severity FROM alarm
    WHERE object_id = ${point} AND rule = ANY(${RULES}::text[]) AND state <> 'cleared' ORDER BY rule, period_start`.execute(h.db)).rows
    .map((r) => `${r.rule} ${(r.period_start.getTime() - T0) / STEP}..${(r.period_end.getTime() - T0) / STEP} ${Number(r.observed)} ${r.severity}`);

/**
 * The point's interval figures between its first and last reading (before the first nothing was
 * collected yet, after the last the next has not come: what a window stores there is its own
 * edge) and its daily figures from the first reading's day on, as stored.
 */
const figures = async (h: Database, point: string) => ({
  intervals: (await sql`SELECT ts, quality, method, ap_imp_total::text, ap_exp_total::text FROM interval_energy
    WHERE point_id = ${point} AND ts > (SELECT min(ts) FROM reading WHERE point_id = ${point})
      AND ts <= (SELECT max(ts) FROM reading WHERE point_id = ${point}) ORDER BY ts`.execute(h.db)).rows,
  days: (await sql`SELECT day::text, quality, method, ap_imp_total::text FROM daily_energy
    WHERE point_id = ${point} AND period_end > (SELECT min(ts) FROM reading WHERE point_id = ${point}) ORDER BY day`.execute(h.db)).rows,
});

describe.each(dbTargets())('run alarms in any arrival order on $name PostgreSQL', (target) => {
  let h: Database;
  beforeAll(async () => {
    h = await archivedDatabase(target, archive);
  });
  afterAll(() => h.close());

  it('equal the alarms from scratch', async () => {
    let k = 0, seen = 0;
    await fc.assert(
      fc.asyncProperty(timeline, async ({ kinds, absent, keys, sizes }) => {
        const point = `R${k++}`;
        const rows = snapshots(point, kinds, absent);
        const order = rows.map((r, i) => ({ r, key: keys[i]! })).sort((a, b) => a.key - b.key).map((x) => x.r);
        for (let i = 0, b = 0; i < order.length; i += sizes[b++]!) {
          await writeReadings(h, order.slice(i, i + sizes[b]!));
          await drainTasks(h);
        }
        const live = await open(h, point);
        const liveFigures = await figures(h, point);
        await sql`DELETE FROM alarm WHERE object_id = ${point}`.execute(h.db);
        await recomputeBulk(h, [{ pointId: point, from: new Date(T0), to: new Date(T0 + N * STEP) }]);
        expect(live).toEqual(await open(h, point));
        expect(liveFigures).toEqual(await figures(h, point));
        seen += live.filter((a) => /^(missing-data|reverse-energy|frozen-reading) /.test(a)).length;
      }),
      { numRuns: RUNS },
    );
    expect(seen).toBeGreaterThan(RUNS); // the timelines do raise run alarms
  }, 300_000);
});
