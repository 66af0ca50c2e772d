/**
 * Writing and reading settlement runs and their statements. Statements and lines go in with
 * one multi-row statement per chunk (arrays unnested server-side); decimals travel as text.
 */
import { sql, type Kysely } from 'kysely';
import { formatDecimal, parseDecimal, type Decimal } from './decimal.ts';
import type { ChargeLine, Statement, StatementFigures } from './model.ts';

/** A settlement run as stored. */
export interface SettlementRun {
  id: string;
  /** `YYYY-MM`. */
  month: string;
  version: number;
  state: 'locked' | 'reopened';
  actor: string;
  reason: string | null;
  approveEstimates: boolean;
  createdAt: Date;
  summary: RunSummary;
  reopenedBy: string | null;
  reopenedAt: Date | null;
  reopenReason: string | null;
}

/** What a run settled, in totals (stored with the run). */
export interface RunSummary {
  accounts: number;
  /** Active import per tier over all statements, kWh (text, exact). */
  energy: Record<'total' | 'sharp' | 'peak' | 'flat' | 'valley', string>;
  /** Sum of the statement totals (text, exact). */
  total: string;
  currency: string[];
  /** Against the previous version, when this is a re-settlement. */
  difference: { againstVersion: number; total: string; accountsChanged: number } | null;
  approvedEstimates: string[];
  warnings: string[];
  warningCount: number;
}

const RUN_COLUMNS = sql`id::text AS id, to_char(month, 'YYYY-MM') AS month, version, state, actor, reason, approve_estimates, created_at, summary, reopened_by, reopened_at, reopen_reason`;

function runFrom(r: Record<string, unknown>): SettlementRun {
  return {
    id: r.id as string, month: r.month as string, version: r.version as number, state: r.state as SettlementRun['state'],
    actor: r.actor as string, reason: r.reason as string | null, approveEstimates: r.approve_estimates as boolean,
    createdAt: r.created_at as Date, summary: r.summary as RunSummary,
    reopenedBy: r.reopened_by as string | null, reopenedAt: r.reopened_at as Date | null, reopenReason: r.reopen_reason as string | null,
  };
}

/** The latest run of `month` (`YYYY-MM`), or null when it was never settled. */
export async function latestRun(db: Kysely<any>, month: string): Promise<SettlementRun | null> {
  const r = await sql<Record<string, unknown>>`SELECT ${RUN_COLUMNS} FROM settlement_run WHERE month = ${`${month}-01`}::date ORDER BY version DESC LIMIT 1`.execute(db);
  return r.rows[0] ? runFrom(r.rows[0]) : null;
}

/** Every run of `month`, oldest first. */
export async function runsOf(db: Kysely<any>, month: string): Promise<SettlementRun[]> {
  const r = await sql<Record<string, unknown>>`SELECT ${RUN_COLUMNS} FROM settlement_run WHERE month = ${`${month}-01`}::date ORDER BY version`.execute(db);
  return r.rows.map(runFrom);
}

/** Store a new run in state `locked`; returns it. */
export async function insertRun(db: Kysely<any>, run: { month: string; version: number; actor: string; reason: string | null; approveEstimates: boolean; summary: RunSummary }): Promise<SettlementRun> {
  const r = await sql<Record<string, unknown>>`
    INSERT INTO settlement_run (month, version, state, actor, reason, approve_estimates, summary)
    VALUES (${`${run.month}-01`}::date, ${run.version}, 'locked', ${run.actor}, ${run.reason}, ${run.approveEstimates}, ${JSON.stringify(run.summary)}::jsonb)
    RETURNING ${RUN_COLUMNS}`.execute(db);
  return runFrom(r.rows[0]!);
}

type Json = Record<string, unknown>;
const text = (d: Decimal | null) => (d === null ? null : formatDecimal(d));

function figuresToJson(f: StatementFigures): Json {
  return {
    ...f,
    activeImport: Object.fromEntries(Object.entries(f.activeImport).map(([k, v]) => [k, text(v)])),
    activeExport: text(f.activeExport), reactiveImport: text(f.reactiveImport), reactiveExport: text(f.reactiveExport), demandKw: text(f.demandKw),
  };
}

function figuresFromJson(j: Json): StatementFigures {
  const dec = (v: unknown) => parseDecimal(v as string);
  const ai = j.activeImport as Record<string, string>;
  return {
    activeImport: { total: dec(ai.total), sharp: dec(ai.sharp), peak: dec(ai.peak), flat: dec(ai.flat), valley: dec(ai.valley) },
    activeExport: dec(j.activeExport), reactiveImport: dec(j.reactiveImport), reactiveExport: dec(j.reactiveExport),
    demandKw: j.demandKw === null || j.demandKw === undefined ? null : dec(j.demandKw),
    powerFactor: (j.powerFactor as string | null) ?? null,
    windows: j.windows as StatementFigures['windows'],
    members: j.members as StatementFigures['members'],
  };
}

const CHUNK = 5000;

/** Store statements and their lines under run `runId`. */
export async function insertStatements(db: Kysely<any>, runId: string, statements: readonly Statement[]): Promise<void> {
  for (let i = 0; i < statements.length; i += CHUNK) {
    const part = statements.slice(i, i + CHUNK);
    const ids = await sql<{ id: string; account_id: string; kind: string }>`
      INSERT INTO statement (run_id, account_id, kind, account_name, currency, total, figures, warnings)
      SELECT ${runId}::bigint, * FROM unnest(${part.map((s) => s.accountId)}::text[], ${part.map((s) => s.kind)}::text[],
        ${part.map((s) => s.accountName)}::text[], ${part.map((s) => s.currency)}::text[], ${part.map((s) => formatDecimal(s.total))}::numeric[],
        ${part.map((s) => JSON.stringify(figuresToJson(s.figures)))}::jsonb[], ${part.map((s) => JSON.stringify(s.warnings))}::jsonb[])
      RETURNING id::text AS id, account_id, kind`.execute(db);
    const idOf = new Map(ids.rows.map((r) => [`${r.kind}\u0000${r.account_id}`, r.id]));
    const cols = { sid: [] as string[], seq: [] as number[], code: [] as string[], tariff: [] as string[], desc: [] as string[], q: [] as string[], unit: [] as string[], price: [] as string[], factor: [] as (string | null)[], amount: [] as string[] };
    for (const s of part) {
      const sid = idOf.get(`${s.kind}\u0000${s.accountId}`)!;
      s.lines.forEach((l, n) => {
        cols.sid.push(sid); cols.seq.push(n + 1); cols.code.push(l.code); cols.tariff.push(l.tariffId); cols.desc.push(l.description);
        cols.q.push(formatDecimal(l.quantity)); cols.unit.push(l.unit); cols.price.push(formatDecimal(l.price));
        cols.factor.push(l.factor ? `${l.factor.num}/${l.factor.den}` : null); cols.amount.push(formatDecimal(l.amount));
      });
    }
    if (cols.sid.length === 0) continue;
    await sql`
      INSERT INTO statement_line (statement_id, seq, code, tariff_id, description, quantity, unit, price, factor, amount)
      SELECT * FROM unnest(${cols.sid}::bigint[], ${cols.seq}::smallint[], ${cols.code}::text[], ${cols.tariff}::text[], ${cols.desc}::text[],
        ${cols.q}::numeric[], ${cols.unit}::text[], ${cols.price}::numeric[], ${cols.factor}::text[], ${cols.amount}::numeric[])`.execute(db);
  }
}

function factorFrom(t: string | null): ChargeLine['factor'] {
  if (!t) return null;
  const [n, d] = t.split('/');
  return { num: BigInt(n!), den: BigInt(d!) };
}

/** The statements of run `runId` of one kind, ordered by account, with their lines in order. */
export async function loadStatements(db: Kysely<any>, runId: string, kind: Statement['kind'] = 'statement', month?: string): Promise<Statement[]> {
  const heads = await sql<Record<string, unknown>>`
    SELECT s.id::text AS id, s.account_id, s.account_name, s.currency, s.total::text AS total, s.figures, s.warnings, to_char(r.month, 'YYYY-MM') AS month
    FROM statement s JOIN settlement_run r ON r.id = s.run_id WHERE s.run_id = ${runId}::bigint AND s.kind = ${kind} ORDER BY s.account_id`.execute(db);
  const lines = await sql<Record<string, string | null>>`
    SELECT l.statement_id::text AS sid, l.code, l.tariff_id, l.description, l.quantity::text AS quantity, l.unit, l.price::text AS price, l.factor, l.amount::text AS amount
    FROM statement_line l JOIN statement s ON s.id = l.statement_id WHERE s.run_id = ${runId}::bigint AND s.kind = ${kind} ORDER BY l.statement_id, l.seq`.execute(db);
  const bySid = new Map<string, ChargeLine[]>();
  for (const l of lines.rows) {
    const list = bySid.get(l.sid!) ?? [];
    list.push({ code: l.code!, tariffId: l.tariff_id!, description: l.description!, quantity: parseDecimal(l.quantity!), unit: l.unit!, price: parseDecimal(l.price!), factor: factorFrom(l.factor ?? null), amount: parseDecimal(l.amount!) });
    bySid.set(l.sid!, list);
  }
  return heads.rows.map((h) => ({
    accountId: h.account_id as string, accountName: h.account_name as string, month: month ?? (h.month as string), kind,
    currency: h.currency as string, figures: figuresFromJson(h.figures as Json), lines: bySid.get(h.id as string) ?? [],
    total: parseDecimal(h.total as string), warnings: h.warnings as string[],
  }));
}
