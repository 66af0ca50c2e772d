/**
 * The demo's closing report: what was collected, the energies, losses, alarms and statements,
 * every number read back from the database (the demo test checks them against it again).
 */
import type { Database } from '../../schema/index.ts';
import type { GroundTruthCheck } from './verify.ts';

/** The demo report, as printed and as written to report.json. */
export interface DemoReport {
  points: number;
  terminals: { id: string; transport: string }[];
  readings: Record<string, number>;
  groundTruth: GroundTruthCheck;
  swap: { point: string; at: string; oldMeter: string; newMeter: string } | null;
  day: string;
  daily: { point: string; kwh: string | null; quality: string }[];
  month: string;
  monthly: { point: string; kwh: string | null; quality: string }[];
  losses: { object: string; kind: string; input: string | null; output: string | null; loss: string | null; ratePercent: string | null; quality: string }[];
  alarms: { raised: number; cleared: number; open: { rule: string; object: string; period: string; message: string }[] };
  settlement: { version: number; accounts: { account: string; total: string; lines: number; linesSum: string }[]; total: string; currency: string } | null;
  files: string[];
}

const pct = (rate: string | null) => (rate === null ? null : (Number(rate) * 100).toFixed(2));

/** Read the report's figures for `day` (YYYY-MM-DD) and `month` (YYYY-MM). */
export async function demoReport(handle: Database, day: string, month: string, extra: Pick<DemoReport, 'groundTruth' | 'swap' | 'files'>): Promise<DemoReport> {
  const q = async (text: string, params: unknown[] = []) => (await handle.pool.query(text, params)).rows;
  const terminals = await q(`SELECT id, transport FROM terminal ORDER BY id`);
  const readings = Object.fromEntries((await q(`SELECT source, count(*)::int AS n FROM reading GROUP BY source ORDER BY source`)).map((r) => [r.source, r.n]));
  const daily = await q(`SELECT point_id AS point, ap_imp_total::text AS kwh, quality FROM daily_energy WHERE day = $1 ORDER BY point_id`, [day]);
  const monthly = await q(`SELECT point_id AS point, ap_imp_total::text AS kwh, quality FROM monthly_energy WHERE month = $1 ORDER BY point_id`, [`${month}-01`]);
  const losses = await q(
    `SELECT o.id AS object, o.kind, r.input::text, r.output::text, r.loss::text, r.loss_rate::text AS rate, r.quality
     FROM object_result r JOIN stat_object o ON o.id = r.object_id
     WHERE r.period_kind = 'month' AND to_char(r.period_start AT TIME ZONE 'Europe/Berlin', 'YYYY-MM') = $1 ORDER BY o.kind, o.id`, [month]);
  const alarmRows = await q(`SELECT rule, object_id, period_start, state, message FROM alarm ORDER BY id`);
  const run = (await q(`SELECT id, version FROM settlement_run WHERE to_char(month, 'YYYY-MM') = $1 ORDER BY version DESC LIMIT 1`, [month]))[0];
  let settlement: DemoReport['settlement'] = null;
  if (run) {
    const st = await q(
      `SELECT s.account_id AS account, s.total::text AS total, s.currency, count(l.*)::int AS lines, coalesce(sum(l.amount), 0)::text AS lines_sum
       FROM statement s LEFT JOIN statement_line l ON l.statement_id = s.id WHERE s.run_id = $1 AND s.kind = 'statement'
       GROUP BY s.id ORDER BY s.account_id`, [run.id]);
    const total = (await q(`SELECT coalesce(sum(total), 0)::text AS t FROM statement WHERE run_id = $1 AND kind = 'statement'`, [run.id]))[0].t;
    settlement = { version: run.version, total, currency: st[0]?.currency ?? 'EUR', accounts: st.map((s) => ({ account: s.account, total: s.total, lines: s.lines, linesSum: s.lines_sum })) };
  }
  return {
    points: Number((await q(`SELECT count(*)::int AS n FROM metering_point`))[0].n),
    terminals: terminals.map((t) => ({ id: t.id, transport: t.transport })),
    readings,
    day, daily, month, monthly,
    losses: losses.map((l) => ({ object: l.object, kind: l.kind, input: l.input, output: l.output, loss: l.loss, ratePercent: pct(l.rate), quality: l.quality })),
    alarms: {
      raised: alarmRows.length,
      cleared: alarmRows.filter((a) => a.state === 'cleared').length,
      open: alarmRows.filter((a) => a.state !== 'cleared').map((a) => ({ rule: a.rule, object: a.object_id, period: a.period_start.toISOString(), message: a.message })),
    },
    settlement,
    ...extra,
  };
}

const num = (s: string | null) => (s === null ? '—' : Number(s).toLocaleString('en-US', { maximumFractionDigits: 2 }));

/** The report as text for the terminal. */
export function formatReport(r: DemoReport): string {
  const L: string[] = [];
  L.push('', '══ meterflow demo report ══', '');
  L.push(`points: ${r.points}; terminals: ${r.terminals.map((t) => `${t.id} (${t.transport})`).join(', ')}`);
  L.push(`readings stored by source: ${Object.entries(r.readings).map(([k, n]) => `${k} ${n}`).join(', ')}`);
  const g = r.groundTruth;
  L.push(`ground truth: ${g.expected} interval records simulated, ${g.matched} stored exactly, ${g.missingCount} missing, ${g.mismatchedCount} different`);
  if (r.swap) L.push(`meter swap: ${r.swap.point} at ${r.swap.at}, ${r.swap.oldMeter} → ${r.swap.newMeter} (installation history updated; energy split at the swap)`);
  L.push('', `daily energy ${r.day} (kWh, active import):`);
  for (const d of r.daily) L.push(`  ${d.point.padEnd(12)} ${num(d.kwh).padStart(14)}  ${d.quality}`);
  L.push('', `monthly energy ${r.month} (kWh, active import):`);
  for (const d of r.monthly) L.push(`  ${d.point.padEnd(12)} ${num(d.kwh).padStart(14)}  ${d.quality}`);
  L.push('', `losses ${r.month}:`);
  for (const l of r.losses) L.push(`  ${l.object.padEnd(12)} ${l.kind.padEnd(12)} in ${num(l.input).padStart(12)}  out ${num(l.output).padStart(12)}  loss ${num(l.loss).padStart(10)}  rate ${l.ratePercent ?? '—'} %`);
  L.push('', `alarms: ${r.alarms.raised} raised, ${r.alarms.cleared} cleared, ${r.alarms.open.length} open`);
  for (const a of r.alarms.open.slice(0, 8)) L.push(`  open: ${a.message} (${a.period})`);
  if (r.settlement) {
    L.push('', `settlement ${r.month} (version ${r.settlement.version}), ${r.settlement.currency}:`);
    for (const a of r.settlement.accounts) L.push(`  ${a.account.padEnd(14)} ${num(a.total).padStart(12)}  (${a.lines} lines, sum of lines ${num(a.linesSum)})`);
    L.push(`  ${'total'.padEnd(14)} ${num(r.settlement.total).padStart(12)}`);
  }
  L.push('', 'files:', ...r.files.map((f) => `  ${f}`), '');
  return L.join('\n');
}
