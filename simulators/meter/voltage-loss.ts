/**
 * Loss-of-voltage records per phase (A, B, C): count, cumulative seconds, last start and end,
 * as the meter stamps them with its own clock.
 */

/** One phase's loss-of-voltage record. */
export interface PhaseLossRecord {
  count: number;
  /** Cumulative seconds without voltage, including a loss still going on. */
  seconds: number;
  /** Meter-clock Unix seconds of the last loss start; 0 if none. */
  lastStart: number;
  /** Meter-clock Unix seconds of the last loss end; 0 while it lasts or if none. */
  lastEnd: number;
}

interface PhaseState extends PhaseLossRecord {
  since: number | undefined;
}

/** The three phases' records, updated as losses start and end. */
export class VoltageLoss {
  private readonly phases: PhaseState[] = [0, 1, 2].map(() => ({ count: 0, seconds: 0, lastStart: 0, lastEnd: 0, since: undefined }));

  /** Whether phase p (0..2) is without voltage. */
  lost(p: number): boolean {
    return this.phases[p]!.since !== undefined;
  }

  /** Number of phases with voltage. */
  alive(): number {
    return this.phases.filter((s) => s.since === undefined).length;
  }

  /** Phase p loses voltage at true time t, meter clock `clock`. */
  start(p: number, t: number, clock: number): boolean {
    const s = this.phases[p]!;
    if (s.since !== undefined) return false;
    s.since = t;
    s.count++;
    s.lastStart = clock;
    s.lastEnd = 0;
    return true;
  }

  /** Phase p regains voltage. */
  end(p: number, t: number, clock: number): boolean {
    const s = this.phases[p]!;
    if (s.since === undefined) return false;
    s.seconds += t - s.since;
    s.since = undefined;
    s.lastEnd = clock;
    return true;
  }

  /** Records at true time t. */
  records(t: number): PhaseLossRecord[] {
    return this.phases.map((s) => ({
      count: s.count,
      seconds: s.seconds + (s.since === undefined ? 0 : t - s.since),
      lastStart: s.lastStart,
      lastEnd: s.lastEnd,
    }));
  }
}
