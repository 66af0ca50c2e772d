/**
 * The settlement's data model: register figures of an account, the tariff windows of its
 * month, charge lines and statements. Pure types and the exact sums over them.
 */
import { REGISTER_COLUMNS, type RegisterColumn } from '../../schema/index.ts';
import { DEC_ZERO, decAdd, decNeg, parseDecimal, type Decimal } from './decimal.ts';
import type { Tariff } from './tariff.ts';

/** Tiers that carry TOU prices. */
export const BILLED_TIERS = ['sharp', 'peak', 'flat', 'valley'] as const;
/** A tier with a TOU price. */
export type BilledTier = (typeof BILLED_TIERS)[number];

/** The 20 energy registers of a figure, kWh or kvarh after multipliers, exact. */
export type RegisterFigures = Record<RegisterColumn, Decimal>;

/** All registers zero. */
export function zeroFigures(): RegisterFigures {
  return Object.fromEntries(REGISTER_COLUMNS.map((c) => [c, DEC_ZERO])) as RegisterFigures;
}

/** a + sign × b, register by register. */
export function addFigures(a: RegisterFigures, b: RegisterFigures, sign: 1 | -1 = 1): RegisterFigures {
  const out = {} as RegisterFigures;
  for (const c of REGISTER_COLUMNS) out[c] = decAdd(a[c], sign === 1 ? b[c] : decNeg(b[c]));
  return out;
}

/** Figures from a database row (numeric columns as text; NULL counts as zero). */
export function figuresFromRow(row: Readonly<Record<string, unknown>>): RegisterFigures {
  const out = {} as RegisterFigures;
  for (const c of REGISTER_COLUMNS) {
    const v = row[c];
    out[c] = v === null || v === undefined ? DEC_ZERO : parseDecimal(v as string);
  }
  return out;
}

/** Quality of a member point's monthly figure as the statement used it. */
export interface MemberFigure {
  pointId: string;
  sign: 1 | -1;
  quality: 'actual' | 'estimated';
  /** Who approved an estimated figure. */
  approvedBy?: string;
  /** The point's own figures (before its sign). */
  energy: RegisterFigures;
}

/** A tariff in force over consecutive days of the month, with the energy attributed to it. */
export interface BillingWindow {
  tariff: Tariff;
  firstDay: string;
  lastDay: string;
  days: number;
  energy: RegisterFigures;
}

/** Everything a statement is computed from. */
export interface StatementInput {
  accountId: string;
  accountName: string;
  /** `YYYY-MM`. */
  month: string;
  /** Days in the billing month (the proration denominator). */
  monthDays: number;
  /** Signed sum of the members' monthly figures. */
  energy: RegisterFigures;
  windows: BillingWindow[];
  /** Maximum demand, kW, where a demand-billed tariff needs it. */
  demandKw: Decimal | null;
  members: MemberFigure[];
  warnings: string[];
}

/** One line: quantity × price (× factor) = amount, rounded half-up to 0.01. */
export interface ChargeLine {
  /** `energy.peak`, `energy.total`, `basic.capacity`, `basic.demand`, `pf.adjustment`. */
  code: string;
  tariffId: string;
  description: string;
  quantity: Decimal;
  unit: string;
  price: Decimal;
  /** Proration factor `num/den` (days in force / days in month), null for 1. */
  factor: { num: bigint; den: bigint } | null;
  amount: Decimal;
}

/** Figures shown on a statement. */
export interface StatementFigures {
  activeImport: Record<'total' | BilledTier, Decimal>;
  activeExport: Decimal;
  reactiveImport: Decimal;
  reactiveExport: Decimal;
  demandKw: Decimal | null;
  /** Monthly power factor, two decimals, or null when there was no energy. */
  powerFactor: string | null;
  windows: { tariffId: string; firstDay: string; lastDay: string; days: number }[];
  /** The members and their own monthly energy, kWh/kvarh after multipliers (absent in statements stored before 2026-12-04). */
  members: { pointId: string; sign: 1 | -1; quality: string; approvedBy?: string; activeImport?: string; activeExport?: string; reactiveImport?: string; reactiveExport?: string }[];
}

/** A statement (or a difference statement) of one account for one month. */
export interface Statement {
  accountId: string;
  accountName: string;
  month: string;
  kind: 'statement' | 'difference';
  currency: string;
  figures: StatementFigures;
  lines: ChargeLine[];
  /** Sum of the rounded line amounts. */
  total: Decimal;
  warnings: string[];
}
