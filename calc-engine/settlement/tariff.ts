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
import { InputError, fieldPath, tariffDaysProblem, tariffSchedules, tariffSpecSchema } from '../../schema/index.ts';
import { parseDecimal, type Decimal } from './decimal.ts';
import { PF_STANDARD_TABLES, type PfTable } from './pf-tables.ts';
import type { TariffCalendar } from '../tou.ts';

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
  const days = tariffDaysProblem({ from: rec.effectiveFrom, to: rec.effectiveTo });
  if (days) throw new InputError([{ file: `tariff ${rec.id}`, ...days }]);
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
    energy: s.energy.kind === 'single'
      ? { kind: 'single', price: parseDecimal(s.energy.price) }
      : { kind: 'tou', sharp: parseDecimal(s.energy.sharp), peak: parseDecimal(s.energy.peak), flat: parseDecimal(s.energy.flat), valley: parseDecimal(s.energy.valley) },
    basic: !s.basic ? null
      : s.basic.kind === 'capacity' ? { kind: 'capacity', pricePerKva: parseDecimal(s.basic.pricePerKva), contractedKva: parseDecimal(s.basic.contractedKva) }
      : { kind: 'demand', pricePerKw: parseDecimal(s.basic.pricePerKw), source: s.basic.source, register: s.basic.register, ...(s.basic.minimumKw ? { minimumKw: parseDecimal(s.basic.minimumKw) } : {}) },
    powerFactor: table && pf ? { table, reactive: pf.reactive } : null,
    midMonth: s.midMonth,
    calendar: s.calendar ?? null,
  };
}

/** Tariffs grouped by schedule, each list ordered by first day (then id); overlaps are refused. */
export function schedulesOf(tariffs: readonly Tariff[]): Map<string, Tariff[]> {
  const { schedules, overlaps } = tariffSchedules(tariffs, (a, b) => (a.id < b.id ? -1 : 1));
  // Only the first overlap is named: any overlap refuses the run.
  const first = overlaps[0];
  if (first) throw new InputError([{ file: `tariff ${first.tariff.id}`, field: first.field, message: first.message }]);
  return schedules;
}
