/**
 * Simulated clocks. Meters integrate in whole simulated seconds; a clock only says which
 * simulated instant "now" is, so the same meters run in real time, accelerated, or stepped by a test.
 */

/** Source of the simulated time, Unix seconds (may be fractional). */
export interface Clock {
  now(): number;
}

/** Simulated time running `speed` times faster than the wall clock from `start`. */
export class SimClock implements Clock {
  private readonly realStart: number;

  constructor(
    readonly start: number,
    readonly speed = 1,
    private readonly wall: () => number = () => performance.now(),
  ) {
    if (!(speed > 0)) throw new Error('clock speed must be positive');
    this.realStart = wall();
  }

  now(): number {
    return this.start + ((this.wall() - this.realStart) / 1000) * this.speed;
  }

  /** Wall milliseconds until simulated time `t` (0 if already past). */
  msUntil(t: number): number {
    return Math.max(0, ((t - this.now()) / this.speed) * 1000);
  }
}

/** A clock set by hand (tests, batch runs). */
export class ManualClock implements Clock {
  constructor(private t: number) {}

  now(): number {
    return this.t;
  }

  /** Move to simulated time t. */
  set(t: number): void {
    this.t = t;
  }
}
