/**
 * Fetching stored interval records for backfill: the Modbus load profile (select a time, read
 * the record) in scheduled jobs of backfill priority, or the MQTT history request.
 */
import type { TerminalConfig } from '../config/index.ts';
import { readHistory, readLoadProfileInfo } from '../history/index.ts';
import type { ReadContext } from './reads.ts';
import { kindOf, terminalOf } from './reads.ts';

/** What a terminal's memory holds for one meter, as far as the collector can tell. */
export interface ProfileWindow {
  /** Oldest stored record, when known. */
  oldest: Date | null;
  /** Newest stored record (later times are not recorded yet), when known. */
  newest: Date | null;
}

/** Stored records found for a backfill, and the wanted times the terminal does not hold. */
export interface FetchedRecords {
  /** Records, registers in integer hundredths (null where the terminal has none). */
  records: { ts: Date; values: (number | null)[] }[];
  /** Wanted times not held. */
  unavailable: Date[];
}

/** Records of one meter at the wanted times; the times the terminal does not hold are `unavailable`. */
export async function fetchRecords(ctx: ReadContext, config: TerminalConfig, unitId: number, wanted: readonly Date[]): Promise<FetchedRecords> {
  if (config.transport.kind === 'mqtt') {
    const times = wanted.map((d) => d.getTime());
    const answer = await ctx.links.mqtt!.requestHistory(config.id, new Date(Math.min(...times)), new Date(Math.max(...times)), [unitId]);
    const want = new Set(times);
    const seen = new Set<number>();
    const records = answer.records
      .filter((r) => r.unitId === unitId && want.has(r.ts.getTime()) && !seen.has(r.ts.getTime()) && seen.add(r.ts.getTime()))
      .map((r) => ({ ts: r.ts, values: r.registers }));
    return { records, unavailable: wanted.filter((d) => !seen.has(d.getTime())) };
  }
  const map = terminalOf(ctx.site, config.id).profile.loadProfile;
  if (!map) throw new Error(`terminal ${config.id}: profile ${config.profile} has no load profile to backfill from`);
  const transport = ctx.links.modbus.get(config.id)!;
  return ctx.scheduler.submit({
    queue: ctx.links.queueOf.get(config.id)!,
    terminal: config.id,
    priority: 'backfill',
    label: `backfill unit ${unitId}`,
    timeoutMs: Math.max(ctx.site.timeoutMs, wanted.length * 2000),
    onRetry: (e, attempt) => ctx.log({ terminal: config.id, unitId, action: 'backfill', ok: false, retried: true, durationMs: 0, error: (e as Error)?.message ?? String(e), errorKind: kindOf(e), detail: `attempt ${attempt} failed, retrying` }),
    run: (signal) => readHistory(transport, unitId, map, wanted, signal),
  });
}

/** The stored range of a meter's load profile (Modbus), or what pushes said is the newest (MQTT). */
export async function profileWindow(ctx: ReadContext, config: TerminalConfig, unitId: number, lastPush: Date | undefined): Promise<ProfileWindow> {
  if (config.transport.kind === 'mqtt') return { oldest: null, newest: lastPush ?? null };
  const map = terminalOf(ctx.site, config.id).profile.loadProfile;
  if (!map) return { oldest: null, newest: null };
  const transport = ctx.links.modbus.get(config.id)!;
  const info = await ctx.scheduler.submit({
    queue: ctx.links.queueOf.get(config.id)!,
    terminal: config.id,
    priority: 'backfill',
    label: `load-profile info unit ${unitId}`,
    run: (signal) => readLoadProfileInfo(transport, unitId, map, signal),
  });
  return { oldest: info.oldest, newest: info.newest };
}
