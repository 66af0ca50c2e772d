/**
 * Alarm candidates and their reconciliation with the open alarms (DESIGN.md §6): one open alarm
 * per rule, object and period; every (re)computation raises, updates or clears.
 */

/** Rule names: the six checks of DESIGN.md §6 and the VEE checks beside them. */
export type RuleName =
  | 'outlier'
  | 'energy-limit'
  | 'tou-mismatch'
  | 'bus-imbalance'
  | 'transformer-loss'
  | 'line-loss'
  | 'missing-data'
  | 'interval-sum'
  | 'clock-drift'
  | 'reverse-energy'
  | 'frozen-reading'
  | 'demand-jump';

/** What an alarm is about. */
export type AlarmObjectKind = 'point' | 'terminal' | 'line' | 'bus' | 'transformer' | 'custom';

/** Alarm severity. */
export type Severity = 'info' | 'warning' | 'critical';

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
}

/** The changes to make in the alarm store. */
export interface AlarmChanges {
  readonly raise: AlarmCandidate[];
  readonly update: { readonly alarm: OpenAlarm; readonly candidate: AlarmCandidate }[];
  readonly clear: OpenAlarm[];
}

const RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

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
    if (!prev || RANK[c.severity] > RANK[prev.severity]) byKey.set(k, c);
  }
  return [...byKey.values()];
}

/**
 * Raise candidates with no open alarm, update open alarms whose observed value, limit, severity
 * or detail changed, and clear open alarms in scope that no candidate confirms. Idempotent:
 * applying the changes and reconciling again with the same candidates yields no changes.
 */
export function reconcileAlarms(open: readonly OpenAlarm[], candidates: readonly AlarmCandidate[], scope: AlarmScope): AlarmChanges {
  const wanted = new Map(dedupeCandidates(candidates).map((c) => [alarmKey(c), c]));
  const openByKey = new Map<string, OpenAlarm>();
  for (const a of open) if (!openByKey.has(alarmKey(a))) openByKey.set(alarmKey(a), a);
  const changes: AlarmChanges = { raise: [], update: [], clear: [] };
  // A run cut by the scope's edge is the part inside it of a run that goes on outside: an open
  // alarm of that run, going on beyond the same edge, already reports it (not a second alarm).
  const reported = (c: AlarmCandidate): boolean => !scope.exact && open.some((a) =>
    a.rule === c.rule && a.objectKind === c.objectKind && a.objectId === c.objectId && a.detail === c.detail &&
    a.periodStart <= c.periodStart && a.periodEnd >= c.periodEnd &&
    ((c.periodStart <= scope.from && a.periodStart < scope.from) || (c.periodEnd >= scope.to && a.periodEnd > scope.to)));
  for (const [k, c] of wanted) {
    const a = openByKey.get(k);
    if (!a) {
      if (!reported(c)) changes.raise.push(c);
    }
    else if (a.observed !== c.observed || a.limit !== c.limit || a.severity !== c.severity || a.detail !== c.detail) changes.update.push({ alarm: a, candidate: c });
  }
  const inScope = (a: OpenAlarm): boolean =>
    scope.rules.includes(a.rule) &&
    scope.objects.some((o) => o.kind === a.objectKind && o.id === a.objectId) &&
    (scope.exact ? a.periodStart === scope.from && a.periodEnd === scope.to : a.periodStart >= scope.from && a.periodEnd <= scope.to);
  for (const a of open) {
    const k = alarmKey(a);
    // a duplicate open alarm breaks "one open alarm per rule, object and period": clear it anywhere
    if (openByKey.get(k) !== a || (inScope(a) && !wanted.has(k))) changes.clear.push(a);
  }
  return changes;
}
