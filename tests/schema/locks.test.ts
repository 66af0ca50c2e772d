/**
 * Settled months are locked for every writer: the bulk write path keeps readings that fall in
 * a locked month as a pending change instead of writing them, and an archive that would change
 * a locked month's history is refused whole.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { importArchiveFile, importReadingsFile, MonthLockedError, type Database } from '../../schema/index.ts';
import { dbTargets, exampleWithF1OctoberSettled } from '../support/db.ts';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'mf-locks-'));

describe.each(dbTargets())('month locks on $name PostgreSQL', (target) => {
  let h: Database;
  beforeAll(async () => {
    h = await exampleWithF1OctoberSettled(target);
  });
  afterAll(() => h.close());

  it('keeps readings of the locked month as a pending change and writes the others', async () => {
    const csv = join(dir, `late-${target.name}.csv`);
    writeFileSync(csv, 'point,ts,register,value\nF1,2026-10-20T12:00:00+02:00,ap_imp.total,5000.00\nF1,2026-11-02T12:00:00+01:00,ap_imp.total,5100.00\nF2,2026-10-20T12:00:00+02:00,ap_imp.total,700.00\n');
    const r = await importReadingsFile(h, csv);
    expect(r.written).toBe(2);
    expect(r.held).toHaveLength(1);
    expect(r.held[0]).toMatchObject({ rows: 1, lock: { month: '2026-10', runId: '7', actor: 'billing-clerk', pointId: 'F1' } });
    const kept = await h.pool.query(`SELECT kind, point_ids, payload, state FROM pending_change WHERE id = $1`, [r.held[0]!.pendingId]);
    expect(kept.rows[0]).toMatchObject({ kind: 'readings', point_ids: ['F1'], state: 'held' });
    expect(kept.rows[0].payload.readings[0]).toMatchObject({ pointId: 'F1', ts: '2026-10-20T10:00:00.000Z', values: [500000, ...Array(19).fill(null)] });
    const stored = await h.pool.query(`SELECT point_id, ts FROM reading WHERE point_id IN ('F1','F2') AND ts > '2026-10-15' ORDER BY 1, 2`);
    expect(stored.rows.map((x) => `${x.point_id} ${x.ts.toISOString()}`)).toEqual(['F1 2026-11-02T11:00:00.000Z', 'F2 2026-10-20T10:00:00.000Z']);
  });

  it('says at the CLI which settlement locks the month and how to reopen it (exit 1)', async () => {
    const csv = join(dir, `cli-${target.name}.csv`);
    writeFileSync(csv, 'point,ts,register,value\nF1,2026-10-21T12:00:00+02:00,ap_imp.total,5001.00\n');
    const err = (await run('node', ['cli/bin.js', 'import', 'readings', csv], { env: { ...process.env, DATABASE_URL: h.url } }).catch((e) => e)) as { code: number; stderr: string };
    expect(err.code).toBe(1);
    expect(err.stderr).toMatch(/month 2026-10 of point F1 is locked by settlement run #7 \(version 1, by billing-clerk/);
    expect(err.stderr).toContain('meterflow settle --month 2026-10 --reopen --reason');
  });

  it('takes a file that repeats stored readings of the locked month as unchanged (its closing reading, a re-import)', async () => {
    const first = join(dir, `november-${target.name}.csv`);
    writeFileSync(first, 'point,ts,register,value\nF1,2026-11-01T00:00:00+01:00,ap_imp.total,5050.00\nF1,2026-11-01T00:15:00+01:00,ap_imp.total,5050.25\n');
    await h.pool.query(`DELETE FROM month_lock WHERE run_id = 7`);
    await importReadingsFile(h, first);
    await h.pool.query(`INSERT INTO month_lock (month, point_id, run_id, period_start, period_end) VALUES ('2026-10-01', 'F1', 7, '2026-09-30T22:00Z', '2026-10-31T23:00Z')`);
    // The month's closing reading (31 Oct 23:00 UTC) is in the lock; the file repeats it.
    const again = await importReadingsFile(h, first);
    expect(again).toMatchObject({ written: 0, unchanged: 2, held: [] });
    const cli = await run('node', ['cli/bin.js', 'import', 'readings', first], { env: { ...process.env, DATABASE_URL: h.url } });
    expect(cli.stdout).toContain('0 written, 2 unchanged');
  });

  it('refuses a differing value in the locked month as a conflict instead of holding it, and holds the registers it adds', async () => {
    const csv = join(dir, `conflict-${target.name}.csv`);
    writeFileSync(csv, 'point,ts,register,value\nF1,2026-11-01T00:00:00+01:00,ap_imp.total,5051.00\n');
    const err = await importReadingsFile(h, csv).catch((e: unknown) => e);
    expect(String(err)).toMatch(/ap_imp\.total of F1 at 2026-11-01T00:00:00\+01:00 is stored as 5050\.00, not 5051\.00; use --correct/);
    expect((await h.pool.query(`SELECT count(*)::int AS n FROM pending_change WHERE payload::text LIKE '%2026-10-31T23:00:00%'`)).rows[0].n).toBe(0);
    const fill = join(dir, `fill-${target.name}.csv`);
    writeFileSync(fill, 'point,ts,register,value\nF1,2026-11-01T00:00:00+01:00,ap_imp.total,5050.00\nF1,2026-11-01T00:00:00+01:00,ap_exp.total,3.00\n');
    const r = await importReadingsFile(h, fill);
    expect(r.held).toHaveLength(1);
    const kept = await h.pool.query(`SELECT payload FROM pending_change WHERE id = $1`, [r.held[0]!.pendingId]);
    // Only the register it adds is held; the repeated total is not.
    expect(kept.rows[0].payload.readings[0].values.slice(0, 6)).toEqual([null, null, null, null, null, 300]);
  });

  it('keeps readings of two settled months as one pending change each, so reopening one applies its own', async () => {
    await h.pool.query(`INSERT INTO settlement_run (id, month, version, state, actor) VALUES (8, '2026-11-01', 1, 'locked', 'billing-clerk')`);
    await h.pool.query(`INSERT INTO month_lock (month, point_id, run_id, period_start, period_end) VALUES
      ('2026-10-01', 'F3', 7, '2026-09-30T22:00Z', '2026-10-31T23:00Z'), ('2026-11-01', 'F3', 8, '2026-10-31T23:00Z', '2026-11-30T23:00Z')`);
    const csv = join(dir, `two-months-${target.name}.csv`);
    writeFileSync(csv, 'point,ts,register,value\nF3,2026-10-20T12:00:00+02:00,ap_imp.total,50.00\nF3,2026-11-20T12:00:00+01:00,ap_imp.total,60.00\n');
    const r = await importReadingsFile(h, csv);
    expect(r.held.map((x) => [x.lock.month, x.rows]).sort()).toEqual([['2026-10', 1], ['2026-11', 1]]);
    const kept = await h.pool.query(`SELECT to_char(month, 'YYYY-MM') AS month, payload->'readings'->0->>'ts' AS ts FROM pending_change WHERE id = ANY($1::bigint[]) ORDER BY month`, [r.held.map((x) => x.pendingId)]);
    expect(kept.rows).toEqual([{ month: '2026-10', ts: '2026-10-20T10:00:00.000Z' }, { month: '2026-11', ts: '2026-11-20T11:00:00.000Z' }]);
  });

  it('refuses an archive that changes the locked month’s history, and accepts its re-import', async () => {
    const swap = join(dir, `swap-${target.name}.yaml`);
    writeFileSync(swap, [
      'meters: [{ id: M-F1B, serial: "22019999", capacity: 1000000.00 }]',
      'installations:',
      '  - { point: F1, meter: M-F1B, installedAt: "2026-10-15T12:00:00+02:00", initial: { ap_imp.total: 0 } }',
    ].join('\n'));
    await expect(importArchiveFile(h, swap)).rejects.toBeInstanceOf(MonthLockedError);
    expect((await h.pool.query(`SELECT count(*)::int AS n FROM meter WHERE id = 'M-F1B'`)).rows[0].n).toBe(0);
    await expect(importArchiveFile(h, 'examples/archive.yaml')).resolves.toBeDefined();
  });
});
