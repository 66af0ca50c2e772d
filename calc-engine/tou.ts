/**
 * Time-of-use energy (DESIGN.md §5): from the meter's tier registers where it keeps them,
 * otherwise each interval's energy goes to the tier a tariff calendar puts in force at the
 * interval's local start time (bands by time of day, seasons, weekends, holidays).
 */
import { DateTime } from 'luxon';
import { registerIndex, TIERS, type Direction, type Tier } from '../schema/registers.ts';
import { addRegisterFigures, ZERO_FIGURE, type EnergyFigure, type RegisterFigure } from './figure.ts';

/** The four tiers energy is split into (everything but `total`). */
export type TouTier = Exclude<Tier, 'total'>;
/** The TOU tiers in register-map order. */
export const TOU_TIERS: readonly TouTier[] = TIERS.filter((t): t is TouTier => t !== 'total');

/** Kind of day for band selection. */
export type DayType = 'workday' | 'weekend' | 'holiday';

/** From local `start` ("HH:MM") until the next band's start, `tier` applies (bands wrap past midnight). */
export interface TariffBand {
  readonly start: string;
  readonly tier: TouTier;
}

/** From local date `start` ("MM-DD") until the next season's start (seasons wrap over New Year). */
export interface TariffSeason {
  readonly start: string;
  readonly workday: readonly TariffBand[];
  readonly weekend?: readonly TariffBand[];
  readonly holiday?: readonly TariffBand[];
}

/** A tariff calendar: seasons with day-type bands, plus holidays and which ISO weekdays are weekend. */
export interface TariffCalendar {
  readonly seasons: readonly TariffSeason[];
  /** Local dates "YYYY-MM-DD". */
  readonly holidays?: readonly string[];
  /** ISO weekdays (1 = Monday … 7 = Sunday); default [6, 7]. */
  readonly weekend?: readonly number[];
}

function minutes(hhmm: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!m) throw new RangeError(`tariff: not a time: ${hhmm}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

function latest<T>(items: readonly T[], key: (x: T) => number | string, at: number | string): T | undefined {
  const sorted = [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  let found = sorted[sorted.length - 1];
  for (const x of sorted) if (key(x) <= at) found = x;
  return found;
}

/** The tier in force at instant `t` in `zone`. */
export function tierAt(cal: TariffCalendar, zone: string, t: number): TouTier {
  return tierAtLocal(cal, DateTime.fromMillis(t, { zone }));
}

/** The tier in force at a local time (a caller that has the luxon time already). */
export function tierAtLocal(cal: TariffCalendar, local: DateTime): TouTier {
  const season = latest(cal.seasons, (s) => s.start, local.toFormat('MM-dd'));
  if (!season) throw new RangeError('tariff: calendar has no season');
  const date = local.toISODate()!;
  const type: DayType = cal.holidays?.includes(date) ? 'holiday' : (cal.weekend ?? [6, 7]).includes(local.weekday) ? 'weekend' : 'workday';
  const bands = (type === 'holiday' ? season.holiday ?? season.weekend : type === 'weekend' ? season.weekend : undefined) ?? season.workday;
  const band = latest(bands, (b) => minutes(b.start), local.hour * 60 + local.minute);
  if (!band) throw new RangeError('tariff: season has no band');
  return band.tier;
}

/**
 * Tier index (0 sharp, 1 peak, 2 flat, 3 valley) of n consecutive intervals starting at
 * `from` with step `stepMs` — computed once per zone and reused for every point of a chunk.
 */
export function tierSchedule(cal: TariffCalendar, zone: string, from: number, stepMs: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = TOU_TIERS.indexOf(tierAt(cal, zone, from + i * stepMs));
  return out;
}

/** Per-tier energy of one direction. */
export type TouEnergy = Readonly<Record<TouTier, RegisterFigure>>;

/** TOU split of a direction from the meter's own tier registers. */
export function touFromRegisters(figure: EnergyFigure, direction: Direction): TouEnergy {
  const pick = (t: TouTier): RegisterFigure => figure.registers[registerIndex(`${direction}.${t}`)]!;
  return { sharp: pick('sharp'), peak: pick('peak'), flat: pick('flat'), valley: pick('valley') };
}

/**
 * TOU split of a direction from interval figures (meters without tiers): each interval's
 * `direction.total` energy goes to the tier in force at its start.
 */
export function touFromIntervals(cal: TariffCalendar, zone: string, intervals: readonly EnergyFigure[], direction: Direction): TouEnergy {
  const acc: Record<TouTier, RegisterFigure> = { sharp: ZERO_FIGURE, peak: ZERO_FIGURE, flat: ZERO_FIGURE, valley: ZERO_FIGURE };
  const r = registerIndex(`${direction}.total`);
  for (const f of intervals) {
    const tier = tierAt(cal, zone, f.from);
    acc[tier] = addRegisterFigures(acc[tier], f.registers[r]!);
  }
  return acc;
}
