/**
 * Manual energy in a settled month is kept as a pending change (committed, applied on reopen)
 * and refused; the first day of the next month is not in that month's lock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MonthLockedError, type Database } from '../../schema/index.ts';
import { AdjustmentError, recordAdjustment } from '../../calc-engine/store/index.ts';
import { dbTargets, exampleWithF1OctoberSettled } from '../support/db.ts';

describe.each(dbTargets())('manual energy and month locks on $name PostgreSQL', (target) => {
  let h: Database;
  beforeAll(async () => {
    h = await exampleWithF1OctoberSettled(target);
  });
  afterAll(() => h.close());

  const adjust = (period: Parameters<typeof recordAdjustment>[1]['period']) =>
    recordAdjustment(h, { pointId: 'F1', register: 'ap_imp.total', kind: 'supplementary', period, value: '5.00', actor: 'clerk', reason: 'test' });

  it('keeps a figure of the settled month as a pending change, and refuses it', async () => {
    const err = await adjust({ day: '2026-10-05' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MonthLockedError);
    const kept = await h.pool.query(`SELECT kind, state, payload->>'value' AS value FROM pending_change WHERE id = $1`, [(err as MonthLockedError).pendingId]);
    expect(kept.rows).toEqual([{ kind: 'adjustment', state: 'held', value: '5.00' }]);
    expect((await h.pool.query(`SELECT count(*)::int AS n FROM adjustment`)).rows[0].n).toBe(0);
  });

  it('records a figure of the next month, whose first instant closes the settled one', async () => {
    const r = await adjust({ day: '2026-11-01' });
    expect(r.period).toMatchObject({ kind: 'day', from: Date.parse('2026-10-31T23:00:00Z') });
    await expect(adjust({ month: '2026-11' })).resolves.toBeDefined();
    await expect(adjust({ day: '2026-02-30' })).rejects.toBeInstanceOf(AdjustmentError);
  });
});
