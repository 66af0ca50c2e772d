/**
 * Maximum demand: mean power over fixed demand blocks (aligned to multiples of the block length),
 * the largest per direction and tier with the meter-clock time the block ended.
 */
import { REGISTER_COUNT } from '../../schema/registers.ts';

/** The largest block demand of one register slot. */
export interface DemandRecord {
  /** Mean power of the block, W (or var for reactive directions). */
  value: number;
  /** Meter-clock Unix seconds at the block's end; 0 while none recorded. */
  time: number;
}

/** Accumulates one demand block at a time and keeps the maxima in register-map order (20). */
export class MaxDemand {
  private readonly blockWs = [0, 0, 0, 0];
  private blockTier = 0;
  private readonly max: DemandRecord[] = Array.from({ length: REGISTER_COUNT }, () => ({ value: 0, time: 0 }));

  constructor(readonly seconds: number) {}

  /** End of the block containing t. */
  blockEnd(t: number): number {
    return (Math.floor(t / this.seconds) + 1) * this.seconds;
  }

  /** Add energy of a direction (Ws) in the current block; the first tier seen names the block. */
  add(direction: number, ws: number, tier: number): void {
    if (this.blockWs.every((w) => w === 0)) this.blockTier = tier;
    this.blockWs[direction]! += ws;
  }

  /** Close the current block at meter-clock time `clock`. */
  close(clock: number): void {
    for (let d = 0; d < 4; d++) {
      const value = Math.round(this.blockWs[d]! / this.seconds);
      for (const i of [d * 5, d * 5 + this.blockTier]) {
        const rec = this.max[i]!;
        if (value > rec.value) this.max[i] = { value, time: clock };
      }
      this.blockWs[d] = 0;
    }
  }

  /** Maxima in register-map order. */
  records(): DemandRecord[] {
    return this.max.map((r) => ({ ...r }));
  }
}
