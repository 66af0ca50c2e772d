/**
 * Reading meters through the scheduler: registers (routine polls, on-demand reads) or the
 * record frozen at an interval end (routine polls in `load-profile` mode), and the meters'
 * loss-of-voltage records, whose new "last end" says the supply came back.
 */
import type { SiteConfig, TerminalConfig } from '../config/index.ts';
import { readMeter } from '../acquisition/index.ts';
import { decodeWords, type MeterReading } from '../decoding/index.ts';
import { readStoredRecord } from '../history/index.ts';
import { ModbusExceptionError } from '../modbus/index.ts';
import { findProfile, type MeterProfile } from '../profiles/index.ts';
import { AcquisitionScheduler, CircuitOpenError, JobTimeoutError, type PriorityName } from '../scheduler/index.ts';
import type { ModbusTransport } from '../transports/types.ts';
import type { SiteLinks } from './links.ts';
import type { VoltageLossRecord } from '../sink/index.ts';
import type { AcquisitionLogEntry } from './types.ts';

/** One meter's result of a read. */
export interface MeterResult {
  /** Terminal id. */
  terminal: string;
  /** Unit id. */
  unitId: number;
  /** Metering point. */
  point: string;
  /** The reading, when it succeeded. */
  reading?: MeterReading;
  /** The error message, when it failed. */
  error?: string;
}

/** What reads need from the running collector. */
export interface ReadContext {
  site: SiteConfig;
  links: SiteLinks;
  scheduler: AcquisitionScheduler;
  log(e: Omit<AcquisitionLogEntry, 'at'>): void;
  /** Last seen loss-of-voltage end per `terminal/unit`, epoch seconds. */
  outageSeen: Map<string, number>;
  /** The loss-of-voltage records last stored per `terminal/unit`. */
  outageRecords: Map<string, string>;
  /** The supply of a meter came back (a new loss-of-voltage record ended). */
  onPowerUp(terminal: string, unitId: number, at: Date): void;
  /** The meter's loss-of-voltage records as read (stored by the sink). */
  onVoltageLoss(records: VoltageLossRecord[]): void;
  /** The collector's time, epoch ms (meter clocks are judged against it). */
  now(): number;
}

/** Stable kind of an error for counting. */
export function kindOf(e: unknown): string {
  if (e instanceof CircuitOpenError) return 'circuit-open';
  if (e instanceof JobTimeoutError) return 'timeout';
  const k = (e as { kind?: unknown })?.kind;
  return typeof k === 'string' ? k : (e as Error)?.name ?? 'error';
}

/** A terminal's config and profile. */
export function terminalOf(site: SiteConfig, id: string): { config: TerminalConfig; profile: MeterProfile } {
  const config = site.terminals.find((t) => t.id === id);
  if (!config) throw new Error(`no terminal ${id} in site ${site.site}`);
  return { config, profile: findProfile(config.profile)! };
}

/** The interval record of `slot` is not (yet) in the meter's load profile. */
class NoRecordError extends Error {
  readonly kind = 'no-record';
  readonly retryable = false;
}

/** Meters that refused their loss-of-voltage records (a Modbus exception): not asked again. */
const NO_OUTAGE_RECORDS = -1;

async function checkOutages(ctx: ReadContext, t: ModbusTransport, id: string, unitId: number, point: string, address: number, signal: AbortSignal): Promise<void> {
  const key = `${id}/${unitId}`;
  if (ctx.outageSeen.get(key) === NO_OUTAGE_RECORDS) return;
  let w: Uint16Array;
  try {
    w = await t.readHolding(unitId, address, 24, signal);
  } catch (e) {
    // The reading stands; a meter without these records is not asked again.
    if (e instanceof ModbusExceptionError && (e.exceptionCode === 1 || e.exceptionCode === 2)) ctx.outageSeen.set(key, NO_OUTAGE_RECORDS);
    return;
  }
  let lastEnd = 0;
  const records: VoltageLossRecord[] = [];
  for (let phase = 0; phase < 3; phase++) {
    // Per phase: count, cumulative seconds, last start, last end (uint32 each, DESIGN.md §7).
    const [count, seconds, start, end] = [0, 2, 4, 6].map((k) => decodeWords(w, phase * 8 + k, 'uint32', 'high-first')) as [number, number, number, number];
    lastEnd = Math.max(lastEnd, end);
    if (start > 0) records.push({ pointId: point, phase: (['A', 'B', 'C'] as const)[phase]!, startedAt: new Date(start * 1000), endedAt: end >= start ? new Date(end * 1000) : null, cumulativeSeconds: seconds, count });
  }
  // Stored when the meter's records moved on, not again on every poll.
  const stored = JSON.stringify(records);
  if (records.length > 0 && ctx.outageRecords.get(key) !== stored) {
    ctx.outageRecords.set(key, stored);
    ctx.onVoltageLoss(records);
  }
  const seen = ctx.outageSeen.get(key);
  ctx.outageSeen.set(key, lastEnd);
  if (seen !== undefined && lastEnd > seen) ctx.onPowerUp(id, unitId, new Date(lastEnd * 1000));
}

/**
 * Read the meters of terminal `id` (one meter when `point` is given). Routine polls in
 * `load-profile` mode read the record of `slot`; everything else reads the registers.
 */
export async function readMeters(ctx: ReadContext, id: string, point: string | undefined, priority: PriorityName, action: 'poll' | 'read', slot?: Date): Promise<MeterResult[]> {
  const { config, profile } = terminalOf(ctx.site, id);
  const transport = ctx.links.modbus.get(id);
  if (!transport) throw new Error(`terminal ${id} is not polled (transport ${config.transport.kind}); it pushes over MQTT`);
  const meters = config.meters.filter((m) => !point || m.point === point);
  const fromProfile = action === 'poll' && slot && config.pollFrom === 'load-profile' && profile.loadProfile;
  const outages = action === 'poll' && config.outageCheck ? profile.outageRecordsAddress : undefined;
  return Promise.all(
    meters.map(async (m): Promise<MeterResult> => {
      const started = performance.now();
      try {
        const reading = await ctx.scheduler.submit({
          queue: ctx.links.queueOf.get(id)!,
          terminal: id,
          priority,
          label: `${action} unit ${m.unitId}`,
          ...(config.timeoutMs ? { timeoutMs: config.timeoutMs } : {}),
          ...(config.retries !== undefined ? { retries: config.retries } : {}),
          onRetry: (e, attempt) => ctx.log({ terminal: id, unitId: m.unitId, point: m.point, action, ok: false, retried: true, durationMs: 0, error: (e as Error)?.message ?? String(e), errorKind: kindOf(e), detail: `attempt ${attempt} failed, retrying` }),
          run: async (signal): Promise<MeterReading> => {
            let r: MeterReading;
            if (fromProfile) {
              const rec = await readStoredRecord(transport, m.unitId, fromProfile, slot, signal);
              if (!rec) throw new NoRecordError(`terminal ${id} unit ${m.unitId}: no load-profile record for ${slot.toISOString()} yet; backfill will fetch it`);
              r = { values: rec.values, instant: {}, clock: null, problems: [] };
            } else
              r = await readMeter(transport, profile, m.unitId, { signal, ...(config.maxGap !== undefined ? { maxGap: config.maxGap } : {}), ...(config.maxRequest ? { maxCount: config.maxRequest } : {}) });
            if (outages !== undefined) await checkOutages(ctx, transport, id, m.unitId, m.point, outages, signal);
            return r;
          },
        });
        const detail = [slot ? `interval ${slot.toISOString()}` : '', reading.problems.length ? `problems: ${reading.problems.join('; ')}` : ''].filter(Boolean).join(', ');
        // The meter's clock against ours, for the clock-drift check.
        const clock = reading.clock ? { data: { meterClock: reading.clock.getTime(), readAt: ctx.now() } } : {};
        ctx.log({ terminal: id, unitId: m.unitId, point: m.point, action, ok: true, durationMs: performance.now() - started, ...(detail ? { detail } : {}), ...clock });
        return { terminal: id, unitId: m.unitId, point: m.point, reading };
      } catch (e) {
        const error = (e as Error)?.message ?? String(e);
        ctx.log({ terminal: id, unitId: m.unitId, point: m.point, action, ok: false, durationMs: performance.now() - started, error, errorKind: kindOf(e) });
        return { terminal: id, unitId: m.unitId, point: m.point, error };
      }
    }),
  );
}
