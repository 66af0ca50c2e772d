/**
 * Transport faults of one terminal, switchable at run time. The transports consult this state
 * for every request or publish; randomness comes from a seeded PRNG so a run is repeatable.
 */
import { mulberry32 } from '../meter/random.ts';

/** A fault that hits a share of requests, optionally only some unit ids. */
export interface Rate {
  probability: number;
  units?: number[];
}

/** How a Modbus request is to be treated. */
export type WireDecision =
  | { action: 'answer' }
  | { action: 'drop' }
  | { action: 'corrupt'; mode: 'crc' | 'garble' }
  | { action: 'exception'; code: number };

/** What `changed` listeners hear. */
export type WireChange = 'link';

/** The transport fault switches of one terminal. */
export class WireFaults {
  private down = false;
  /** Extra delay before every answer, ms of wall time. */
  delayMs = 0;
  timeout: Rate | undefined;
  corrupt: (Rate & { mode: 'crc' | 'garble' }) | undefined;
  exception: (Rate & { code: number }) | undefined;
  duplicate: Rate | undefined;
  outOfOrder: Rate | undefined;
  malformed: Rate | undefined;
  private readonly rng: () => number;
  private readonly listeners: ((c: WireChange) => void)[] = [];

  constructor(seed = 1) {
    this.rng = mulberry32(seed);
  }

  /** Whether the link is down (ports refuse, broker connection dropped, bus silent). */
  get linkDown(): boolean {
    return this.down;
  }

  /** Take the link down or bring it back; transports react through `onChange`. */
  setLinkDown(down: boolean): void {
    if (down === this.down) return;
    this.down = down;
    for (const l of this.listeners) l('link');
  }

  /** Listen to link changes. Returns an unsubscribe function. */
  onChange(listener: (c: WireChange) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** Whether a rate fault hits this unit now (draws from the PRNG). */
  hits(rate: Rate | undefined, unit?: number): boolean {
    if (!rate || rate.probability <= 0) return false;
    if (rate.units && unit !== undefined && !rate.units.includes(unit)) return false;
    return rate.probability >= 1 || this.rng() < rate.probability;
  }

  /** Decide the fate of one Modbus request to `unit`. */
  decide(unit: number): WireDecision {
    if (this.down || this.hits(this.timeout, unit)) return { action: 'drop' };
    if (this.corrupt && this.hits(this.corrupt, unit)) return { action: 'corrupt', mode: this.corrupt.mode };
    if (this.exception && this.hits(this.exception, unit)) return { action: 'exception', code: this.exception.code };
    return { action: 'answer' };
  }

  /** A random byte position/value source for garbling. */
  random(): number {
    return this.rng();
  }
}
