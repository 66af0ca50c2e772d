/**
 * The alarm store: open alarms of a computation's scope are read, reconciled with what the
 * computation found (one open alarm per rule, object and period) and the changes written and
 * published. `meterflow alarms` lists and acknowledges them.
 */
import { sql, type Kysely } from 'kysely';
import { DEFAULT_REGISTER_CAPACITY, type Database, type Tables } from '../../schema/index.ts';
import { alarmKey, fitsScope, looksAt, matchAlarms, type AlarmCandidate, type AlarmChanges, type AlarmScope, type OpenAlarm, type RuleName, type AlarmObjectKind } from '../alarms.ts';
import { isRunRule, joinRuns, runKind } from '../runs.ts';
import { AlarmLedger } from './alarm-ledger.ts';
import { advisoryLocksSql } from './literal.ts';
import { holdScheme } from './load.ts';
import type { StatisticalScheme } from '../scheme.ts';

/** Something that hears of raised, updated and cleared alarms (log, MQTT, HTTP). */
export type AlarmListener = (event: AlarmEvent) => void | Promise<void>;

/** A change of an alarm's state, as published. */
export interface AlarmEvent {
  change: 'raised' | 'updated' | 'cleared';
  id: string;
  rule: RuleName;
  objectKind: AlarmObjectKind;
  objectId: string;
  periodStart: string;
  periodEnd: string;
  observed: number;
  limit: number;
  severity: string;
  message: string;
}

/** A one-line description of a candidate, for the alarm's message. */
export function alarmMessage(c: AlarmCandidate): string {
  return `${c.rule} on ${c.objectKind} ${c.objectId}: observed ${+c.observed.toFixed(3)}, limit ${+c.limit.toFixed(3)}${c.detail ? ` (${c.detail})` : ''}`;
}

/** Candidates found in one scope: alarms in the scope that no candidate confirms clear. */
export interface CheckGroup {
  scope: AlarmScope;
  candidates: AlarmCandidate[];
}

type AlarmRow = { id: string; rule: RuleName; object_kind: AlarmObjectKind; object_id: string; period_start: Date; period_end: Date; observed: string | null; limit_value: string | null; severity: 'info' | 'warning' | 'critical'; state: 'open' | 'acknowledged'; message: string; detail: string | null };

/** Open or acknowledged alarms of any of the scopes' rules and objects overlapping or meeting their windows. */
async function openAlarmsOf(db: Kysely<Tables>, scopes: readonly AlarmScope[]): Promise<OpenAlarm[]> {
  const objects = [...new Set(scopes.flatMap((s) => s.objects.map((o) => `${o.kind}|${o.id}`)))];
  if (objects.length === 0) return [];
  const rules = [...new Set(scopes.flatMap((s) => s.rules))];
  // A loop, not Math.min(...): a recomputation of many points has more scopes than a call has arguments.
  let from = Infinity, to = -Infinity;
  for (const s of scopes) (from = Math.min(from, s.from)), (to = Math.max(to, s.to));
  const rows = await sql<AlarmRow>`
    SELECT id, rule, object_kind, object_id, period_start, period_end, observed, limit_value, severity, state, message, detail FROM alarm
    WHERE state <> 'cleared' AND rule = ANY(${rules}::text[])
      AND (object_kind || '|' || object_id) = ANY(${objects}::text[])
      AND period_end >= ${new Date(from)} AND period_start <= ${new Date(to)}`.execute(db);
  return rows.rows.map((r) => ({
    id: r.id, state: r.state, rule: r.rule, objectKind: r.object_kind, objectId: r.object_id,
    periodStart: r.period_start.getTime(), periodEnd: r.period_end.getTime(),
    observed: Number(r.observed), limit: Number(r.limit_value), severity: r.severity,
    ...(r.detail !== null ? { detail: r.detail } : {}),
  }));
}

/** A period (start, end] in epoch ms. */
export interface AlarmPeriod {
  from: number;
  to: number;
}

/** The periods of the points' open frozen-reading alarms, by point (`knownLoaded`). */
export async function openFrozenRuns(handle: Database, pointIds: readonly string[]): Promise<Map<string, AlarmPeriod[]>> {
  const out = new Map<string, AlarmPeriod[]>();
  if (pointIds.length === 0) return out;
  const rows = await sql<{ object_id: string; period_start: Date; period_end: Date }>`
    SELECT object_id, period_start, period_end FROM alarm
    WHERE rule = 'frozen-reading' AND object_kind = 'point' AND state <> 'cleared' AND object_id = ANY(${[...pointIds]}::text[])`.execute(handle.db);
  for (const r of rows.rows) (out.get(r.object_id) ?? out.set(r.object_id, []).get(r.object_id)!).push({ from: r.period_start.getTime(), to: r.period_end.getTime() });
  return out;
}

/** Open or acknowledged alarms of the scope's rules and objects overlapping or meeting its window. */
export function openAlarms(handle: Database, scope: AlarmScope): Promise<OpenAlarm[]> {
  return openAlarmsOf(handle.db, [scope]);
}

/**
 * Whether an open alarm is one a scope looks at: its rules and objects, overlapping its window or
 * meeting it (a run the window carries on or precedes).
 */
function seenBy(scope: AlarmScope, a: OpenAlarm): boolean {
  return looksAt(scope, a) && fitsScope(scope, a) && a.periodEnd >= scope.from && a.periodStart <= scope.to;
}

/**
 * Run candidates measured from the register readings (runs.ts, `registers`: reverse energy, the
 * export register's steps from the run's first reading to its last, a wrap taken at the meter's
 * capacity), one query for all: a run joined from parts outside the window is measured whole.
 * Where a reading is absent or another meter was installed during the run, the candidate keeps
 * the sum of its parts in the window.
 */
async function measureRuns(db: Kysely<Tables>, groups: AlarmCandidate[][]): Promise<AlarmCandidate[][]> {
  const runs = groups.flat().filter((c) => runKind(c)?.observed === 'registers');
  if (runs.length === 0) return groups;
  const rows = await sql<{ i: string; steps: string | null }>`
    SELECT c.i, CASE WHEN rb.ap_exp_total >= ra.ap_exp_total THEN rb.ap_exp_total - ra.ap_exp_total
      ELSE rb.ap_exp_total - ra.ap_exp_total + coalesce(m.capacity, ${DEFAULT_REGISTER_CAPACITY}) END AS steps
    FROM unnest(${runs.map((c) => c.objectId)}::text[], ${runs.map((c) => new Date(c.periodStart))}::timestamptz[], ${runs.map((c) => new Date(c.periodEnd))}::timestamptz[])
      WITH ORDINALITY AS c(point_id, a, b, i)
    JOIN reading ra ON ra.point_id = c.point_id AND ra.ts = c.a
    JOIN reading rb ON rb.point_id = c.point_id AND rb.ts = c.b
    LEFT JOIN LATERAL (SELECT m.capacity FROM installation n JOIN meter m ON m.id = n.meter_id
      WHERE n.point_id = c.point_id AND n.installed_at <= c.a ORDER BY n.installed_at DESC LIMIT 1) m ON true
    WHERE NOT EXISTS (SELECT 1 FROM installation n WHERE n.point_id = c.point_id AND n.installed_at > c.a AND n.installed_at < c.b)`.execute(db);
  const measured = new Map<AlarmCandidate, number>();
  for (const r of rows.rows) if (r.steps !== null) measured.set(runs[Number(r.i) - 1]!, Number(r.steps));
  return groups.map((g) => g.map((c) => (measured.has(c) ? { ...c, observed: measured.get(c)! } : c)));
}

const INSERT_ROWS = 1_000; // per statement, well under the protocol's 65 535 parameters

/**
 * Groups in rounds: a scope that joins runs (runs.ts) goes into a later round than another such
 * scope of the same object and rules — two windows of one point recomputed in one pass, days
 * apart. Each window joins its runs with the parts of the open alarms outside it, so the later
 * window must see the alarms as the earlier one left them, not as stored before the pass: a run
 * both windows change would otherwise come out as overlapping parts. Everything else goes into
 * the first round; most recomputations have one window per point, so one round.
 */
function runRounds(groups: readonly CheckGroup[]): CheckGroup[][] {
  const rounds: CheckGroup[][] = [[]];
  const seen = new Map<string, number>();
  for (const g of groups) {
    let k = 0;
    if (!g.scope.exact && g.scope.rules.some((rule) => isRunRule(rule))) {
      const key = `${g.scope.rules.join(',')}|${g.scope.objects.map((o) => `${o.kind}|${o.id}`).join(',')}`;
      k = seen.get(key) ?? 0;
      seen.set(key, k + 1);
    }
    (rounds[k] ??= []).push(g);
  }
  return rounds;
}

/**
 * Reconcile every group and write all changes in one transaction: one read of the open alarms,
 * the groups reconciled in rounds (`runRounds`, mostly one) against the alarms as the rounds
 * before left them in memory, then the net changes written — inserts many rows at a time, one
 * statement for the clears. A recomputation of many points costs a few round trips, not a few
 * per point, and a listener hears of each alarm once per call: an alarm one round raises and a
 * later one shortens is raised with its final period. Returns the changes and tells the listeners.
 */
export async function applyAlarmGroups(handle: Database, groups: readonly CheckGroup[], listeners: readonly AlarmListener[] = [], scheme?: StatisticalScheme): Promise<AlarmChanges> {
  const objects = [...new Set(groups.flatMap((g) => g.scope.objects.map((o) => `${o.kind}|${o.id}`)))];
  const { changes, events } = await handle.db.transaction().execute(async (tx) => {
    // Alarms of days and months computed under `scheme` must not outlive a change of it either.
    if (scheme) await holdScheme({ query: (text: string) => sql.raw(text).execute(tx) }, scheme);
    // Read, reconciled and written under the objects' locks: a pass over the same objects at the
    // same time (a worker and `engine recompute`) waits, then reads what this one wrote.
    if (objects.length > 0) await sql.raw(advisoryLocksSql(ALARM_LOCKS, objects)).execute(tx);
    const ledger = new AlarmLedger(await openAlarmsOf(tx, groups.map((g) => g.scope)));
    for (const round of runRounds(groups)) ledger.apply(await reconcileRound(tx, ledger.open(), round));
    return writeChanges(tx, ledger.net());
  });
  // The changes are committed: a listener that fails must not fail the recomputation.
  for (const e of events) {
    for (const l of listeners) {
      try {
        await l(e);
      } catch (err) {
        process.emitWarning(`alarm listener failed on alarm ${e.id}: ${(err as Error).message}`);
      }
    }
  }
  return changes;
}

/** Advisory lock class of the alarms of an object (two-key locks, slots as for interval rows). */
const ALARM_LOCKS = 0x6d66_616c; // 'mfal'

/** The changes one round of groups makes to the open alarms `open`. */
async function reconcileRound(db: Kysely<Tables>, open: readonly OpenAlarm[], groups: readonly CheckGroup[]): Promise<AlarmChanges> {
  const openAlarmsOfObject = new Map<string, OpenAlarm[]>();
  for (const a of open) {
    const k = `${a.objectKind}|${a.objectId}`;
    (openAlarmsOfObject.get(k) ?? openAlarmsOfObject.set(k, []).get(k)!).push(a);
  }
  const changes: AlarmChanges = { raise: [], update: [], clear: [] };
  // An alarm one scope confirms stays open though an overlapping scope did not find it.
  const confirmed = new Set<string>();
  const clears = new Map<string, OpenAlarm>();
  const seen = groups.map((g) => g.scope.objects.flatMap((o) => openAlarmsOfObject.get(`${o.kind}|${o.id}`) ?? []).filter((a) => seenBy(g.scope, a)));
  const joined = await measureRuns(db, groups.map((g, k) => joinRuns(seen[k]!, g.candidates, g.scope)));
  groups.forEach((g, k) => {
    const { changes: c, kept } = matchAlarms(seen[k]!, joined[k]!, g.scope);
    changes.raise.push(...c.raise);
    changes.update.push(...c.update);
    for (const a of kept) confirmed.add(a.id);
    for (const a of c.clear) clears.set(a.id, a);
  });
  changes.clear.push(...[...clears.values()].filter((a) => !confirmed.has(a.id)));
  return changes;
}

/** Write reconciled changes inside the caller's transaction; returns what was written and the events to tell. */
async function writeChanges(tx: Kysely<Tables>, changes: AlarmChanges): Promise<{ changes: AlarmChanges; events: AlarmEvent[] }> {
  const events: AlarmEvent[] = [];
  const event = (change: AlarmEvent['change'], id: string, c: AlarmCandidate): AlarmEvent => ({
    change, id, rule: c.rule, objectKind: c.objectKind, objectId: c.objectId,
    periodStart: new Date(c.periodStart).toISOString(), periodEnd: new Date(c.periodEnd).toISOString(),
    observed: c.observed, limit: c.limit, severity: c.severity, message: alarmMessage(c),
  });
  if (changes.raise.length + changes.update.length + changes.clear.length === 0) return { changes, events };
  const raised: AlarmCandidate[] = []; // raised by this call: another worker may have raised one first
  const updated: AlarmChanges['update'] = []; // not cleared by another process meanwhile
  const cleared: OpenAlarm[] = []; // nor these
  // Clears first, then the updated alarms parked, then inserts, then updates: an alarm a run
  // took over may move onto the period of one the same run covers, which clears, or of one
  // another update moves away, and a new one onto the period an update leaves (one open alarm
  // per rule, object and period, checked row by row).
  // The rows changed are locked first, all at once and in id order: two passes writing at the
  // same time wait for each other instead of deadlocking.
  const touched = [...changes.clear.map((a) => a.id), ...changes.update.map((u) => u.alarm.id)];
  if (touched.length > 0) await sql`SELECT id FROM alarm WHERE id = ANY(${touched}::bigint[]) ORDER BY id FOR UPDATE`.execute(tx);
  if (changes.clear.length > 0) {
    const rows = await sql<{ id: string }>`UPDATE alarm SET state = 'cleared', cleared_at = now(), updated_at = now()
      WHERE id = ANY(${changes.clear.map((a) => a.id)}::bigint[]) AND state <> 'cleared' RETURNING id`.execute(tx);
    const done = new Set(rows.rows.map((r) => String(r.id))); // not cleared by another process meanwhile
    for (const a of changes.clear) if (done.has(a.id)) (cleared.push(a), events.push(event('cleared', a.id, a)));
  }
  // Parked with the state each holds now, read under lock: an acknowledgement made since the
  // open alarms were read stands, and an alarm another process cleared meanwhile stays cleared.
  const parked = new Map<string, 'open' | 'acknowledged'>();
  if (changes.update.length > 0) {
    const rows = await sql<{ id: string; state: 'open' | 'acknowledged' }>`
      UPDATE alarm a SET state = 'cleared'
      FROM (SELECT id, state FROM alarm WHERE id = ANY(${changes.update.map((u) => u.alarm.id)}::bigint[]) AND state <> 'cleared' FOR UPDATE) o
      WHERE a.id = o.id RETURNING a.id, o.state`.execute(tx);
    for (const r of rows.rows) parked.set(String(r.id), r.state);
  }
  for (let k = 0; k < changes.raise.length; k += INSERT_ROWS) {
    const part = changes.raise.slice(k, k + INSERT_ROWS);
    const rows = await tx.insertInto('alarm').values(part.map((c) => ({
      rule: c.rule, object_kind: c.objectKind, object_id: c.objectId, period_start: new Date(c.periodStart), period_end: new Date(c.periodEnd),
      observed: c.observed, limit_value: Number.isFinite(c.limit) ? c.limit : null, severity: c.severity, state: 'open' as const, message: alarmMessage(c), detail: c.detail ?? null,
    }))).onConflict((oc) => oc.doNothing()).returning(['id', 'rule', 'object_kind', 'object_id', 'period_start', 'period_end']).execute();
    const ids = new Map(rows.map((r) => [alarmKey({ rule: r.rule as RuleName, objectKind: r.object_kind as AlarmObjectKind, objectId: r.object_id, periodStart: r.period_start.getTime(), periodEnd: r.period_end.getTime() }), r.id]));
    for (const c of part) {
      const id = ids.get(alarmKey(c));
      if (id !== undefined) (ids.delete(alarmKey(c)), raised.push(c), events.push(event('raised', id, c)));
    }
  }
  for (const u of changes.update) {
    const { alarm, candidate: c } = u;
    const state = parked.get(alarm.id);
    if (state === undefined) continue;
    await tx.updateTable('alarm').set({
      state, period_start: new Date(c.periodStart), period_end: new Date(c.periodEnd), observed: c.observed, limit_value: Number.isFinite(c.limit) ? c.limit : null, severity: c.severity, message: alarmMessage(c), detail: c.detail ?? null, updated_at: new Date() }).where('id', '=', alarm.id).execute();
    updated.push(u);
    events.push(event('updated', alarm.id, c));
  }
  return { changes: { raise: raised, update: updated, clear: cleared }, events };
}

/** Reconcile one scope and write; returns the changes and tells the listeners. */
export function applyAlarms(handle: Database, scope: AlarmScope, candidates: readonly AlarmCandidate[], listeners: readonly AlarmListener[] = []): Promise<AlarmChanges> {
  return applyAlarmGroups(handle, [{ scope, candidates: [...candidates] }], listeners);
}

/** Acknowledge an open alarm; returns false when there is no open alarm with that id. */
export async function acknowledgeAlarm(handle: Database, id: string, who: string): Promise<boolean> {
  const r = await handle.db.updateTable('alarm').set({ state: 'acknowledged', acknowledged_by: who, acknowledged_at: new Date(), updated_at: new Date() })
    .where('id', '=', id).where('state', '=', 'open').executeTakeFirst();
  if (Number(r.numUpdatedRows) > 0) {
    await handle.db.insertInto('audit_log').values({ actor: who, action: 'acknowledge-alarm', entity: 'alarm', entity_id: id, reason: null, detail: '{}' }).execute();
    return true;
  }
  return false;
}

/** Why an alarm cannot be acknowledged: it does not exist, is acknowledged already, or cleared. */
export async function unacknowledgeable(handle: Database, id: string): Promise<string> {
  const a = await handle.db.selectFrom('alarm').select(['state', 'acknowledged_by', 'acknowledged_at', 'cleared_at']).where('id', '=', id).executeTakeFirst();
  if (!a) return `no alarm with id ${id}; list them with \`meterflow alarms\``;
  if (a.state === 'acknowledged') return `alarm ${id} is acknowledged already, by ${a.acknowledged_by ?? '?'} at ${a.acknowledged_at?.toISOString() ?? '?'}`;
  return `alarm ${id} is cleared${a.cleared_at ? ` since ${a.cleared_at.toISOString()}` : ''}: nothing to acknowledge`;
}
