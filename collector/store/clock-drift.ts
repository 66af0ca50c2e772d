/**
 * The clock-drift check (DESIGN.md §6): every register read that carries the meter's clock is
 * compared with the collector's time; beyond the limit a `clock-drift` alarm is raised for the
 * point and the UTC day, and it clears when a later read finds the clock right again.
 */
import { DateTime } from 'luxon';
import type { Database } from '../../schema/index.ts';
import { clockDriftCandidates, DEFAULT_CLOCK_DRIFT_LIMITS, type ClockDriftLimits } from '../../calc-engine/index.ts';
import { applyAlarms } from '../../calc-engine/store/index.ts';
import type { AcquisitionLogEntry } from '../daemon/index.ts';

/** Judges meter clocks as reads come in; one chain of alarm updates per point. */
export class ClockDriftCheck {
  private readonly chains = new Map<string, Promise<void>>();

  /** Check with `limits` (default 120 s); `onError` hears of failed alarm writes. */
  constructor(
    private readonly handle: Database,
    private readonly limits: ClockDriftLimits = DEFAULT_CLOCK_DRIFT_LIMITS,
    private readonly onError: (e: unknown) => void = () => undefined,
  ) {}

  /** Look at an acquisition-log entry; entries without a meter clock are ignored. */
  observe(e: AcquisitionLogEntry): void {
    const meterClock = e.data?.meterClock, readAt = e.data?.readAt;
    if (!e.point || typeof meterClock !== 'number' || typeof readAt !== 'number') return;
    const point = e.point;
    const day = DateTime.fromMillis(readAt, { zone: 'utc' }).startOf('day');
    const from = day.toMillis(), to = day.plus({ days: 1 }).toMillis();
    const candidates = clockDriftCandidates(point, from, to, [{ readAt, meterClock }], this.limits, 'point');
    const next = (this.chains.get(point) ?? Promise.resolve())
      .then(() => applyAlarms(this.handle, { rules: ['clock-drift'], objects: [{ kind: 'point', id: point }], from, to }, candidates))
      .then(() => undefined, this.onError);
    this.chains.set(point, next);
  }

  /** Resolves when every alarm update so far is written. */
  async idle(): Promise<void> {
    await Promise.all(this.chains.values());
  }
}
