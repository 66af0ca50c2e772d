/**
 * The clock-drift check (DESIGN.md §6): every register read that carries the meter's clock is
 * compared with the collector's time; beyond the limit a `clock-drift` alarm is raised for the
 * point and the UTC day, and it clears when a later read finds the clock right again.
 */
import { DateTime } from 'luxon';
import type { Database } from '../../schema/index.ts';
import { clockDriftCandidates, DEFAULT_CLOCK_DRIFT_LIMITS, type ClockDriftLimits } from '../../calc-engine/index.ts';
import { applyAlarmGroups, type CheckGroup } from '../../calc-engine/store/index.ts';
import type { AcquisitionLogEntry } from '../daemon/index.ts';

/** The newest meter-clock sample of a point on a UTC day. */
interface Sample {
  point: string;
  from: number;
  to: number;
  readAt: number;
  meterClock: number;
}

/**
 * Judges meter clocks as reads come in. The newest sample of each point and day is kept and
 * the alarms of all of them are reconciled at most once a second in one batch: a poll of many
 * meters costs one round of alarm queries, not one per meter.
 */
export class ClockDriftCheck {
  private readonly pending = new Map<string, Sample>();
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();

  /** Check with `limits` (default 120 s; a function is asked at each batch: the site config may be reloaded); `onError` hears of failed alarm writes. */
  constructor(
    private readonly handle: Database,
    private readonly limits: ClockDriftLimits | (() => ClockDriftLimits) = DEFAULT_CLOCK_DRIFT_LIMITS,
    private readonly onError: (e: unknown) => void = () => undefined,
    private readonly flushMs = 1000,
  ) {}

  /** Look at an acquisition-log entry; entries without a meter clock are ignored. */
  observe(e: AcquisitionLogEntry): void {
    const meterClock = e.data?.meterClock, readAt = e.data?.readAt;
    if (!e.point || typeof meterClock !== 'number' || typeof readAt !== 'number') return;
    const day = DateTime.fromMillis(readAt, { zone: 'utc' }).startOf('day');
    const from = day.toMillis();
    this.pending.set(`${e.point}|${from}`, { point: e.point, from, to: day.plus({ days: 1 }).toMillis(), readAt, meterClock });
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.flushMs);
      this.timer.unref?.();
    }
  }

  /** Reconcile the pending samples' alarms, after any reconciliation already running. */
  private flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const limits = typeof this.limits === 'function' ? this.limits() : this.limits;
    const groups: CheckGroup[] = [...this.pending.values()].map((s) => ({
      scope: { rules: ['clock-drift'], objects: [{ kind: 'point', id: s.point }], from: s.from, to: s.to },
      candidates: clockDriftCandidates(s.point, s.from, s.to, [{ readAt: s.readAt, meterClock: s.meterClock }], limits, 'point'),
    }));
    this.pending.clear();
    if (groups.length > 0) this.chain = this.chain.then(() => applyAlarmGroups(this.handle, groups)).then(() => undefined, this.onError);
    return this.chain;
  }

  /** Resolves when every sample so far is judged and its alarms written. */
  idle(): Promise<void> {
    return this.flush();
  }
}
