/**
 * The tariff fields of the archive (`tariffs[]`, beside id, name and effective dates): energy
 * prices, basic charge, power-factor adjustment, TOU calendar. Validated when the archive is
 * imported, so a bad price is named by file, line and field there, not at settlement; prices
 * stay decimal text, which settlement parses exactly. The rules of the days a tariff is in force
 * (no end before its start, no overlap within a schedule) are here too: archive import and
 * settlement's loading of stored tariffs both apply them, each naming the tariff its own way.
 */
import { z } from 'zod';

/** A plain decimal (`-12.345`): sign, digits, optional fraction; no exponent, no separators. */
export const PLAIN_DECIMAL = /^\s*([+-]?)(\d+)(?:\.(\d+))?\s*$/;

/** Whether a string is a plain decimal (`-12.345`), no exponent. */
function isDecimalText(text: string): boolean {
  return PLAIN_DECIMAL.test(text);
}

// Decimals stay text here (YAML numbers are taken as written): money is parsed exactly by settlement.
const decimalText = (what: string) =>
  z.union([z.string(), z.number()])
    .transform((v) => String(v).trim())
    .refine(isDecimalText, { error: (iss) => `${what}: '${String(iss.input)}' is not a plain decimal such as "0.2150" (a point for decimals, no thousands separator)` });
// A tariff's prices are charges: a negative one is a typing slip, not a credit.
const price = decimalText('a price per unit').refine((d) => !/^-/.test(d) || !/[1-9]/.test(d), 'a price per unit cannot be negative');
const positive = (what: string) => decimalText(what).refine((d) => !d.startsWith('-') && /[1-9]/.test(d), `${what} must be positive`);

/** TOU energy prices per tier, applied to the active import tier registers. */
const touEnergy = z.strictObject({
  kind: z.literal('tou').default('tou'),
  sharp: price.describe('per kWh of ap_imp.sharp'),
  peak: price.describe('per kWh of ap_imp.peak'),
  flat: price.describe('per kWh of ap_imp.flat'),
  valley: price.describe('per kWh of ap_imp.valley'),
});
/** One price for all active import energy (the total register). */
const singleEnergy = z.strictObject({ kind: z.literal('single'), price: price.describe('per kWh of ap_imp.total') });

const capacityBasic = z.strictObject({
  kind: z.literal('capacity'),
  /** Price per kVA of contracted capacity per month. */
  pricePerKva: price.describe('price per kVA of contracted capacity per month'),
  contractedKva: positive('contractedKva').describe('contracted capacity, kVA (positive)'),
});
const demandBasic = z.strictObject({
  kind: z.literal('demand'),
  /** Price per kW of the month's maximum demand per month. */
  pricePerKw: price.describe("price per kW of the month's maximum demand per month"),
  /** `intervals` (default): the largest 15-min mean power of the account; `register`: the meters' maximum-demand registers. */
  source: z.enum(['register', 'intervals']).default('intervals').describe("intervals (default): the account's largest 15-min mean power, from its interval energy; register: the meters' maximum-demand registers (the demand table; sim-terminal-v1 has none)"),
  /** Demand register read with `source: register`. */
  register: z.enum(['ap_imp.total', 'ap_imp.sharp', 'ap_imp.peak', 'ap_imp.flat', 'ap_imp.valley']).default('ap_imp.total').describe('demand register read with source: register'),
  /** Demand billed at least (e.g. 40 % of contracted capacity). */
  minimumKw: decimalText('minimumKw').optional().describe('demand billed at least, kW (e.g. 40 % of contracted capacity)'),
});

const pfRow = z.tuple([z.string(), z.string(), z.string()]);
const powerFactor = z
  .strictObject({
    /** One of the shipped standard tables (功率因数调整电费办法). */
    standard: z.enum(['0.90', '0.85', '0.80']).optional().describe('one of the shipped standard tables (give this or table)'),
    /** A table of one's own: rows `[min, max, percent]`, power factors in hundredths. */
    table: z.array(pfRow).min(1).optional().describe('a table of one\'s own: rows [min, max, percent], power factors as decimals (give this or standard)'),
    belowStepPercent: decimalText('belowStepPercent').default('2').describe("with table: percent added per 0.01 below the table's lowest row"),
    /** Reactive energy in the power factor: forward only, or forward plus reverse (the usual rule). */
    reactive: z.enum(['import', 'import+export']).default('import+export').describe('reactive energy in the power factor: forward only, or forward plus reverse'),
  })
  .refine((p) => (p.standard === undefined) !== (p.table === undefined), 'give either standard or table');

const tier = z.enum(['sharp', 'peak', 'flat', 'valley']);
const bands = z.array(z.strictObject({
  start: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a local time HH:MM').describe('local time the band starts; it lasts until the next band (wrapping past midnight)'),
  tier: tier.describe('tier in force'),
})).min(1);
/** Which tier is in force when, for meters that keep no tier registers. */
const calendar = z.strictObject({
  seasons: z.array(z.strictObject({
    start: z.string().regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'a date MM-DD').describe('first day of the season (MM-DD); it lasts until the next season, wrapping over New Year'),
    workday: bands.describe('bands of a workday'),
    weekend: bands.optional().describe('bands of a weekend day (default: the workday bands)'),
    holiday: bands.optional().describe('bands of a holiday (default: the weekend bands)'),
  })).min(1),
  holidays: z.array(z.iso.date()).default([]).describe('local dates YYYY-MM-DD billed as holidays'),
  weekend: z.array(z.number().int().min(1).max(7)).default([6, 7]).describe('ISO weekdays of the weekend (1 Monday … 7 Sunday)'),
});

/** The schema of a tariff's spec fields (everything but id, name and effective dates). */
export const tariffSpecSchema = z.strictObject({
  schedule: z.string().min(1).optional().describe("tariffs of one schedule succeed one another (default: the tariff's id)"),
  currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as EUR').default('EUR').describe('ISO 4217 code'),
  energy: z.union([touEnergy, singleEnergy]).describe('energy prices: TOU per tier, or one price'),
  calendar: calendar.optional().describe("TOU tiers by time of day, season and holiday: splits the intervals of meters that keep no tier registers"),
  basic: z.discriminatedUnion('kind', [capacityBasic, demandBasic]).optional().describe('basic charge by capacity or by maximum demand'),
  powerFactor: powerFactor.optional().describe('power-factor adjustment of energy and basic charges'),
  /** When this tariff takes effect inside a billing month: split energy by the days' figures, or prorate by days. */
  midMonth: z.enum(['split', 'prorate']).default('split').describe("taking effect inside a month: split by the days' figures, or prorate by days"),
});

/** A tariff's spec fields as validated (prices as decimal text, defaults filled in). */
export type TariffSpec = z.output<typeof tariffSpecSchema>;

/** A tariff's schedule and the local days it is in force, both inclusive (`to` null while open-ended). */
export interface TariffDays {
  id: string;
  schedule: string;
  from: string;
  to: string | null;
}

/** A broken rule of a tariff's days in force: the field to name (`effectiveFrom`/`effectiveTo`) and why. */
export interface TariffDaysProblem {
  field: 'effectiveFrom' | 'effectiveTo';
  message: string;
}

/** The problem of a tariff whose last day is before its first, or undefined. */
export function tariffDaysProblem(t: Pick<TariffDays, 'from' | 'to'>): TariffDaysProblem | undefined {
  // ISO dates compare as text.
  return t.to !== null && t.to < t.from ? { field: 'effectiveTo', message: 'is before effectiveFrom' } : undefined;
}

/**
 * Tariffs grouped by schedule (in order of first mention), each group ordered by first day, and
 * every tariff that starts before the previous one of its schedule ends, in that order. Ties on
 * the first day keep the given order unless `tie` orders them.
 */
export function tariffSchedules<T extends TariffDays>(
  tariffs: readonly T[],
  tie: (a: T, b: T) => number = () => 0,
): { schedules: Map<string, T[]>; overlaps: (TariffDaysProblem & { tariff: T })[] } {
  const schedules = new Map<string, T[]>();
  for (const t of tariffs) schedules.set(t.schedule, [...(schedules.get(t.schedule) ?? []), t]);
  const overlaps: (TariffDaysProblem & { tariff: T })[] = [];
  for (const [name, list] of schedules) {
    list.sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : tie(a, b)));
    for (let i = 1; i < list.length; i++) {
      const prev = list[i - 1]!, cur = list[i]!;
      if (prev.to === null || prev.to >= cur.from) {
        overlaps.push({ tariff: cur, field: 'effectiveFrom', message: `overlaps tariff ${prev.id} of schedule ${name}; end ${prev.id} (effectiveTo) the day before` });
      }
    }
  }
  return { schedules, overlaps };
}
