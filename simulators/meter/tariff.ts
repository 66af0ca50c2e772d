/**
 * Tariff calendar: which tier (sharp, peak, flat, valley) is in force at an instant, by local
 * time-of-day bands, optional seasonal band sets, weekend bands and holidays.
 */
import type { Tier } from '../../schema/registers.ts';
import { TIERS } from '../../schema/registers.ts';
import { civilFromDays, daysFromIsoDate, type LocalTime } from './zone.ts';

/** A tier that a band can select (every tier but `total`). */
export type BandTier = Exclude<Tier, 'total'>;

/** One band: from this local time of day (HH:MM) until the next band, this tier applies. */
export interface TariffBand {
  from: string;
  tier: BandTier;
}

/** Declarative tariff calendar, as written in scenario files. */
export interface TariffSpec {
  bands: TariffBand[];
  /** Band sets for given months (1–12); the first matching season wins. */
  seasons?: { months: number[]; bands: TariffBand[] }[];
  /** Bands for Saturdays and Sundays, when they differ. */
  weekendBands?: TariffBand[];
  /** Local dates (YYYY-MM-DD) that run on `holidayTier` all day. */
  holidays?: string[];
  holidayTier?: BandTier;
}

/** A common two-peak calendar (valley at night, sharp in the evening peak). */
export const DEFAULT_TARIFF: TariffSpec = {
  bands: [
    { from: '00:00', tier: 'valley' },
    { from: '08:00', tier: 'flat' },
    { from: '10:00', tier: 'peak' },
    { from: '12:00', tier: 'flat' },
    { from: '18:00', tier: 'peak' },
    { from: '19:00', tier: 'sharp' },
    { from: '21:00', tier: 'peak' },
    { from: '23:00', tier: 'valley' },
  ],
};

interface CompiledBands {
  starts: number[]; // seconds of day, ascending, first is 0
  tiers: number[]; // index into TIERS
}

function compile(bands: TariffBand[]): CompiledBands {
  const parsed = bands
    .map((b) => {
      const m = /^(\d{1,2}):(\d{2})$/.exec(b.from);
      if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) throw new Error(`bad band time "${b.from}"`);
      return { start: Number(m[1]) * 3600 + Number(m[2]) * 60, tier: TIERS.indexOf(b.tier) };
    })
    .sort((a, b) => a.start - b.start);
  if (parsed.length === 0) throw new Error('a tariff needs at least one band');
  // Before the first band the last band of the day carries over, as it would from yesterday.
  if (parsed[0]!.start !== 0) parsed.unshift({ start: 0, tier: parsed[parsed.length - 1]!.tier });
  return { starts: parsed.map((p) => p.start), tiers: parsed.map((p) => p.tier) };
}

/** A compiled calendar answering tier lookups without allocation. */
export class TariffCalendar {
  private readonly base: CompiledBands;
  private readonly weekend: CompiledBands | undefined;
  private readonly seasons: { months: Set<number>; bands: CompiledBands }[];
  private readonly holidays: Set<number>;
  private readonly holidayTier: number;

  constructor(spec: TariffSpec = DEFAULT_TARIFF) {
    this.base = compile(spec.bands);
    this.weekend = spec.weekendBands ? compile(spec.weekendBands) : undefined;
    this.seasons = (spec.seasons ?? []).map((s) => ({ months: new Set(s.months), bands: compile(s.bands) }));
    this.holidays = new Set((spec.holidays ?? []).map(daysFromIsoDate));
    this.holidayTier = TIERS.indexOf(spec.holidayTier ?? 'valley');
  }

  private bandsFor(lt: LocalTime): CompiledBands | undefined {
    if (this.holidays.has(lt.day)) return undefined;
    if (this.weekend && (lt.weekday === 0 || lt.weekday === 6)) return this.weekend;
    if (this.seasons.length > 0) {
      const month = civilFromDays(lt.day).month;
      for (const s of this.seasons) if (s.months.has(month)) return s.bands;
    }
    return this.base;
  }

  /** Tier index (1 = sharp … 4 = valley, as in TIERS) in force at a local time. */
  tierAt(lt: LocalTime): number {
    const bands = this.bandsFor(lt);
    if (!bands) return this.holidayTier;
    let i = bands.starts.length - 1;
    while (i > 0 && bands.starts[i]! > lt.second) i--;
    return bands.tiers[i]!;
  }

  /** Seconds from this local time until the next band start (or local midnight). */
  secondsToNextBand(lt: LocalTime): number {
    const bands = this.bandsFor(lt);
    if (bands) for (const s of bands.starts) if (s > lt.second) return s - lt.second;
    return 86400 - lt.second;
  }
}
