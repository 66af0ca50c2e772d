/**
 * The monthly settlement run: completeness gate, statements per account, difference statements
 * against the previous version on a re-settlement, and the month lock — all in one transaction,
 * serialised per month by an advisory lock, and audited.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../schema/index.ts';
import { DEC_ZERO, decAdd, decIsZero, formatDecimal, type Decimal } from './decimal.ts';
import type { Statement } from './model.ts';
import { prepareMonth, type GateProblem } from './prepare.ts';
import { computeStatement, differenceStatement } from './statement.ts';
import { insertRun, insertStatements, latestRun, loadStatements, type RunSummary, type SettlementRun } from './store.ts';

/** What to settle and who does it. */
export interface SettleOptions {
  /** `YYYY-MM`. */
  month: string;
  /** Who runs the settlement (audit log; approver of estimates). */
  actor: string;
  /** Accept estimated monthly figures, recording `actor` as the approver. */
  approveEstimates?: boolean;
}

/** The outcome of a run. */
export interface SettlementResult {
  run: SettlementRun;
  statements: Statement[];
  /** Difference statements against the previous version (empty on version 1). */
  differences: Statement[];
  /** Milliseconds spent reading and checking figures, computing statements, and writing (statements, lines, locks). */
  timings: { gate: number; compute: number; write: number };
}

/** The month is not ready: every problem found. */
export class SettlementRefusedError extends Error {
  constructor(readonly month: string, readonly problems: GateProblem[]) {
    const shown = problems.slice(0, 50).map((p) => `  ${p.accountId}${p.pointId ? ` / ${p.pointId}` : ''}: ${p.problem}`);
    super(`month ${month} cannot be settled: ${problems.length} problem(s); nothing was written:\n${shown.join('\n')}${problems.length > 50 ? `\n  … and ${problems.length - 50} more` : ''}`);
    this.name = 'SettlementRefusedError';
  }
}

/** The month is settled and locked already. */
export class MonthSettledError extends Error {
  constructor(readonly run: SettlementRun) {
    super(`month ${run.month} is settled and locked by run #${run.id} (version ${run.version}, by ${run.actor} at ${run.createdAt.toISOString()}); ` +
      `to settle it again: meterflow settle --month ${run.month} --reopen --reason "…"`);
    this.name = 'MonthSettledError';
  }
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/** Validate a `YYYY-MM` month. */
export function checkMonth(month: string): string {
  if (!MONTH.test(month)) throw new RangeError(`month '${month}': expected YYYY-MM, e.g. 2026-10`);
  return month;
}

/** Serialise runs, reopens and lock changes of one month. */
export async function lockMonthRow(tx: Kysely<any>, month: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`meterflow-settlement:${month}`}))`.execute(tx);
}

/** Audit a settlement action. */
export async function audit(tx: Kysely<any>, actor: string, action: string, entityId: string | null, reason: string | null, detail: unknown): Promise<void> {
  await sql`INSERT INTO audit_log (actor, action, entity, entity_id, reason, detail)
    VALUES (${actor}, ${action}, 'settlement', ${entityId}, ${reason}, ${JSON.stringify(detail)}::jsonb)`.execute(tx);
}

/** Totals of a run. */
export function summarize(statements: readonly Statement[], differences: readonly Statement[], prevVersion: number | null, approved: string[]): RunSummary {
  const energy = { total: DEC_ZERO, sharp: DEC_ZERO, peak: DEC_ZERO, flat: DEC_ZERO, valley: DEC_ZERO } as Record<keyof RunSummary['energy'], Decimal>;
  let total = DEC_ZERO;
  const warnings: string[] = [];
  let warningCount = 0;
  for (const s of statements) {
    for (const k of Object.keys(energy) as (keyof typeof energy)[]) energy[k] = decAdd(energy[k], s.figures.activeImport[k]);
    total = decAdd(total, s.total);
    for (const w of s.warnings) if (warningCount++ < 1000) warnings.push(`${s.accountId}: ${w}`);
  }
  const diffTotal = differences.reduce((a, d) => decAdd(a, d.total), DEC_ZERO);
  return {
    accounts: statements.length,
    energy: Object.fromEntries(Object.entries(energy).map(([k, v]) => [k, formatDecimal(v)])) as RunSummary['energy'],
    total: formatDecimal(total),
    currency: [...new Set(statements.map((s) => s.currency))].sort(),
    difference: prevVersion === null ? null : { againstVersion: prevVersion, total: formatDecimal(diffTotal), accountsChanged: differences.filter((d) => d.lines.some((l) => !decIsZero(l.amount) || !decIsZero(l.quantity))).length },
    approvedEstimates: approved.slice(0, 1000),
    warnings,
    warningCount,
  };
}

/**
 * Settle `month`: refuse with every problem when the figures are not complete; otherwise store
 * version 1 (or n+1 after a reopen, with difference statements against n) and lock the month.
 */
export async function settleMonth(handle: Database, opts: SettleOptions): Promise<SettlementResult> {
  const month = checkMonth(opts.month);
  if (!opts.actor?.trim()) throw new RangeError('settleMonth: name the actor (who runs the settlement)');
  let refused: GateProblem[] | null = null;
  const result = await handle.db.transaction().execute(async (tx) => {
    await lockMonthRow(tx, month);
    const prev = await latestRun(tx, month);
    if (prev?.state === 'locked') throw new MonthSettledError(prev);
    const t0 = performance.now();
    const prepared = await prepareMonth(tx, month, { actor: opts.actor, approveEstimates: opts.approveEstimates === true });
    if (prepared.problems.length > 0) {
      refused = prepared.problems;
      await audit(tx, opts.actor, 'settle-refused', null, null, { month, problems: prepared.problems.length, first: prepared.problems.slice(0, 20) });
      return null;
    }
    const t1 = performance.now();
    const statements = prepared.inputs.map(computeStatement);
    prepared.inputs.length = 0;
    let differences: Statement[] = [];
    if (prev) {
      const before = new Map((await loadStatements(tx, prev.id)).map((s) => [s.accountId, s]));
      differences = statements.map((s) => differenceStatement(before.get(s.accountId) ?? null, s, prev.version));
      // An account billed in version n but not any more: its difference reverses every line.
      const now = new Set(statements.map((s) => s.accountId));
      for (const [id, old] of before) {
        if (!now.has(id)) differences.push({ ...differenceStatement(old, { ...old, lines: [], total: DEC_ZERO }, prev.version), warnings: [`account ${id} is no longer settled`] });
      }
    }
    const t2 = performance.now();
    const summary = summarize(statements, differences, prev?.version ?? null, prepared.approved);
    const run = await insertRun(tx, {
      month, version: (prev?.version ?? 0) + 1, actor: opts.actor, reason: prev?.reopenReason ?? null,
      approveEstimates: opts.approveEstimates === true, summary,
    });
    await insertStatements(tx, run.id, [...statements, ...differences]);
    await sql`INSERT INTO month_lock (month, point_id, run_id, period_start, period_end)
      SELECT DISTINCT ON (me.point_id) me.month, me.point_id, ${run.id}::bigint, me.period_start, me.period_end
      FROM monthly_energy me JOIN account_member am ON am.point_id = me.point_id
      WHERE me.month = ${`${month}-01`}::date ORDER BY me.point_id`.execute(tx);
    await audit(tx, opts.actor, 'settle', run.id, run.reason, { month, version: run.version, accounts: summary.accounts, total: summary.total, difference: summary.difference });
    if (prepared.approved.length > 0) await audit(tx, opts.actor, 'approve-estimates', run.id, null, { month, figures: prepared.approved.slice(0, 1000), count: prepared.approved.length });
    await audit(tx, opts.actor, 'lock', run.id, null, { month, version: run.version });
    return { run, statements, differences, timings: { gate: t1 - t0, compute: t2 - t1, write: performance.now() - t2 } };
  });
  if (!result) throw new SettlementRefusedError(month, refused ?? []);
  return result;
}
