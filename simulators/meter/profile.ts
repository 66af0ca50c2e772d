/**
 * Load-profile memory: a ring buffer of interval records (time + the 20 registers), as a meter
 * keeps them; the oldest record is overwritten when the memory is full.
 */

/** One stored record: meter-clock time of the interval boundary and the 20 register values. */
export interface ProfileRecord {
  time: number;
  registers: readonly number[];
}

/** Fixed-depth ring buffer of records with ascending times. */
export class ProfileMemory {
  private readonly buf: (ProfileRecord | undefined)[];
  private start = 0;
  private count = 0;

  constructor(readonly depth: number) {
    if (!Number.isInteger(depth) || depth < 1) throw new Error('profile depth must be a positive integer');
    this.buf = new Array<ProfileRecord | undefined>(depth);
  }

  /** Store a record; records must arrive with ascending times (older times are ignored). */
  push(record: ProfileRecord): void {
    const newest = this.newest();
    if (newest && record.time <= newest.time) return;
    if (this.count < this.depth) {
      this.buf[(this.start + this.count) % this.depth] = record;
      this.count++;
    } else {
      this.buf[this.start] = record;
      this.start = (this.start + 1) % this.depth;
    }
  }

  /** Number of stored records. */
  get size(): number {
    return this.count;
  }

  private at(i: number): ProfileRecord {
    return this.buf[(this.start + i) % this.depth]!;
  }

  /** The oldest stored record. */
  oldest(): ProfileRecord | undefined {
    return this.count ? this.at(0) : undefined;
  }

  /** The newest stored record. */
  newest(): ProfileRecord | undefined {
    return this.count ? this.at(this.count - 1) : undefined;
  }

  private lowerBound(time: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.at(mid).time < time) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The record stamped exactly `time`, if stored. */
  find(time: number): ProfileRecord | undefined {
    const i = this.lowerBound(time);
    return i < this.count && this.at(i).time === time ? this.at(i) : undefined;
  }

  /** Records with from ≤ time ≤ to, ascending. */
  range(from: number, to: number): ProfileRecord[] {
    const out: ProfileRecord[] = [];
    for (let i = this.lowerBound(from); i < this.count && this.at(i).time <= to; i++) out.push(this.at(i));
    return out;
  }
}
