/**
 * Events per second over the last minute in constant memory: one counter per second of a
 * 60-second ring, not a timestamp per event (a busy collector stores thousands a second).
 */
export class MinuteRate {
  private readonly counts = new Float64Array(60);
  private readonly seconds = new Float64Array(60).fill(-1);

  /** Count `n` events at `now` (epoch ms). */
  add(n: number, now = Date.now()): void {
    const s = Math.floor(now / 1000);
    const k = s % 60;
    if (this.seconds[k] !== s) (this.seconds[k] = s), (this.counts[k] = 0);
    this.counts[k]! += n;
  }

  /** Mean events per second over the 60 seconds up to `now`. */
  perSecond(now = Date.now()): number {
    const s = Math.floor(now / 1000);
    let sum = 0;
    for (let k = 0; k < 60; k++) if (this.seconds[k]! > s - 60) sum += this.counts[k]!;
    return sum / 60;
  }
}
