/**
 * Statements out: one CSV of every line, an XLSX workbook (summary, statements, lines), a
 * printable HTML page per account with an index, and the run summary as text. Renderers are
 * pure; {@link exportRun} loads a run and writes the files.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import type { Database } from '../../schema/index.ts';
import { decToNumber, formatDecimal, parseDecimal } from './decimal.ts';
import type { ChargeLine, Statement } from './model.ts';
import { latestRun, loadStatements, runsOf, type SettlementRun } from './store.ts';

/** Export formats. */
export const EXPORT_FORMATS = ['csv', 'xlsx', 'html'] as const;
/** An export format. */
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

function csvField(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

const factorText = (l: ChargeLine) => (l.factor ? `${l.factor.num}/${l.factor.den}` : '');

/** Every line of every statement (and difference statement) of a run as CSV. */
export function statementsCsv(run: SettlementRun, statements: readonly Statement[]): string {
  const head = ['month', 'version', 'account', 'account_name', 'kind', 'seq', 'code', 'tariff', 'description', 'quantity', 'unit', 'price', 'factor', 'amount', 'currency', 'statement_total'];
  const rows = [head.join(',')];
  for (const s of statements) {
    s.lines.forEach((l, i) => {
      rows.push([run.month, String(run.version), s.accountId, s.accountName, s.kind, String(i + 1), l.code, l.tariffId, l.description,
        formatDecimal(l.quantity), l.unit, formatDecimal(l.price), factorText(l), formatDecimal(l.amount), s.currency, formatDecimal(s.total)].map(csvField).join(','));
    });
  }
  return `${rows.join('\n')}\n`;
}

/** The run summary as plain text: accounts, energy per tier, total amount, warnings. */
export function summaryText(run: SettlementRun): string {
  const s = run.summary;
  const lines = [
    `settlement ${run.month} version ${run.version} (run #${run.id}) by ${run.actor} at ${run.createdAt.toISOString()} — ${run.state}`,
    ...(run.reason ? [`re-settlement because: ${run.reason}`] : []),
    `accounts          ${s.accounts}`,
    `active energy kWh total ${s.energy.total}; sharp ${s.energy.sharp}, peak ${s.energy.peak}, flat ${s.energy.flat}, valley ${s.energy.valley}`,
    `total amount      ${s.total} ${s.currency.join('/')}`,
    ...(s.difference ? [`difference vs v${s.difference.againstVersion}: ${s.difference.total} over ${s.difference.accountsChanged} changed account(s)`] : []),
    ...(s.approvedEstimates.length > 0 ? [`estimated figures approved by ${run.actor}: ${s.approvedEstimates.join(', ')}`] : []),
    `warnings          ${s.warningCount}`,
    ...s.warnings.map((w) => `  ${w}`),
  ];
  return `${lines.join('\n')}\n`;
}

const esc = (t: string) => t.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

function linesTable(s: Statement): string {
  const rows = s.lines.map((l) => `<tr><td>${esc(l.description)}</td><td class=n>${formatDecimal(l.quantity)} ${esc(l.unit)}</td><td class=n>${formatDecimal(l.price)}</td><td class=n>${factorText(l)}</td><td class=n>${formatDecimal(l.amount)}</td></tr>`);
  return `<table><thead><tr><th>charge</th><th>quantity</th><th>price</th><th>factor</th><th>amount ${esc(s.currency)}</th></tr></thead>
<tbody>${rows.join('\n')}</tbody><tfoot><tr><th colspan=4>total (sum of the rounded lines)</th><th class=n>${formatDecimal(s.total)}</th></tr></tfoot></table>`;
}

/** A printable HTML page of one account's statement (and its difference statement, if any). */
export function statementHtml(run: SettlementRun, s: Statement, difference?: Statement): string {
  const f = s.figures;
  const fig = [
    ['active import kWh', `${formatDecimal(f.activeImport.total)} (sharp ${formatDecimal(f.activeImport.sharp)}, peak ${formatDecimal(f.activeImport.peak)}, flat ${formatDecimal(f.activeImport.flat)}, valley ${formatDecimal(f.activeImport.valley)})`],
    ['reactive kvarh', `import ${formatDecimal(f.reactiveImport)}, export ${formatDecimal(f.reactiveExport)}`],
    ['active export kWh', formatDecimal(f.activeExport)],
    ['maximum demand kW', f.demandKw ? formatDecimal(f.demandKw) : '—'],
    ['power factor', f.powerFactor ?? '—'],
    ['tariffs', f.windows.map((w) => `${w.tariffId} ${w.firstDay}…${w.lastDay} (${w.days} d)`).join('; ')],
    ['metering points', f.members.map((m) => `${m.sign < 0 ? '−' : '+'}${m.pointId} (${m.quality}${m.approvedBy ? `, approved by ${m.approvedBy}` : ''})`).join(', ')],
  ].map(([k, v]) => `<tr><th>${esc(k!)}</th><td>${esc(v!)}</td></tr>`).join('\n');
  const members = f.members.some((m) => m.activeImport !== undefined) ? `<h2>Metering points</h2><table><thead><tr><th>point</th><th>sign</th><th>quality</th><th>active import kWh</th><th>active export kWh</th><th>reactive import kvarh</th><th>reactive export kvarh</th></tr></thead><tbody>
${f.members.map((m) => `<tr><td>${esc(m.pointId)}</td><td>${m.sign < 0 ? '−' : '+'}</td><td>${esc(m.quality)}</td><td class=n>${m.activeImport ?? ''}</td><td class=n>${m.activeExport ?? ''}</td><td class=n>${m.reactiveImport ?? ''}</td><td class=n>${m.reactiveExport ?? ''}</td></tr>`).join('\n')}</tbody></table>` : '';
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(s.accountId)} ${run.month}</title>
<style>body{font:12pt sans-serif;margin:2em}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #999;padding:.3em .6em;text-align:left}.n{text-align:right}@media print{body{margin:0}}</style></head>
<body><h1>Statement ${esc(run.month)} — ${esc(s.accountName)}</h1>
<p>Account ${esc(s.accountId)} · settlement run #${run.id}, version ${run.version}, ${run.createdAt.toISOString()} by ${esc(run.actor)}</p>
<table>${fig}</table>
${members}
${linesTable(s)}
${difference ? `<h2>Difference against version ${run.version - 1}</h2>${linesTable(difference)}` : ''}
${s.warnings.length ? `<h2>Notes</h2><ul>${s.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>` : ''}
<p><small>Each line is quantity × price (× days in force / days in month), rounded half-up to 0.01; the total is the sum of the rounded lines.</small></p>
</body></html>\n`;
}

async function writeXlsx(file: string, run: SettlementRun, statements: readonly Statement[]): Promise<void> {
  const wb = new ExcelJS.Workbook();
  const sum = wb.addWorksheet('Summary');
  summaryText(run).trimEnd().split('\n').forEach((l) => sum.addRow([l]));
  const st = wb.addWorksheet('Statements');
  st.addRow(['account', 'name', 'kind', 'currency', 'active kWh', 'power factor', 'demand kW', 'total']);
  for (const s of statements) st.addRow([s.accountId, s.accountName, s.kind, s.currency, decToNumber(s.figures.activeImport.total), s.figures.powerFactor, s.figures.demandKw ? decToNumber(s.figures.demandKw) : null, decToNumber(s.total)]);
  const ln = wb.addWorksheet('Lines');
  ln.addRow(['account', 'kind', 'seq', 'code', 'tariff', 'description', 'quantity', 'unit', 'price', 'factor', 'amount']);
  for (const s of statements) s.lines.forEach((l, i) => ln.addRow([s.accountId, s.kind, i + 1, l.code, l.tariffId, l.description, decToNumber(l.quantity), l.unit, decToNumber(l.price), factorText(l), decToNumber(l.amount)]));
  ln.getColumn(11).numFmt = '0.00';
  const mb = wb.addWorksheet('Members');
  mb.addRow(['account', 'point', 'sign', 'quality', 'active import kWh', 'active export kWh', 'reactive import kvarh', 'reactive export kvarh']);
  const num = (v: string | undefined) => (v === undefined ? null : decToNumber(parseDecimal(v)));
  // The statements' own months; a difference statement repeats its version's members.
  for (const s of statements.filter((x) => x.kind === 'statement')) {
    for (const m of s.figures.members) mb.addRow([s.accountId, m.pointId, m.sign, m.quality, num(m.activeImport), num(m.activeExport), num(m.reactiveImport), num(m.reactiveExport)]);
  }
  st.getColumn(8).numFmt = '0.00';
  await wb.xlsx.writeFile(file);
}

/** Which run to export and where. */
export interface ExportOptions {
  month: string;
  /** Default: the latest version. */
  version?: number;
  dir: string;
  format: ExportFormat;
}

/** Write a run's statements in `format` plus `summary-<month>-v<n>.txt` into `dir`; returns the files. */
export async function exportRun(handle: Database, opts: ExportOptions): Promise<string[]> {
  const run = opts.version === undefined ? await latestRun(handle.db, opts.month) : (await runsOf(handle.db, opts.month)).find((r) => r.version === opts.version);
  if (!run) throw new Error(`month ${opts.month} has no settlement${opts.version ? ` version ${opts.version}` : ''}; run meterflow settle --month ${opts.month} first`);
  const statements = await loadStatements(handle.db, run.id, 'statement', run.month);
  const differences = await loadStatements(handle.db, run.id, 'difference', run.month);
  await mkdir(opts.dir, { recursive: true });
  const base = `${run.month}-v${run.version}`;
  const files: string[] = [];
  const put = async (name: string, body: string) => {
    const file = join(opts.dir, name);
    await writeFile(file, body);
    files.push(file);
  };
  await put(`summary-${base}.txt`, summaryText(run));
  if (opts.format === 'csv') await put(`statements-${base}.csv`, statementsCsv(run, [...statements, ...differences]));
  else if (opts.format === 'xlsx') {
    const file = join(opts.dir, `statements-${base}.xlsx`);
    await writeXlsx(file, run, [...statements, ...differences]);
    files.push(file);
  } else {
    const dir = join(opts.dir, `statements-${base}`);
    await mkdir(dir, { recursive: true });
    const diff = new Map(differences.map((d) => [d.accountId, d]));
    const safe = (id: string) => id.replace(/[^A-Za-z0-9_.-]/g, '_');
    for (const s of statements) await writeFile(join(dir, `${safe(s.accountId)}.html`), statementHtml(run, s, diff.get(s.accountId)));
    const index = statements.map((s) => `<tr><td><a href="${safe(s.accountId)}.html">${esc(s.accountId)}</a></td><td>${esc(s.accountName)}</td><td class=n>${formatDecimal(s.total)} ${esc(s.currency)}</td></tr>`);
    await put(join(`statements-${base}`, 'index.html'), `<!doctype html><html><head><meta charset="utf-8"><title>Settlement ${run.month} v${run.version}</title></head><body><pre>${esc(summaryText(run))}</pre><table>${index.join('\n')}</table></body></html>\n`);
    files.push(`${dir}/ (${statements.length} statement pages)`);
  }
  return files;
}
