/**
 * Tariff application: a statement's charge lines from its figures, pure and exact. Every line
 * is quantity × price (× days factor) rounded half-up to 0.01 on its own; the total is the sum
 * of the rounded lines. The power-factor line is a percentage of the rounded energy and basic
 * lines of the same tariff window.
 */
import {
  DEC_ZERO, dec, decAdd, decCmp, decIsZero, decMul, decMulRatioRound, decNormalize, decSub, decSum, formatDecimal, parseDecimal,
  type Decimal,
} from './decimal.ts';
import { BILLED_TIERS, type BillingWindow, type ChargeLine, type Statement, type StatementInput } from './model.ts';
import { formatPowerFactor, pfAdjustmentPercent, powerFactorHundredths } from './pf-tables.ts';
import { tierGap } from './windows.ts';

function line(code: string, w: BillingWindow, description: string, quantity: Decimal, unit: string, price: Decimal, factor: ChargeLine['factor']): ChargeLine {
  const product = decMul(quantity, price);
  const amount = factor ? decMulRatioRound(product, factor.num, factor.den, 2) : decMulRatioRound(product, 1n, 1n, 2);
  return { code, tariffId: w.tariff.id, description, quantity, unit, price, factor, amount };
}

function windowLines(input: StatementInput, w: BillingWindow, pf: number | null, several: boolean): { lines: ChargeLine[]; warnings: string[] } {
  const lines: ChargeLine[] = [];
  const warnings: string[] = [];
  const when = several ? ` ${w.firstDay}…${w.lastDay}` : '';
  const t = w.tariff;
  if (t.energy.kind === 'tou') {
    for (const tier of BILLED_TIERS) {
      lines.push(line(`energy.${tier}`, w, `active energy, ${tier}${when}`, w.energy[`ap_imp_${tier}`], 'kWh', t.energy[tier], null));
    }
    const gap = tierGap(w.energy);
    if (!decIsZero(gap)) warnings.push(`tiers of ${t.id}${when} add up to ${formatDecimal(decSub(w.energy.ap_imp_total, gap))} kWh, the total register to ${formatDecimal(w.energy.ap_imp_total)} kWh: TOU lines bill the tiers`);
  } else {
    lines.push(line('energy.total', w, `active energy${when}`, w.energy.ap_imp_total, 'kWh', t.energy.price, null));
  }
  const factor = w.days === input.monthDays ? null : { num: BigInt(w.days), den: BigInt(input.monthDays) };
  const prorated = factor ? ` × ${w.days}/${input.monthDays} days` : '';
  if (t.basic?.kind === 'capacity') {
    lines.push(line('basic.capacity', w, `basic charge, contracted capacity${prorated}`, t.basic.contractedKva, 'kVA', t.basic.pricePerKva, factor));
  } else if (t.basic?.kind === 'demand') {
    const measured = input.demandKw ?? DEC_ZERO;
    const min = t.basic.minimumKw;
    const billed = min && decCmp(measured, min) < 0 ? min : measured;
    const why = billed === measured ? `maximum demand (${t.basic.source})` : `minimum demand (measured ${formatDecimal(measured)} kW)`;
    lines.push(line('basic.demand', w, `basic charge, ${why}${prorated}`, billed, 'kW', t.basic.pricePerKw, factor));
  }
  if (t.powerFactor) {
    if (pf === null) warnings.push(`no power-factor adjustment under ${t.id}: the account has no active import energy (none, or a net export)`);
    else {
      const percent = pfAdjustmentPercent(t.powerFactor.table, pf);
      const base = decSum(lines.map((l) => l.amount));
      const price = decMul(percent, dec(1, 2));
      const sign = percent.units > 0n ? '+' : '';
      lines.push(line('pf.adjustment', w, `power factor ${formatPowerFactor(pf)} against ${t.powerFactor.table.standard}: ${sign}${formatDecimal(percent)} % of energy and basic charges${when}`, base, t.currency, price, null));
    }
  }
  return { lines, warnings };
}

/** The account's monthly power factor in hundredths, with the reactive rule of the first tariff that adjusts. */
export function accountPowerFactor(input: StatementInput): number | null {
  const rule = input.windows.find((w) => w.tariff.powerFactor)?.tariff.powerFactor;
  const e = input.energy;
  const q = rule?.reactive === 'import' ? e.rp_imp_total : decAdd(e.rp_imp_total, e.rp_exp_total);
  return powerFactorHundredths(e.ap_imp_total, q);
}

/** Apply the tariffs: the statement of one account for one month. */
export function computeStatement(input: StatementInput): Statement {
  const pf = accountPowerFactor(input);
  const lines: ChargeLine[] = [];
  const warnings = [...input.warnings];
  const several = input.windows.length > 1;
  for (const w of input.windows) {
    const r = windowLines(input, w, pf, several);
    lines.push(...r.lines);
    warnings.push(...r.warnings);
  }
  const e = input.energy;
  return {
    accountId: input.accountId,
    accountName: input.accountName,
    month: input.month,
    kind: 'statement',
    currency: input.windows[0]?.tariff.currency ?? 'EUR',
    figures: {
      activeImport: { total: e.ap_imp_total, sharp: e.ap_imp_sharp, peak: e.ap_imp_peak, flat: e.ap_imp_flat, valley: e.ap_imp_valley },
      activeExport: e.ap_exp_total,
      reactiveImport: e.rp_imp_total,
      reactiveExport: e.rp_exp_total,
      demandKw: input.demandKw,
      powerFactor: pf === null ? null : formatPowerFactor(pf),
      windows: input.windows.map((w) => ({ tariffId: w.tariff.id, firstDay: w.firstDay, lastDay: w.lastDay, days: w.days })),
      members: input.members.map((m) => ({
        pointId: m.pointId, sign: m.sign, quality: m.quality, ...(m.approvedBy ? { approvedBy: m.approvedBy } : {}),
        // Each member's month, so the account's kWh can be traced to its points.
        activeImport: formatDecimal(m.energy.ap_imp_total), activeExport: formatDecimal(m.energy.ap_exp_total),
        reactiveImport: formatDecimal(m.energy.rp_imp_total), reactiveExport: formatDecimal(m.energy.rp_exp_total),
      })),
    },
    lines,
    total: decSum(lines.map((l) => l.amount)),
    warnings,
  };
}

const keyOf = (l: ChargeLine) => `${l.code}|${l.tariffId}`;

/**
 * The difference statement of version n+1 against version n: per line (code and tariff), the
 * change of quantity and of amount; lines only in one version count against zero.
 */
export function differenceStatement(prev: Statement | null, next: Statement, prevVersion: number): Statement {
  const before = new Map((prev?.lines ?? []).map((l) => [keyOf(l), l]));
  const after = new Map(next.lines.map((l) => [keyOf(l), l]));
  const keys = [...new Set([...after.keys(), ...before.keys()])];
  const lines: ChargeLine[] = keys.map((k) => {
    const a = after.get(k);
    const b = before.get(k);
    const base = (a ?? b)!;
    return {
      code: base.code,
      tariffId: base.tariffId,
      description: `${a ? base.description : `${base.description} (no longer billed)`}: change against version ${prevVersion}`,
      quantity: decNormalize(decSub(a?.quantity ?? DEC_ZERO, b?.quantity ?? DEC_ZERO)),
      unit: base.unit,
      price: base.price,
      factor: null,
      amount: decSub(a?.amount ?? parseDecimal('0.00'), b?.amount ?? parseDecimal('0.00')),
    };
  });
  return {
    ...next,
    kind: 'difference',
    lines,
    total: decSub(next.total, prev?.total ?? DEC_ZERO),
    warnings: prev ? [] : [`account ${next.accountId} was not in version ${prevVersion}`],
  };
}
