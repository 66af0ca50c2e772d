/**
 * Alarm candidates and their reconciliation with the open alarms (DESIGN.md §6): one open alarm
 * per rule, object and period; every (re)computation raises, updates or clears.
 */
import { joinRuns, runKind, sameRun } from './runs.ts';
import { moreSevere } from './rules/severity.ts';
import type { RegisterCode } from '../schema/index.ts';

/** Rule names: the six checks of DESIGN.md §6 and the VEE checks beside them. */
export const RULE_NAMES = [
  'outlier', 'energy-limit', 'tou-mismatch', 'bus-imbalance', 'transformer-loss', 'line-loss',
  'missing-data', 'interval-sum', 'clock-drift', 'reverse-energy', 'frozen-reading', 'demand-jump',
] as const;

/** A rule's name. */
export type RuleName = (typeof RULE_NAMES)[number];

/** What an alarm is about. */
export type AlarmObjectKind = 'point' | 'terminal' | 'line' | 'bus' | 'transformer' | 'custom';

/** Alarm severities, least first. */
export const SEVERITIES = ['info', 'warning', 'critical'] as const;

/** Alarm severity. */
export type Severity = (typeof SEVERITIES)[number];

/** What a computation found. `observed` and `limit` are display numbers in the rule's unit. */
export interface AlarmCandidate {
  readonly rule: RuleName;
  readonly objectKind: AlarmObjectKind;
  readonly objectId: string;
  readonly periodStart: number;
  readonly periodEnd: number;
  readonly observed: number;
  readonly limit: number;
  readonly severity: Severity;
  /** Finer kind within the rule (e.g. `register-decrease`, `spike`) and unit. */
  readonly detail?: string;
  /** The register an outlier's decrease was seen on: one fault seen by an interval and by its day is alarmed once. */
  readonly register?: RegisterCode;
}

/** An alarm already open (or acknowledged) in the store. */
export interface OpenAlarm extends AlarmCandidate {
  readonly id: string;
  readonly state: 'open' | 'acknowledged';
}

/** What a computation looked at: open alarms inside it and absent from the candidates clear. */
export interface AlarmScope {
  readonly rules: readonly RuleName[];
  readonly objects: readonly { readonly kind: AlarmObjectKind; readonly id: string }[];
  /** Periods within [from, to] are in scope. */
  readonly from: number;
  readonly to: number;
  /** Only the period [from, to] itself is in scope: a month's scope does not take in its days' alarms. */
  readonly exact?: boolean;
  /** Only alarms of periods at most this long (ms) are in scope: a day scope leaves month alarms alone. */
  readonly longest?: number;
}

/** The changes to make in the alarm store. */
export interface AlarmChanges {
  readonly raise: AlarmCandidate[];
  readonly update: { readonly alarm: OpenAlarm; readonly candidate: AlarmCandidate }[];
  readonly clear: OpenAlarm[];
}

/** Whether a scope looks at an alarm's rule and object (whatever its period). */
export function looksAt(scope: AlarmScope, a: Pick<AlarmCandidate, 'rule' | 'objectKind' | 'objectId'>): boolean {
  return scope.rules.includes(a.rule) && scope.objects.some((o) => o.kind === a.objectKind && o.id === a.objectId);
}

/** Whether an alarm's period is short enough for the scope (`longest`). */
export function fitsScope(scope: AlarmScope, a: Pick<AlarmCandidate, 'periodStart' | 'periodEnd'>): boolean {
  return scope.longest === undefined || a.periodEnd - a.periodStart <= scope.longest;
}

/** The identity of an alarm: rule, object and period. */
export function alarmKey(a: Pick<AlarmCandidate, 'rule' | 'objectKind' | 'objectId' | 'periodStart' | 'periodEnd'>): string {
  return `${a.rule}|${a.objectKind}|${a.objectId}|${a.periodStart}|${a.periodEnd}`;
}

/** Keep one candidate per key: the most severe, then the first found. */
export function dedupeCandidates(candidates: readonly AlarmCandidate[]): AlarmCandidate[] {
  const byKey = new Map<string, AlarmCandidate>();
  for (const c of candidates) {
    const k = alarmKey(c);
    const prev = byKey.get(k);
    if (!prev || moreSevere(prev.severity, c.severity) !== prev.severity) byKey.set(k, c);
  }
  return [...byKey.values()];
}

/**
 * Raise candidates with no open alarm, update open alarms whose observed value, limit, severity
 * or detail changed, and clear open alarms in scope that no candidate confirms. Run candidates
 * (runs.ts) are first joined with the parts outside the scope of the open alarms of their run,
 * so a run the scope cuts extends, shortens or splits the alarm that reports it. Idempotent:
 * applying the changes and reconciling again with the same candidates yields no changes.
 */
export function reconcileAlarms(open: readonly OpenAlarm[], candidates: readonly AlarmCandidate[], scope: AlarmScope): AlarmChanges {
  return matchAlarms(open, joinRuns(open, candidates, scope), scope).changes;
}

/**
 * `reconcileAlarms` on candidates already joined (and measured), with the open alarms the
 * candidates keep. A run candidate takes over the earliest open alarm of its run that it
 * overlaps when none has its exact period: its period is updated in place, so the alarm keeps
 * its id and acknowledgement; other open alarms of the run it covers clear.
 */
export function matchAlarms(open: readonly OpenAlarm[], candidates: readonly AlarmCandidate[], scope: AlarmScope): { changes: AlarmChanges; kept: Set<OpenAlarm> } {
  const wanted = dedupeCandidates(candidates);
  const openByKey = new Map<string, OpenAlarm>();
  for (const a of open) if (!openByKey.has(alarmKey(a))) openByKey.set(alarmKey(a), a);
  const changes: AlarmChanges = { raise: [], update: [], clear: [] };
  const kept = new Set<OpenAlarm>();
  const matched = new Map<AlarmCandidate, OpenAlarm>();
  for (const c of wanted) {
    const a = openByKey.get(alarmKey(c));
    if (a) (matched.set(c, a), kept.add(a));
  }
  const runs = wanted.filter((c) => runKind(c) !== undefined);
  const overlaps = (a: AlarmCandidate, c: AlarmCandidate) => sameRun(a, c) && a.periodStart < c.periodEnd && a.periodEnd > c.periodStart;
  const byStart = [...openByKey.values()].sort((x, y) => x.periodStart - y.periodStart);
  for (const c of runs) {
    if (matched.has(c)) continue;
    const a = byStart.find((x) => !kept.has(x) && overlaps(x, c));
    if (a) (matched.set(c, a), kept.add(a));
  }
  for (const c of wanted) {
    const a = matched.get(c);
    if (!a) changes.raise.push(c);
    else if (a.observed !== c.observed || a.limit !== c.limit || a.severity !== c.severity || a.detail !== c.detail ||
      a.periodStart !== c.periodStart || a.periodEnd !== c.periodEnd) changes.update.push({ alarm: a, candidate: c });
  }
  const inScope = (a: OpenAlarm): boolean =>
    looksAt(scope, a) && fitsScope(scope, a) &&
    (scope.exact ? a.periodStart === scope.from && a.periodEnd === scope.to : a.periodStart >= scope.from && a.periodEnd <= scope.to);
  for (const a of open) {
    if (kept.has(a)) continue;
    // a duplicate open alarm breaks "one open alarm per rule, object and period": clear it anywhere
    const duplicate = openByKey.get(alarmKey(a)) !== a;
    if (duplicate || inScope(a) || runs.some((c) => overlaps(a, c))) changes.clear.push(a);
  }
  return { changes, kept };
}
