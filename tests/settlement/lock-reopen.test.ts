/**
 * The completeness gate, the month lock, a late backfill refused into a locked month and kept,
 * the reopen that applies it, and version 2 with its difference statement — all audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Database } from '../../schema/index.ts';
import {
  MonthLockedError, MonthSettledError, SettlementRefusedError, formatDecimal, lockedMonth, reopenMonth, settleMonth, writeReadingsUnlessLocked,
} from '../../calc-engine/settlement/index.ts';
import { dbTargets, freshDatabase } from '../support/db.ts';
import { fixture } from './fixture.ts';

const values = (v: number) => Array.from({ length: 20 }, (_, i) => (i % 5 === 0 ? v : null));

describe.each(dbTargets())('gate, lock and reopen on $name', (target) => {
  let h: Database;
  beforeAll(async () => {
    h = await freshDatabase(target);
    const f = fixture(h);
    await f.tariff('FLAT', '2026-01-01', null, { energy: { kind: 'single', price: '0.2000' } });
    for (const p of ['P1', 'P2', 'P3']) await f.point(p);
    await f.account('A1', 'FLAT', [['P1', 1]]);
    await f.account('A2', 'FLAT', [['P2', 1], ['P3', -1]]);
    await f.monthly('P1', '2026-10', { ap_imp_total: '1000.00' });
    await f.monthly('P2', '2026-10', { ap_imp_total: '500.00' }, 'estimated');
    // P3 has no monthly figure yet.
  });
  afterAll(async () => h?.close());

  it('refuses with the list of what is missing, writing nothing but the audit row', async () => {
    const err = await settleMonth(h, { month: '2026-10', actor: 'alice' }).catch((e) => e);
    expect(err).toBeInstanceOf(SettlementRefusedError);
    expect((err as SettlementRefusedError).problems).toEqual([
      { accountId: 'A2', pointId: 'P2', problem: expect.stringContaining('estimated: approve with --approve-estimates') },
      { accountId: 'A2', pointId: 'P3', problem: expect.stringContaining('no monthly figure') },
    ]);
    const runs = await sql<{ n: string }>`SELECT count(*)::text AS n FROM settlement_run`.execute(h.db);
    expect(runs.rows[0]!.n).toBe('0');
    const audit = await sql<{ action: string }>`SELECT action FROM audit_log WHERE entity = 'settlement'`.execute(h.db);
    expect(audit.rows.map((r) => r.action)).toEqual(['settle-refused']);
  });

  it('settles with estimates approved by a named person, and locks the month', async () => {
    await fixture(h).monthly('P3', '2026-10', { ap_imp_total: '100.00' });
    const r = await settleMonth(h, { month: '2026-10', actor: 'alice', approveEstimates: true });
    expect(r.run.version).toBe(1);
    const a2 = r.statements.find((s) => s.accountId === 'A2')!;
    expect(a2.figures.members).toEqual([
      expect.objectContaining({ pointId: 'P2', sign: 1, quality: 'estimated', approvedBy: 'alice', activeImport: '500.00' }),
      expect.objectContaining({ pointId: 'P3', sign: -1, quality: 'actual', activeImport: '100.00' }),
    ]);
    expect(formatDecimal(a2.total)).toBe('80.00'); // (500 − 100) × 0.2
    expect(r.run.summary.total).toBe('280.00'); // 200.00 + 80.00
    expect(r.run.summary.approvedEstimates).toEqual(['A2/P2']);
    const lock = await lockedMonth(h, ['P1'], new Date('2026-10-15T00:00:00Z'), new Date('2026-10-15T00:00:00Z'));
    expect(lock).toMatchObject({ month: '2026-10', runId: r.run.id, version: 1, actor: 'alice', pointId: 'P1' });
    // The boundary reading at 1 Nov 00:00 belongs to October; 2 Nov does not.
    expect(await lockedMonth(h, ['P1'], new Date('2026-11-01T00:00:00Z'), new Date('2026-11-01T00:00:00Z'))).not.toBeNull();
    expect(await lockedMonth(h, ['P1'], new Date('2026-11-02T00:00:00Z'), new Date('2026-11-03T00:00:00Z'))).toBeNull();
    await expect(settleMonth(h, { month: '2026-10', actor: 'alice' })).rejects.toBeInstanceOf(MonthSettledError);
  });

  it('refuses a late backfill into the locked month, keeps it, and writes the rest', async () => {
    const rows = [
      { pointId: 'P1', ts: new Date('2026-10-20T00:00:00Z'), source: 'backfill' as const, values: values(50_000) },
      { pointId: 'P1', ts: new Date('2026-12-05T00:00:00Z'), source: 'backfill' as const, values: values(90_000) },
    ];
    const err = await writeReadingsUnlessLocked(h, rows, { actor: 'collector' }).catch((e) => e);
    expect(err).toBeInstanceOf(MonthLockedError);
    expect((err as Error).message).toMatch(/month 2026-10 of point P1 is locked by settlement run #\d+ \(version 1, by alice/);
    expect((err as Error).message).toContain('kept as pending change');
    const stored = await sql<{ ts: Date }>`SELECT ts FROM reading WHERE point_id = 'P1' ORDER BY ts`.execute(h.db);
    expect(stored.rows.map((r) => r.ts.toISOString())).toEqual(['2026-12-05T00:00:00.000Z']);
    const held = await sql<{ state: string; kind: string }>`SELECT state, kind FROM pending_change`.execute(h.db);
    expect(held.rows).toEqual([{ state: 'held', kind: 'readings' }]);
  });

  it('reopens with a reason, applies the kept change, and waits for the engine', async () => {
    await sql`UPDATE calc_task SET state = 'done'`.execute(h.db); // the December write's recomputation
    const r = await reopenMonth(h, { month: '2026-10', actor: 'bob', reason: 'late backfill for P1' });
    expect(r.applied).toHaveLength(1);
    expect(r.failed).toEqual([]);
    const stored = await sql<{ n: string }>`SELECT count(*)::text AS n FROM reading WHERE point_id = 'P1'`.execute(h.db);
    expect(stored.rows[0]!.n).toBe('2');
    expect(await lockedMonth(h, ['P1'], new Date('2026-10-15T00:00:00Z'), new Date('2026-10-15T00:00:00Z'))).toBeNull();
    // Every point the lock held is marked dirty for the whole month: work the engine left out
    // while it was settled (a task spanning it, cut around the lock) takes effect now.
    const marked = await sql<{ point_id: string }>`SELECT DISTINCT point_id FROM calc_task WHERE reason = 'reopen' AND state = 'pending'
      AND from_ts <= '2026-10-01T00:00Z' AND to_ts >= '2026-10-31T23:00Z' ORDER BY point_id`.execute(h.db);
    expect(marked.rows.length).toBeGreaterThan(0);
    expect(marked.rows.map((r) => r.point_id)).toContain('P1');
    // The backfill marked October dirty: settling now would bill stale figures.
    const err = await settleMonth(h, { month: '2026-10', actor: 'bob', approveEstimates: true }).catch((e) => e);
    expect(err).toBeInstanceOf(SettlementRefusedError);
    expect((err as SettlementRefusedError).problems[0]!.problem).toContain('recomputation of this month is pending');
  });

  it('settles version 2 with a difference statement against version 1', async () => {
    // The engine recomputes October: P1 gained 100 kWh.
    await fixture(h).monthly('P1', '2026-10', { ap_imp_total: '1100.00' });
    await sql`UPDATE calc_task SET state = 'done'`.execute(h.db);
    const r = await settleMonth(h, { month: '2026-10', actor: 'bob', approveEstimates: true });
    expect(r.run.version).toBe(2);
    expect(r.run.reason).toBe('late backfill for P1');
    const d1 = r.differences.find((s) => s.accountId === 'A1')!;
    expect(d1.lines.map((l) => [l.code, formatDecimal(l.quantity), formatDecimal(l.amount)])).toEqual([['energy.total', '100', '20.00']]); // 100 kWh × 0.2
    expect(formatDecimal(d1.total)).toBe('20.00');
    expect(formatDecimal(r.differences.find((s) => s.accountId === 'A2')!.total)).toBe('0.00');
    expect(r.run.summary.difference).toEqual({ againstVersion: 1, total: '20.00', accountsChanged: 1 });
    const audit = await sql<{ action: string; actor: string; reason: string | null }>`SELECT action, actor, reason FROM audit_log WHERE action NOT IN ('correct-reading') ORDER BY id`.execute(h.db);
    expect(audit.rows.map((a) => a.action)).toEqual(['settle-refused', 'settle', 'approve-estimates', 'lock', 'hold-change', 'reopen', 'apply-pending', 'settle-refused', 'settle', 'approve-estimates', 'lock']);
    expect(audit.rows.find((a) => a.action === 'reopen')).toEqual({ action: 'reopen', actor: 'bob', reason: 'late backfill for P1' });
  });

  it('re-settles without any data change to a zero difference', async () => {
    await reopenMonth(h, { month: '2026-10', actor: 'bob', reason: 'check' });
    await sql`UPDATE calc_task SET state = 'done'`.execute(h.db); // the engine recomputes the reopened month: nothing changed
    const r = await settleMonth(h, { month: '2026-10', actor: 'bob', approveEstimates: true });
    expect(r.run.version).toBe(3);
    expect(r.differences.every((d) => d.lines.every((l) => l.amount.units === 0n && l.quantity.units === 0n))).toBe(true);
    expect(r.run.summary.difference).toEqual({ againstVersion: 2, total: '0.00', accountsChanged: 0 });
  });

  it('reverses every line of an account that is no longer settled', async () => {
    await reopenMonth(h, { month: '2026-10', actor: 'bob', reason: 'A2 closed' });
    await sql`UPDATE calc_task SET state = 'done'`.execute(h.db); // the engine recomputes the reopened month
    await sql`DELETE FROM account WHERE id = 'A2'`.execute(h.db);
    const r = await settleMonth(h, { month: '2026-10', actor: 'bob' });
    expect(r.statements.map((s) => s.accountId)).toEqual(['A1']);
    const gone = r.differences.find((d) => d.accountId === 'A2')!;
    expect(formatDecimal(gone.total)).toBe('-80.00');
    expect(r.run.summary.difference).toEqual({ againstVersion: 3, total: '-80.00', accountsChanged: 1 });
  });
});
