/** `meterflow settle` end to end in-process, and the CSV, XLSX and HTML exports. */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import type { Database } from '../../schema/index.ts';
import { main } from '../../cli/main.ts';
import { dbTargets, freshDatabase } from '../support/db.ts';
import { fixture } from './fixture.ts';

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const log = vi.spyOn(console, 'log').mockImplementation((...a) => void (out += `${a.join(' ')}\n`));
  const error = vi.spyOn(console, 'error').mockImplementation((...a) => void (err += `${a.join(' ')}\n`));
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  try {
    return { code: await main(args), out, err };
  } finally {
    log.mockRestore();
    error.mockRestore();
    write.mockRestore();
  }
}

describe.each(dbTargets())('meterflow settle on $name', (target) => {
  let h: Database;
  let dir: string;
  const saved = process.env.DATABASE_URL;
  beforeAll(async () => {
    h = await freshDatabase(target);
    process.env.DATABASE_URL = h.url;
    dir = mkdtempSync(join(tmpdir(), 'mf-settle-'));
    const f = fixture(h);
    await f.tariff('TOU', '2026-01-01', null, { energy: { sharp: '0.2150', peak: '0.1820', flat: '0.1240', valley: '0.0610' }, basic: { kind: 'capacity', pricePerKva: '3.20', contractedKva: 2000 } });
    await f.point('F1');
    await f.point('F2');
    await f.account('ACC-F1', 'TOU', [['F1', 1]]);
    await f.account('ACC-F2', 'TOU', [['F2', 1]]);
    await f.monthly('F1', '2026-10', { ap_imp_total: '26400.00', ap_imp_sharp: '1800.00', ap_imp_peak: '6000.00', ap_imp_flat: '7600.00', ap_imp_valley: '11000.00' });
  });
  afterAll(async () => {
    process.env.DATABASE_URL = saved;
    if (saved === undefined) delete process.env.DATABASE_URL;
    rmSync(dir, { recursive: true, force: true });
    await h?.close();
  });

  it('checks its usage (exit 2)', async () => {
    expect((await cli(['settle'])).code).toBe(2);
    expect((await cli(['settle', '--month', '2026-13'])).code).toBe(2);
    const r = await cli(['settle', '--month', '2026-10', '--approve-estimates']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--approve-estimates needs --actor NAME');
    expect((await cli(['settle', '--month', '2026-10', '--reopen'])).err).toContain('--reopen needs --reason');
    expect((await cli(['settle', '--help'])).out).toContain('(default: csv)');
  });

  it('refuses an incomplete month with what is missing and what to do (exit 1)', async () => {
    const r = await cli(['settle', '--month', '2026-10', '--actor', 'alice']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('ACC-F2 / F2: no monthly figure');
    expect(r.err).toContain('what to do');
  });

  it('settles, prints the summary, and refuses to settle twice', async () => {
    await fixture(h).monthly('F2', '2026-10', { ap_imp_total: '100.00', ap_imp_flat: '100.00' }, 'estimated');
    const r = await cli(['settle', '--month', '2026-10', '--approve-estimates', '--actor', 'alice']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('accounts          2');
    // ACC-F1 9492.40; ACC-F2 100 × 0.1240 + 6400 = 6412.40
    expect(r.out).toContain('total amount      15904.80 EUR');
    expect(r.out).toContain('estimated figures approved by alice: ACC-F2/F2');
    const again = await cli(['settle', '--month', '2026-10']);
    expect(again.code).toBe(1);
    expect(again.err).toContain('--reopen --reason');
  });

  it('exports CSV, XLSX and a printable HTML page per account', async () => {
    expect((await cli(['settle', '--month', '2026-10', '--export', dir, '--format', 'csv'])).code).toBe(0);
    const csv = readFileSync(join(dir, 'statements-2026-10-v1.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('month,version,account,account_name,kind,seq,code,tariff,description,quantity,unit,price,factor,amount,currency,statement_total');
    expect(csv).toContain('2026-10,1,ACC-F1,Account ACC-F1,statement,2,energy.peak,TOU,"active energy, peak",6000.00,kWh,0.1820,,1092.00,EUR,9492.40');
    expect(readFileSync(join(dir, 'summary-2026-10-v1.txt'), 'utf8')).toContain('active energy kWh total 26500.00');

    expect((await cli(['settle', '--month', '2026-10', '--export', dir, '--format', 'xlsx'])).code).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(join(dir, 'statements-2026-10-v1.xlsx'));
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Summary', 'Statements', 'Lines', 'Members']);
    // Each account's kWh traced to its points.
    expect(wb.getWorksheet('Members')!.getRow(1).values).toContain('active import kWh');
    expect(wb.getWorksheet('Statements')!.getRow(2).values).toContain(9492.4);

    expect((await cli(['settle', '--month', '2026-10', '--export', dir, '--format', 'html'])).code).toBe(0);
    const pages = readdirSync(join(dir, 'statements-2026-10-v1')).sort();
    expect(pages).toEqual(['ACC-F1.html', 'ACC-F2.html', 'index.html']);
    const page = readFileSync(join(dir, 'statements-2026-10-v1', 'ACC-F2.html'), 'utf8');
    expect(page).toContain('6412.40');
    expect(page).toContain('approved by alice');
    expect(page).toMatch(/<h2>Metering points<\/h2>.*<td>F2<\/td><td>\+<\/td><td>estimated<\/td><td class=n>\d/s);
  });

  it('reopens with a reason and settles version 2 with its difference', async () => {
    const r = await cli(['settle', '--month', '2026-10', '--reopen', '--reason', 'meter F2 read', '--actor', 'bob']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('makes version 2');
    // The engine recomputes the reopened month (here: the fixture's figure for it).
    await h.db.updateTable('calc_task').set({ state: 'done' }).where('reason', '=', 'reopen').execute();
    await fixture(h).monthly('F2', '2026-10', { ap_imp_total: '110.00', ap_imp_flat: '110.00' }, 'actual');
    const v2 = await cli(['settle', '--month', '2026-10', '--actor', 'bob', '--export', dir, '--format', 'csv']);
    expect(v2.code).toBe(0);
    expect(v2.out).toContain('difference vs v1: 1.24 over 1 changed account(s)'); // 10 kWh × 0.1240
    const csv = readFileSync(join(dir, 'statements-2026-10-v2.csv'), 'utf8');
    expect(csv).toContain('ACC-F2,Account ACC-F2,difference,3,energy.flat,TOU');
  });
});
