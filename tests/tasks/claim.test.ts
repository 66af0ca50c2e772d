import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Database } from '../../schema/index.ts';
import { claimWithin, claimWork, completeWork, failWork, markDirty, taskCounts } from '../../calc-engine/tasks/index.ts';
import { dbTargets, freshDatabase } from '../support/db.ts';
import { drainTasks, holdingClaims } from '../../calc-engine/store/index.ts';

const run = promisify(execFile);

describe.each(dbTargets())('calculation tasks on $name PostgreSQL', (target) => {
  let h: Database;
  beforeAll(async () => {
    h = await freshDatabase(target);
  });
  afterAll(() => h.close());

  it('merges a point’s dirty ranges that meet, and keeps far-apart ones separate', async () => {
    await markDirty(h, [
      { pointId: 'A', from: new Date('2026-10-01T00:00Z'), to: new Date('2026-10-01T06:00Z') },
      { pointId: 'A', from: new Date('2026-10-01T12:00Z'), to: new Date('2026-10-02T01:00Z') },
      { pointId: 'A', from: new Date('2026-10-20T00:00Z'), to: new Date('2026-10-20T01:00Z') },
      { pointId: 'B', from: new Date('2026-10-02T00:00Z'), to: new Date('2026-10-02T01:00Z') },
    ], 'test');
    const work = await claimWork(h, { worker: 'w1' });
    expect(work.map((w) => [w.pointId, w.from.toISOString(), w.to.toISOString(), w.taskIds.length])).toEqual([
      ['A', '2026-10-01T00:00:00.000Z', '2026-10-02T01:00:00.000Z', 2],
      ['A', '2026-10-20T00:00:00.000Z', '2026-10-20T01:00:00.000Z', 1],
      ['B', '2026-10-02T00:00:00.000Z', '2026-10-02T01:00:00.000Z', 1],
    ]);
    expect(await claimWork(h, { worker: 'w2' })).toEqual([]);
    expect(await completeWork(h, 'w2', work[0]!.taskIds)).toBe(0);
    expect(await completeWork(h, 'w1', work.flatMap((w) => w.taskIds))).toBe(4);
  });

  it('gives the tasks of a dead worker to another once the lease runs out, and fails after max attempts', async () => {
    await markDirty(h, [{ pointId: 'C', from: new Date('2026-10-01Z'), to: new Date('2026-10-02Z') }], 'test');
    const lost = await claimWork(h, { worker: 'dead' });
    expect(lost).toHaveLength(1);
    expect(await claimWork(h, { worker: 'alive', leaseMs: 60_000 })).toEqual([]);
    const again = await claimWork(h, { worker: 'alive', leaseMs: 0 });
    expect(again.map((w) => w.taskIds)).toEqual(lost.map((w) => w.taskIds));
    await failWork(h, 'alive', again[0]!.taskIds, 'boom', 2);
    expect((await taskCounts(h)).failed).toBe(1);
  });

  it('keeps a claim a worker is still working on past its lease: nobody takes it again', async () => {
    await markDirty(h, [{ pointId: 'D', from: new Date('2026-10-01Z'), to: new Date('2026-10-02Z') }], 'test');
    let stolen: unknown[] = ['not asked'];
    // The batch takes 1.2 s, four leases of 0.3 s; another worker asks after 0.9 s.
    const done = await drainTasks(h, {
      worker: 'slow', leaseMs: 300,
      onBatch: async () => {
        await new Promise((r) => setTimeout(r, 900));
        stolen = await claimWork(h, { worker: 'thief', leaseMs: 300 });
        await new Promise((r) => setTimeout(r, 300));
      },
    });
    expect(stolen).toEqual([]);
    expect(done).toBe(1);
    const task = await h.db.selectFrom('calc_task').select(['state', 'claimed_by', 'attempts']).where('point_id', '=', 'D').executeTakeFirstOrThrow();
    expect(task).toEqual({ state: 'done', claimed_by: 'slow', attempts: 1 });
  });

  it('splits the work of two worker processes with no task done twice and none lost', async () => {
    const ranges = Array.from({ length: 1200 }, (_, i) => ({
      pointId: `P${i % 150}`, from: new Date(Date.UTC(2026, 9, 1 + (i % 28))), to: new Date(Date.UTC(2026, 9, 2 + (i % 28))),
    }));
    await markDirty(h, ranges, 'test');
    const before = await h.db.selectFrom('calc_task').select('id').where('state', '=', 'pending').execute();
    const startAt = String(Date.now() + 5000);
    const worker = (name: string) => run('node', ['--import', 'tsx', 'tests/support/claim-worker.ts', h.url, name, startAt]).then((r) => JSON.parse(r.stdout) as string[]);
    const [a, b] = await Promise.all([worker('a'), worker('b')]);
    expect(a.length).toBeGreaterThan(0);
    expect(b.length).toBeGreaterThan(0);
    const all = [...a, ...b];
    expect(new Set(all).size).toBe(all.length);
    expect(new Set(all)).toEqual(new Set(before.map((r) => r.id)));
    expect((await taskCounts(h)).pending).toBe(0);
  });

  it('leaves a point to the worker computing it, until that worker\'s lease runs out', async () => {
    const range = { pointId: 'L', from: new Date('2026-10-01T00:00Z'), to: new Date('2026-10-02T00:00Z') };
    await markDirty(h, [range], 'test');
    // A worker claimed L two minutes ago and has not renewed since.
    await claimWork(h, { worker: 'gone', limit: 10 });
    await h.db.updateTable('calc_task').set({ claimed_at: new Date(Date.now() - 120_000) }).where('point_id', '=', 'L').execute();
    await markDirty(h, [range], 'new reading');
    expect(await claimWithin(h, 'cli', [range])).toEqual([]); // under the default five-minute lease it is still computing
    const [work] = await claimWithin(h, 'cli', [range], 60_000); // under a one-minute lease it is dead
    expect(work?.pointId).toBe('L');
    expect(work?.taskIds).toHaveLength(1);
  });

  it('gives claimed tasks back when the work fails, and reports that failure even when giving back fails too', async () => {
    const range = { pointId: 'F', from: new Date('2026-10-01T00:00Z'), to: new Date('2026-10-02T00:00Z') };
    await markDirty(h, [range], 'test');
    const [work] = await claimWithin(h, 'f1', [range]);
    expect(work?.pointId).toBe('F');
    await expect(holdingClaims(h, 'f1', work!.taskIds, 60_000, async () => {
      throw new Error('recompute broke');
    })).rejects.toThrow('recompute broke');
    const given = await h.db.selectFrom('calc_task').select(['state', 'error']).where('point_id', '=', 'F').executeTakeFirstOrThrow();
    expect(given).toEqual({ state: 'pending', error: 'recompute broke' });
    // The database goes away during the work: giving back fails, the work's own error is the one reported.
    const other = await freshDatabase(target);
    await expect(holdingClaims(other, 'f2', ['1'], 60_000, async () => {
      await other.close();
      throw new Error('recompute broke again');
    })).rejects.toThrow('recompute broke again');
  });
});

