/**
 * Run alarms: a missing-data gap, a frozen or stuck register, reverse energy on an import-only
 * point report a run of intervals, and a run goes on as long as the data says. A recomputation
 * sees only its window, so a run cut by the window's edge is joined here with the part of its
 * open alarm outside the window (which the recomputation did not touch): a run carried on by new
 * readings extends its alarm, a correction inside a run shortens or splits it, a backfill that
 * bridges two runs joins them — the alarms a recomputation from scratch finds.
 */
import { looksAt, type AlarmCandidate, type AlarmScope, type OpenAlarm, type Severity } from './alarms.ts';
import { moreSevere } from './rules/severity.ts';

/** Missing data over more than a day of 15-minute intervals is critical. */
export const MISSING_CRITICAL_INTERVALS = 96;

/** Details of the run alarms (the rules use these, the join recognises them). */
export const RUN_DETAIL = {
  missing: 'missing intervals',
  frozen: 'unchanged intervals',
  stuck: 'stuck (intervals)',
  reverse: 'ap_exp on import-only point (steps)',
} as const;

/**
 * How a run's observed value adds up: `count` is its number of intervals (its length over the
 * interval); `registers` is measured after the join from the point's register readings at the
 * run's two ends (reverse energy: the export register's steps), so a run joined from parts is
 * measured whole, from the meter's own readings.
 */
export interface RunKind {
  readonly observed: 'count' | 'registers';
  /** A count above this is critical (missing data: more than a day of 15-minute intervals). */
  readonly criticalAbove?: number;
}

const RUNS: ReadonlyMap<string, RunKind> = new Map([
  [`missing-data|${RUN_DETAIL.missing}`, { observed: 'count', criticalAbove: MISSING_CRITICAL_INTERVALS }],
  [`frozen-reading|${RUN_DETAIL.frozen}`, { observed: 'count' }],
  [`outlier|${RUN_DETAIL.stuck}`, { observed: 'count' }],
  [`reverse-energy|${RUN_DETAIL.reverse}`, { observed: 'registers' }],
]);

/** The run kind of an alarm or candidate, or undefined when it does not report a run. */
export function runKind(a: Pick<AlarmCandidate, 'rule' | 'detail'>): RunKind | undefined {
  return RUNS.get(`${a.rule}|${a.detail ?? ''}`);
}

/** Whether a rule reports runs (for some of its details). */
export function isRunRule(rule: string): boolean {
  for (const key of RUNS.keys()) if (key.startsWith(`${rule}|`)) return true;
  return false;
}

/** The run family of an alarm: rule, object and detail. */
function runKey(a: AlarmCandidate): string {
  return `${a.rule}|${a.objectKind}|${a.objectId}|${a.detail ?? ''}`;
}

/** Whether two alarms are of one run family. */
export function sameRun(a: AlarmCandidate, b: AlarmCandidate): boolean {
  return runKey(a) === runKey(b);
}

interface Piece {
  from: number;
  to: number;
  /** Intervals per ms of a count piece, to count the joined run. */
  perMs?: number;
  severity: Severity;
  candidate?: AlarmCandidate;
}

/** The joined run of pieces that meet or overlap, sorted by start. */
function joined(template: AlarmCandidate, kind: RunKind, pieces: Piece[]): AlarmCandidate {
  const from = pieces[0]!.from;
  let to = from, severity: Severity = 'info', perMs: number | undefined;
  for (const p of pieces) (to = Math.max(to, p.to)), (perMs ??= p.perMs), (severity = moreSevere(severity, p.severity));
  if (pieces.length === 1 && pieces[0]!.candidate) return pieces[0]!.candidate;
  // A `registers` run is measured whole later; until then (and where it cannot be) its parts in the window add up.
  let observed = kind.observed === 'registers' ? pieces.reduce((s, p) => s + (p.candidate?.observed ?? 0), 0) : template.observed;
  if (kind.observed === 'count' && perMs !== undefined) {
    observed = Math.round((to - from) * perMs);
    if (kind.criticalAbove !== undefined) severity = observed > kind.criticalAbove ? 'critical' : 'warning';
  }
  return { ...template, periodStart: from, periodEnd: to, observed, severity };
}

/**
 * The candidates of one scope with its run candidates joined to the outside parts of the open
 * run alarms (same rule, object and detail) that overlap or meet the scope's window. An open run
 * alarm reaching into the window keeps only its outside parts: inside, the candidates say what
 * is flagged now. Candidates of other rules, and every candidate of an exact scope, pass as they
 * are. A `registers` run's observed value is the candidate's own until it is measured.
 */
export function joinRuns(open: readonly OpenAlarm[], candidates: readonly AlarmCandidate[], scope: AlarmScope): AlarmCandidate[] {
  if (scope.exact) return [...candidates];
  const out: AlarmCandidate[] = [];
  const families = new Map<string, { template: AlarmCandidate; kind: RunKind; pieces: Piece[] }>();
  // Candidates come first, so a family's template is a candidate (today's limit) where it has one.
  const family = (a: AlarmCandidate, kind: RunKind) => {
    const k = runKey(a);
    let f = families.get(k);
    if (!f) {
      const { rule, objectKind, objectId, periodStart, periodEnd, observed, limit, severity, detail } = a;
      const template: AlarmCandidate = { rule, objectKind, objectId, periodStart, periodEnd, observed, limit, severity, ...(detail !== undefined ? { detail } : {}) };
      families.set(k, (f = { template, kind, pieces: [] }));
    }
    return f;
  };
  // A count run's intervals per ms (observed / length), to count a joined run by its length.
  const rate = (a: AlarmCandidate, kind: RunKind) =>
    kind.observed === 'count' && a.periodEnd > a.periodStart ? { perMs: a.observed / (a.periodEnd - a.periodStart) } : {};
  for (const c of candidates) {
    const kind = runKind(c);
    if (!kind) {
      out.push(c);
      continue;
    }
    family(c, kind).pieces.push({ from: c.periodStart, to: c.periodEnd, severity: c.severity, candidate: c, ...rate(c, kind) });
  }
  for (const a of open) {
    const kind = runKind(a);
    if (!kind || !looksAt(scope, a)) continue;
    if (a.periodEnd < scope.from || a.periodStart > scope.to) continue;
    const f = family(a, kind);
    const piece = (from: number, to: number) => f.pieces.push({ from, to, severity: a.severity, ...rate(a, kind) });
    if (a.periodStart < scope.from) piece(a.periodStart, Math.min(a.periodEnd, scope.from));
    if (a.periodEnd > scope.to) piece(Math.max(a.periodStart, scope.to), a.periodEnd);
  }
  for (const { template, kind, pieces } of families.values()) {
    pieces.sort((x, y) => x.from - y.from || x.to - y.to);
    let run: Piece[] = [];
    let end = -Infinity;
    for (const p of pieces) {
      if (run.length > 0 && p.from > end) {
        out.push(joined(template, kind, run));
        run = [];
      }
      run.push(p);
      end = Math.max(end, p.to);
    }
    if (run.length > 0) out.push(joined(template, kind, run));
  }
  return out;
}
