/**
 * Two `meterflow engine run --once` processes on one database split the dirty ranges: every
 * task is done exactly once, by one of them, and the figures equal a single recomputation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { writeReadings, type Database, type ReadingRow } from '../../schema/index.ts';
import { recomputeRanges } from '../../calc-engine/store/index.ts';
import { dbTargets, freshDatabase, importArchiveText } from '../support/db.ts';

const run = promisify(execFile);
const POINTS = 24;
const start = Date.parse('2026-10-04T22:00:00Z');

describe.each(dbTargets())('two engine processes on $name PostgreSQL', (target) => {
  let h: Database;
  beforeAll(async () => {
    h = await freshDatabase(target);
    const ids = Array.from({ length: POINTS }, (_, i) => `P${i}`);
    await importArchiveText(h, [
      'substations: [{ id: S, name: S, timeZone: Europe/Berlin }]',
      'points:', ...ids.map((id) => `  - { id: ${id}, substation: S, name: ${id}, timeZone: Europe/Berlin }`),
    ].join('\n'));
    // Two days per point, written in many small batches: many tasks to split.
    for (const [p, id] of ids.entries()) {
      const rows: ReadingRow[] = Array.from({ length: 193 }, (_, i) => ({
        pointId: id, ts: new Date(start + i * 900_000), source: 'poll',
        values: [100_000 + i * (10 + p), ...new Array<number | null>(19).fill(null)],
      }));
      for (let i = 0; i < rows.length; i += 16) await writeReadings(h, rows.slice(i, i + 16));
    }
  });
  afterAll(() => h.close());

  it('splits the tasks with no double work, and the figures are right', async () => {
    const before = (await h.pool.query(`SELECT count(*)::int AS n FROM calc_task WHERE state = 'pending'`)).rows[0].n as number;
    expect(before).toBeGreaterThan(POINTS * 10);
    const engine = () => run('node', ['cli/bin.js', 'engine', 'run', '--once', '--batch', '8'], { env: { ...process.env, DATABASE_URL: h.url } });
    await Promise.all([engine(), engine()]);
    const tasks = (await h.pool.query(`SELECT state, attempts, claimed_by FROM calc_task`)).rows;
    expect(tasks.every((t) => t.state === 'done' && t.attempts === 1)).toBe(true);
    const workers = new Set(tasks.map((t) => String(t.claimed_by).split(':').slice(0, 2).join(':')));
    expect(workers.size).toBe(2);
    const daily = async () => (await h.pool.query(`SELECT point_id, day::text, ap_imp_total::text FROM daily_energy ORDER BY 1, 2`)).rows;
    const byWorkers = await daily();
    // P7 counts 17 steps of 0.01 kWh per interval: 96 × 0.17 = 16.32 kWh on 5 October.
    expect(byWorkers.find((r) => r.point_id === 'P7' && r.day === '2026-10-05')?.ap_imp_total).toBe('16.3200');
    await recomputeRanges(h, Array.from({ length: POINTS }, (_, i) => ({ pointId: `P${i}`, from: new Date(start), to: new Date(start + 2 * 86_400_000) })));
    expect(await daily()).toEqual(byWorkers);
  });
});
