/**
 * The completeness gate and the statement inputs. For every account: its members' monthly
 * figures must be actual (or estimated and approved by a named person), a tariff must be in
 * force on every day of the month, and whatever its tariffs need (daily figures for a split
 * tariff change, maximum demand) must be there. Problems are collected for all accounts so the
 * refusal lists everything at once.
 */
import type { Kysely } from 'kysely';
import { InputError } from '../../schema/index.ts';
import { decAdd, type Decimal } from './decimal.ts';
import {
  loadAccounts, loadDailyFigures, loadIntervalDemand, loadIntervalImport, loadMonthlyFigures, loadPendingRecomputation, loadRegisterDemand, loadTariffs,
  type AccountMember, type AccountRecord, type DemandWindow, type MonthlyFigure,
} from './load.ts';
import { addFigures, zeroFigures, type MemberFigure, type RegisterFigures, type StatementInput } from './model.ts';
import { parseTariff, schedulesOf, type Tariff } from './tariff.ts';
import { attributeEnergy, billingDays, midMonthMode, tariffSpans, type TariffSpan } from './windows.ts';
import { monthCalendarTiers } from './tou-split.ts';
import { loadScheme } from '../store/index.ts';

/** One reason the month cannot be settled yet. */
export interface GateProblem {
  accountId: string;
  pointId?: string;
  problem: string;
}

/** Options of the gate. */
export interface GateOptions {
  /** Accept estimated monthly figures; `actor` is recorded as who approved them. */
  approveEstimates?: boolean;
  actor: string;
}

/** What the gate found: inputs ready to compute, or the problems. */
export interface PreparedMonth {
  inputs: StatementInput[];
  problems: GateProblem[];
  /** Estimated figures approved, as `account/point`. */
  approved: string[];
}

interface Draft {
  acc: AccountRecord;
  members: MemberFigure[];
  energy: RegisterFigures;
  spans: TariffSpan[];
  days: string[];
  periodStart: Date;
  periodEnd: Date;
}

/** Days and tariff spans of a (period, zone, schedule): accounts share a handful, computed once per run. */
export type SpanMemo = Map<string, { days: string[]; spans: TariffSpan[]; uncovered: string[] }>;

function memoized(memo: SpanMemo, key: string, make: () => { days: string[]; spans: TariffSpan[]; uncovered: string[] }) {
  let v = memo.get(key);
  if (!v) memo.set(key, (v = make()));
  return v;
}

function missingProblem(f: MonthlyFigure): string {
  const why = [f.reasons, f.gaps.length > 0 ? `no figure for ${f.gaps.join(', ')}` : null].filter(Boolean).join('; ');
  return `monthly figure missing${why ? ` (${why})` : ''}: a month-boundary reading is absent: import it, or set the month's figure with meterflow adjust --month --set`;
}

function firstOf<T>(list: readonly T[]): T | undefined {
  return list[0];
}

/** Check one account's member figures and tariff days (pure). */
export function draftAccount(acc: AccountRecord, monthly: ReadonlyMap<string, MonthlyFigure>, schedules: ReadonlyMap<string, Tariff[]>, tariffs: ReadonlyMap<string, Tariff>, opts: GateOptions, problems: GateProblem[], approved: string[], memo: SpanMemo = new Map()): Draft | null {
  const before = problems.length;
  if (acc.members.length === 0) problems.push({ accountId: acc.id, problem: 'the account has no metering points' });
  const members: MemberFigure[] = [];
  let energy: RegisterFigures | null = null;
  for (const m of acc.members) {
    const f = monthly.get(m.pointId);
    if (!f) problems.push({ accountId: acc.id, pointId: m.pointId, problem: 'no monthly figure: the engine has not computed this month' });
    else if (f.quality === 'missing') problems.push({ accountId: acc.id, pointId: m.pointId, problem: missingProblem(f) });
    else if (f.quality === 'estimated' && !opts.approveEstimates) problems.push({ accountId: acc.id, pointId: m.pointId, problem: 'monthly figure estimated: approve with --approve-estimates --actor NAME, or supply the readings' });
    else {
      if (f.quality === 'estimated') approved.push(`${acc.id}/${m.pointId}`);
      members.push({ pointId: m.pointId, sign: m.sign, quality: f.quality, ...(f.quality === 'estimated' ? { approvedBy: opts.actor } : {}), energy: f.energy });
      energy = energy ? addFigures(energy, f.energy, m.sign) : m.sign === 1 ? f.energy : addFigures(zeroFigures(), f.energy, -1);
    }
  }
  const tariff = tariffs.get(acc.tariffId);
  const first = firstOf(acc.members.map((m) => monthly.get(m.pointId)).filter((f): f is MonthlyFigure => !!f));
  if (!tariff) problems.push({ accountId: acc.id, problem: `tariff ${acc.tariffId} is not stored` });
  if (problems.length > before || !tariff || !first || !energy) return null;
  const { days, spans, uncovered } = memoized(memo, `${first.periodStart.getTime()}|${first.periodEnd.getTime()}|${acc.members[0]!.zone}|${tariff.schedule}`, () => {
    const days = billingDays(first.periodStart, first.periodEnd, acc.members[0]!.zone);
    return { days, ...tariffSpans(schedules.get(tariff.schedule) ?? [tariff], days) };
  });
  if (uncovered.length > 0) {
    problems.push({ accountId: acc.id, problem: `no tariff of schedule ${tariff.schedule} in force on ${uncovered[0]}${uncovered.length > 1 ? `…${uncovered[uncovered.length - 1]} (${uncovered.length} days)` : ''}` });
    return null;
  }
  // A power factor from no reactive figures would read 1.00 and earn a discount nobody measured.
  const adjusting = spans.find((s) => s.tariff.powerFactor);
  const blind = adjusting ? acc.members.filter((m) => monthly.get(m.pointId)?.reactiveKept === false) : [];
  for (const m of blind) problems.push({ accountId: acc.id, pointId: m.pointId, problem: `no reactive energy this month, and tariff ${adjusting!.tariff.id} adjusts for power factor: import the point's rp_imp readings, or bill the account under a tariff without powerFactor` });
  if (blind.length > 0) return null;
  return { acc, members, energy, spans, days, periodStart: first.periodStart, periodEnd: first.periodEnd };
}

/** Parse every stored tariff; a bad tariff refuses the run with its field named. */
function tariffsOf(records: Awaited<ReturnType<typeof loadTariffs>>): { byId: Map<string, Tariff>; schedules: Map<string, Tariff[]> } {
  const problems: InputError['problems'] = [];
  const list: Tariff[] = [];
  for (const rec of records) {
    try {
      list.push(parseTariff(rec));
    } catch (e) {
      if (e instanceof InputError) problems.push(...e.problems);
      else throw e;
    }
  }
  if (problems.length > 0) throw new InputError(problems);
  return { byId: new Map(list.map((t) => [t.id, t])), schedules: schedulesOf(list) };
}

/** Run the gate for `month` (`YYYY-MM`) and build the statement inputs. */
export async function prepareMonth(db: Kysely<any>, month: string, opts: GateOptions, accountIds?: readonly string[]): Promise<PreparedMonth> {
  const monthDate = `${month}-01`;
  const [accounts, tariffRecords, monthly] = await Promise.all([loadAccounts(db, accountIds), loadTariffs(db), loadMonthlyFigures(db, monthDate)]);
  const { byId, schedules } = tariffsOf(tariffRecords);
  const problems: GateProblem[] = [];
  const approved: string[] = [];
  const memo: SpanMemo = new Map();
  const drafts = accounts.map((a) => draftAccount(a, monthly, schedules, byId, opts, problems, approved, memo)).filter((d): d is Draft => d !== null);

  // What the tariffs need beyond monthly figures.
  const splitPoints = new Set<string>();
  const registerDemand = new Map<string, string[]>();
  const intervalWindows: DemandWindow[] = [];
  const recompute: { pointId: string; from: Date; to: Date }[] = [];
  let firstDay = `${month}-01`, lastDay = `${month}-01`;
  // Members whose meter keeps no tier registers, billed under a TOU tariff: tiers from intervals.
  const untiered = new Map<Draft, AccountMember[]>();
  for (const d of drafts) {
    const tou = d.spans.filter((s) => s.tariff.energy.kind === 'tou');
    const members = tou.length === 0 ? [] : d.acc.members.filter((m) => monthly.get(m.pointId)?.tiersKept === false);
    if (members.length === 0) continue;
    const bare = tou.find((s) => !s.tariff.calendar);
    if (bare) {
      for (const m of members) problems.push({ accountId: d.acc.id, pointId: m.pointId, problem: `no tier figures this month (a meter without tier registers) and TOU tariff ${bare.tariff.id} has no calendar to split its intervals: give the tariff a calendar (seasons with bands), or bill the account with a single price` });
      continue;
    }
    untiered.set(d, members);
  }
  for (const d of drafts) {
    for (const m of d.acc.members) recompute.push({ pointId: m.pointId, from: d.periodStart, to: d.periodEnd });
    if (d.spans.length > 1 && midMonthMode(d.spans) === 'split') {
      for (const m of d.acc.members) splitPoints.add(m.pointId);
      if (d.days[0]! < firstDay) firstDay = d.days[0]!;
      if (d.days[d.days.length - 1]! > lastDay) lastDay = d.days[d.days.length - 1]!;
    }
    for (const s of d.spans) {
      const b = s.tariff.basic;
      if (b?.kind !== 'demand') continue;
      if (b.source === 'register') {
        const list = registerDemand.get(b.register) ?? [];
        registerDemand.set(b.register, list);
        for (const m of d.acc.members) if (m.sign === 1) list.push(m.pointId);
      } else {
        for (const m of d.acc.members) {
          if (m.intervalSeconds > 900) problems.push({ accountId: d.acc.id, pointId: m.pointId, problem: `demand from intervals needs intervals of 15 min or less; the point has ${m.intervalSeconds / 60} min` });
          intervalWindows.push({ accountId: d.acc.id, pointId: m.pointId, sign: m.sign, from: d.periodStart, to: d.periodEnd });
        }
      }
    }
  }
  const dayStartHour = untiered.size > 0 ? (await loadScheme(db)).dayStartHour : 0;
  const [intervalImport, daily, pending, intervalDemand, ...registerMaps] = await Promise.all([
    loadIntervalImport(db, [...new Set([...untiered.values()].flat().map((m) => m.pointId))].map((pointId) => ({ pointId, from: monthly.get(pointId)!.periodStart, to: monthly.get(pointId)!.periodEnd }))),
    loadDailyFigures(db, [...splitPoints], firstDay, lastDay),
    loadPendingRecomputation(db, recompute),
    loadIntervalDemand(db, dedupeWindows(intervalWindows)),
    ...[...registerDemand.keys()].map((reg) => loadRegisterDemand(db, monthDate, [...new Set(registerDemand.get(reg))], reg)),
  ]);
  const demandByRegister = new Map([...registerDemand.keys()].map((reg, i) => [reg, registerMaps[i]!]));

  const inputs: StatementInput[] = [];
  for (const d of drafts) {
    const before = problems.length;
    for (const m of d.acc.members) {
      if (pending.has(m.pointId)) problems.push({ accountId: d.acc.id, pointId: m.pointId, problem: 'a recomputation of this month is pending: let the engine finish (meterflow engine run --once, or engine recompute over the month), then settle' });
    }
    const dailyOf = (day: string) => {
      let sum = zeroFigures();
      for (const m of d.acc.members) {
        const f = daily.get(m.pointId)?.get(day);
        if (!f) return undefined;
        sum = addFigures(sum, f, m.sign);
      }
      return sum;
    };
    const { windows, missingDays } = attributeEnergy(d.energy, d.spans, d.days.length, midMonthMode(d.spans), dailyOf);
    const warnings: string[] = [];
    let energy = d.energy, members = d.members;
    for (const m of untiered.get(d) ?? []) {
      const own = monthly.get(m.pointId)!;
      const t = monthCalendarTiers(intervalImport.get(m.pointId) ?? [], m.zone, m.intervalSeconds * 1000, d.spans, dayStartHour,
        { from: own.periodStart, to: own.periodEnd, total: own.energy.ap_imp_total });
      if ('problem' in t) {
        problems.push({ accountId: d.acc.id, pointId: m.pointId, problem: t.problem });
        continue;
      }
      t.perSpan.forEach((tiers, i) => {
        windows[i]!.energy = addFigures(windows[i]!.energy, tiers, m.sign);
        energy = addFigures(energy, tiers, m.sign);
      });
      const tiers = t.perSpan.reduce((a, b) => addFigures(a, b), zeroFigures());
      members = members.map((f) => (f.pointId === m.pointId ? { ...f, energy: addFigures(f.energy, tiers) } : f));
      warnings.push(`point ${m.pointId} keeps no tier registers: its ${t.intervals} intervals are split into tiers by the tariff calendar`);
    }
    if (missingDays.length > 0) problems.push({ accountId: d.acc.id, problem: `the tariff changes mid-month (split by days' figures) but daily figures are missing for ${missingDays.join(', ')}` });
    let demandKw: Decimal | null = null;
    const basic = d.spans.map((s) => s.tariff.basic).find((b) => b?.kind === 'demand');
    if (basic?.kind === 'demand') {
      if (basic.source === 'intervals') {
        demandKw = intervalDemand.get(d.acc.id) ?? null;
        if (!demandKw) problems.push({ accountId: d.acc.id, problem: 'no interval energy for the maximum demand' });
      } else {
        const map = demandByRegister.get(basic.register)!;
        let sum: Decimal | null = null;
        for (const m of d.acc.members.filter((x) => x.sign === 1)) {
          const kw = map.get(m.pointId);
          if (!kw) problems.push({ accountId: d.acc.id, pointId: m.pointId, problem: `no ${basic.register} demand register value for the month: load the meters' maximum demand into the demand table, or bill the account's interval demand (basic: { source: intervals })` });
          else sum = sum ? decAdd(sum, kw) : kw;
        }
        demandKw = sum;
      }
    }
    if (problems.length > before) continue;
    inputs.push({ accountId: d.acc.id, accountName: d.acc.name, month, monthDays: d.days.length, energy, windows, demandKw, members, warnings });
  }
  return { inputs, problems, approved };
}

function dedupeWindows(list: DemandWindow[]): DemandWindow[] {
  const seen = new Set<string>();
  return list.filter((w) => {
    const k = `${w.accountId}\u0000${w.pointId}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
