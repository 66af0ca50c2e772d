/**
 * Local time of a meter's zone, fast enough to ask once per model step. luxon answers the UTC
 * offset (about 5 µs a call); we cache it per 15-minute bucket because every DST transition in
 * use falls on a quarter hour.
 */
import { Info } from 'luxon';

const BUCKET = 900;

/** Local calendar facts of one instant. */
export interface LocalTime {
  /** Days since 1970-01-01 in local time. */
  day: number;
  /** Seconds since local midnight (0..86399). */
  second: number;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
}

/** UTC offsets and local calendar positions of one IANA zone. */
export class Zone {
  readonly name: string;
  private readonly zone;
  private readonly cache = new Map<number, number>();

  constructor(name: string) {
    const zone = Info.normalizeZone(name);
    if (!zone.isValid) throw new Error(`unknown time zone "${name}"`);
    this.name = name;
    this.zone = zone;
  }

  /** Offset from UTC in seconds at Unix time t. */
  offset(t: number): number {
    const b = Math.floor(t / BUCKET);
    let off = this.cache.get(b);
    if (off === undefined) {
      if (this.cache.size > 50_000) this.cache.clear();
      off = this.zone.offset(b * BUCKET * 1000) * 60;
      this.cache.set(b, off);
    }
    return off;
  }

  /** Local day, second of day and weekday at Unix time t. */
  local(t: number): LocalTime {
    const lt = t + this.offset(t);
    const day = Math.floor(lt / 86400);
    // 1970-01-01 was a Thursday (4).
    return { day, second: lt - day * 86400, weekday: (((day + 4) % 7) + 7) % 7 };
  }

  /** Unix time of local midnight starting local day `day` (first instant of that date). */
  midnight(day: number): number {
    let t = day * 86400 - this.offset(day * 86400);
    // One correction handles a DST change between UTC and local midnight.
    t = day * 86400 - this.offset(t);
    return t;
  }
}

const zones = new Map<string, Zone>();

/** A shared Zone instance per name (the offset cache is then shared by every meter). */
export function zoneOf(name: string): Zone {
  let z = zones.get(name);
  if (!z) {
    z = new Zone(name);
    zones.set(name, z);
  }
  return z;
}

/** Civil date (year, month 1–12, day 1–31) of a day number (days since 1970-01-01). */
export function civilFromDays(days: number): { year: number; month: number; day: number } {
  // Howard Hinnant's algorithm: exact for the proleptic Gregorian calendar.
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** Day number (days since 1970-01-01) of an ISO date "YYYY-MM-DD". */
export function daysFromIsoDate(date: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new Error(`not a date: "${date}"`);
  return Math.round(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / 86400000);
}
