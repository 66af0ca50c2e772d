/**
 * The alarm store: open alarms of a computation's scope are read, reconciled with what the
 * computation found (one open alarm per rule, object and period) and the changes written and
 * published. `meterflow alarms` lists and acknowledges them.
 */
import { sql } from 'kysely';
import type { Database } from '../../schema/index.ts';
import { reconcileAlarms, type AlarmCandidate, type AlarmChanges, type AlarmScope, type OpenAlarm, type RuleName, type AlarmObjectKind } from '../alarms.ts';

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

/** Open or acknowledged alarms of the scope's rules and objects overlapping its window. */
export async function openAlarms(handle: Database, scope: AlarmScope): Promise<OpenAlarm[]> {
  if (scope.objects.length === 0) return [];
  const rows = await sql<{ id: string; rule: RuleName; object_kind: AlarmObjectKind; object_id: string; period_start: Date; period_end: Date; observed: string | null; limit_value: string | null; severity: 'info' | 'warning' | 'critical'; state: 'open' | 'acknowledged'; message: string; detail: string | null }>`
    SELECT id, rule, object_kind, object_id, period_start, period_end, observed, limit_value, severity, state, message, detail FROM alarm
    WHERE state <> 'cleared' AND rule = ANY(${[...scope.rules]}::text[])
      AND (object_kind || '|' || object_id) = ANY(${scope.objects.map((o) => `${o.kind}|${o.id}`)}::text[])
      AND period_end > ${new Date(scope.from)} AND period_start < ${new Date(scope.to)}`.execute(handle.db);
  return rows.rows.map((r) => ({
    id: r.id, state: r.state, rule: r.rule, objectKind: r.object_kind, objectId: r.object_id,
    periodStart: r.period_start.getTime(), periodEnd: r.period_end.getTime(),
    observed: Number(r.observed), limit: Number(r.limit_value), severity: r.severity,
    ...(r.detail !== null ? { detail: r.detail } : {}),
  }));
}

/** Reconcile and write; returns the changes and tells the listeners. */
export async function applyAlarms(handle: Database, scope: AlarmScope, candidates: readonly AlarmCandidate[], listeners: readonly AlarmListener[] = []): Promise<AlarmChanges> {
  const changes = reconcileAlarms(await openAlarms(handle, scope), candidates, scope);
  const events: AlarmEvent[] = [];
  const event = (change: AlarmEvent['change'], id: string, c: AlarmCandidate): AlarmEvent => ({
    change, id, rule: c.rule, objectKind: c.objectKind, objectId: c.objectId,
    periodStart: new Date(c.periodStart).toISOString(), periodEnd: new Date(c.periodEnd).toISOString(),
    observed: c.observed, limit: c.limit, severity: c.severity, message: alarmMessage(c),
  });
  await handle.db.transaction().execute(async (tx) => {
    for (const c of changes.raise) {
      const r = await tx.insertInto('alarm').values({
        rule: c.rule, object_kind: c.objectKind, object_id: c.objectId, period_start: new Date(c.periodStart), period_end: new Date(c.periodEnd),
        observed: c.observed, limit_value: Number.isFinite(c.limit) ? c.limit : null, severity: c.severity, state: 'open', message: alarmMessage(c), detail: c.detail ?? null,
      }).onConflict((oc) => oc.doNothing()).returning('id').executeTakeFirst();
      if (r) events.push(event('raised', r.id, c));
    }
    for (const { alarm, candidate: c } of changes.update) {
      await tx.updateTable('alarm').set({ observed: c.observed, limit_value: Number.isFinite(c.limit) ? c.limit : null, severity: c.severity, message: alarmMessage(c), detail: c.detail ?? null, updated_at: new Date() }).where('id', '=', alarm.id).execute();
      events.push(event('updated', alarm.id, c));
    }
    for (const a of changes.clear) {
      await tx.updateTable('alarm').set({ state: 'cleared', cleared_at: new Date(), updated_at: new Date() }).where('id', '=', a.id).execute();
      events.push(event('cleared', a.id, a));
    }
  });
  for (const e of events) for (const l of listeners) await l(e);
  return changes;
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
