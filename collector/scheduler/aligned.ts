/** Aligned periodic collection: every interval boundary plus an offset, without drift. */

/**
 * The first time strictly after `nowMs` of the form k × intervalMs + offsetMs (Unix epoch
 * aligned, so a 15-minute interval fires at :00, :15, :30, :45 plus the offset).
 */
export function nextAlignedTime(nowMs: number, intervalMs: number, offsetMs = 0): number {
  if (intervalMs <= 0) throw new RangeError(`interval ${intervalMs} ms must be positive`);
  const k = Math.floor((nowMs - offsetMs) / intervalMs) + 1;
  return k * intervalMs + offsetMs;
}

/** A timer firing at every aligned boundary; each tick gets the interval end it collects. */
export class AlignedTimer {
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private last = -Infinity;

  /**
   * @param intervalMs interval length
   * @param offsetMs delay after the boundary (let meters close their interval first)
   * @param tick called with the boundary (interval end, without the offset); errors are the caller's
   * @param now clock, ms
   * @param speed clock ms per wall ms (an accelerated clock fires sooner in wall time)
   */
  constructor(
    readonly intervalMs: number,
    readonly offsetMs: number,
    private readonly tick: (intervalEnd: Date) => void,
    private readonly now: () => number = Date.now,
    private readonly speed = 1,
  ) {}

  /** Start firing. */
  start(): void {
    this.stopped = false;
    this.arm();
  }

  /** Stop firing. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private arm(): void {
    if (this.stopped) return;
    // Never the same boundary twice, even when the clock stands still.
    const at = Math.max(nextAlignedTime(this.now(), this.intervalMs, this.offsetMs), this.last + this.intervalMs);
    this.timer = setTimeout(() => {
      this.last = at;
      this.arm();
      this.tick(new Date(at - this.offsetMs));
    }, Math.max(0, (at - this.now()) / this.speed));
    this.timer.unref?.();
  }
}
