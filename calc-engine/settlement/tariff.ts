/**
 * Tariff specifications, validated with zod at the edge. The archive stores a tariff as id,
 * name, effective dates and free spec fields (`tariff.spec`); this module gives those fields
 * their schema and turns a stored row into a {@link Tariff}.
 *
 * Effective dates are calendar days in the metering point's zone, both inclusive: a tariff with
 * `effectiveFrom: 2026-10-16` is in force from the start of 16 October. Tariffs sharing a
 * `schedule` (default: their id) succeed one another; an account names one tariff and is
 * billed under every tariff of that tariff's schedule, each over the days it is in force.
 */
import { z } from 'zod';
import { InputError, fieldPath } from '../../schema/index.ts';
import { isDecimalText, parseDecimal, type Decimal } from './decimal.ts';
import { PF_STANDARD_TABLES, type PfTable } from './pf-tables.ts';
import type { TariffCalendar } from '../tou.ts';

const decimalText = (what: string) =>
  z.union([z.string(), z.number()])
    .refine((v) => isDecimalText(String(v)), `${what}: a plain decimal such as "0.2150"`)
    .transform((v) => parseDecimal(String(v)));
const price = decimalText('a price per unit');
const positive = (what: string) => decimalText(what).refine((d) => d.units > 0n, `${what} must be positive`);

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
  /** `register`: the meters' maximum-demand registers; `intervals`: the largest 15-min mean power of the account. */
  source: z.enum(['register', 'intervals']).default('register').describe("register: the meters' maximum-demand registers; intervals: the account's largest 15-min mean power"),
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
    belowStepPercent: z.string().refine(isDecimalText, 'a plain decimal').default('2').describe("with table: percent added per 0.01 below the table's lowest row"),
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

/** Energy pricing of a tariff. */
export type EnergyPricing =
  | { kind: 'tou'; sharp: Decimal; peak: Decimal; flat: Decimal; valley: Decimal }
  | { kind: 'single'; price: Decimal };

/** Basic charge of a tariff. */
export type BasicCharge =
  | { kind: 'capacity'; pricePerKva: Decimal; contractedKva: Decimal }
  | { kind: 'demand'; pricePerKw: Decimal; source: 'register' | 'intervals'; register: string; minimumKw?: Decimal };

/** Power-factor adjustment of a tariff. */
export interface PowerFactorRule {
  table: PfTable;
  reactive: 'import' | 'import+export';
}

/** A validated tariff. */
export interface Tariff {
  id: string;
  name: string;
  schedule: string;
  /** First day in force, `YYYY-MM-DD`. */
  from: string;
  /** Last day in force (inclusive), or null while open-ended. */
  to: string | null;
  currency: string;
  energy: EnergyPricing;
  basic: BasicCharge | null;
  powerFactor: PowerFactorRule | null;
  midMonth: 'split' | 'prorate';
  /** The tier calendar for meters without tier registers, or null. */
  calendar: TariffCalendar | null;
}

/** A tariff as stored: dates as `YYYY-MM-DD` text, spec as JSON. */
export interface TariffRecord {
  id: string;
  name: string;
  effectiveFrom: string;
  effectiveTo: string | null;
  spec: unknown;
}

/** Validate a stored tariff's spec; problems name the tariff and the field. */
export function parseTariff(rec: TariffRecord): Tariff {
  const r = tariffSpecSchema.safeParse(rec.spec);
  if (!r.success) {
    throw new InputError(r.error.issues.map((i) => ({ file: `tariff ${rec.id}`, field: fieldPath(i.path) || undefined, message: i.message })));
  }
  const s = r.data;
  if (rec.effectiveTo !== null && rec.effectiveTo < rec.effectiveFrom) {
    throw new InputError([{ file: `tariff ${rec.id}`, field: 'effectiveTo', message: 'is before effectiveFrom' }]);
  }
  const pf = s.powerFactor;
  const table: PfTable | null = !pf
    ? null
    : pf.standard
      ? PF_STANDARD_TABLES[pf.standard]
      : { standard: 'custom', rows: pf.table!, belowStepPercent: pf.belowStepPercent, source: `tariff ${rec.id}` };
  return {
    id: rec.id,
    name: rec.name,
    schedule: s.schedule ?? rec.id,
    from: rec.effectiveFrom,
    to: rec.effectiveTo,
    currency: s.currency,
    energy: s.energy,
    basic: s.basic ?? null,
    powerFactor: table && pf ? { table, reactive: pf.reactive } : null,
    midMonth: s.midMonth,
    calendar: s.calendar ?? null,
  };
}

/** Tariffs grouped by schedule, each list ordered by first day; overlaps are refused. */
export function schedulesOf(tariffs: readonly Tariff[]): Map<string, Tariff[]> {
  const out = new Map<string, Tariff[]>();
  for (const t of tariffs) out.set(t.schedule, [...(out.get(t.schedule) ?? []), t]);
  for (const [name, list] of out) {
    list.sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : a.id < b.id ? -1 : 1));
    for (let i = 1; i < list.length; i++) {
      const prev = list[i - 1]!;
      if (prev.to === null || prev.to >= list[i]!.from) {
        throw new InputError([{ file: `tariff ${list[i]!.id}`, field: 'effectiveFrom', message: `overlaps tariff ${prev.id} of schedule ${name}; end ${prev.id} (effectiveTo) the day before` }]);
      }
    }
  }
  return out;
}
