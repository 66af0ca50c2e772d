/**
 * `meterflow demo` (what `npm start` runs) on a fresh data directory, checked from outside: the
 * report's numbers against the database (psql) and against the simulators' ground truth file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stopEmbedded } from '../../schema/index.ts';
import type { DemoReport } from '../../cli/demo/report.ts';

const run = promisify(execFile);
const dataDir = mkdtempSync(join(tmpdir(), 'meterflow-demo-data-'));
const outDir = mkdtempSync(join(tmpdir(), 'meterflow-demo-out-'));
let report: DemoReport;
let stdout = '';
let url = '';
const psql = (q: string) => execFileSync('psql', [url, '-At', '-F', '|', '-c', q], { maxBuffer: 256 << 20 }).toString().trim();

interface Line { type: string; terminal?: string; unit?: number; name?: string; time?: number; registers?: number[]; finalRegisters?: number[]; initialRegisters?: number[] }

describe('meterflow demo', () => {
  beforeAll(async () => {
    const r = await run('node', ['cli/bin.js', 'demo', '--data-dir', dataDir, '--out', outDir], { env: { ...process.env, DATABASE_URL: '', MQTT_URL: '' }, maxBuffer: 64 << 20, timeout: 540_000 });
    stdout = r.stdout;
    report = JSON.parse(readFileSync(join(outDir, 'report.json'), 'utf8')) as DemoReport;
    const s = JSON.parse(readFileSync(join(dataDir, 'embedded.json'), 'utf8'));
    url = `postgres://${s.user}:${s.password}@127.0.0.1:${s.port}/meterflow_demo`;
  }, 600_000);
  afterAll(async () => {
    await stopEmbedded(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(outDir, { recursive: true, force: true });
  });

  it('ends with a report and exit code 0, with progress shown on the way', () => {
    expect(stdout).toContain('[7/7] report');
    expect(stdout).toMatch(/simulated 2026-1[01]-\d\dT/);
    expect(stdout).toContain('meterflow demo report');
  });

  it('lost no reading: every interval record of the ground truth is stored with its values', () => {
    const lines = readFileSync(join(outDir, 'ground-truth.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Line);
    const intervals = lines.filter((l) => l.type === 'interval');
    const stored = new Map(psql(`SELECT point_id || '@' || extract(epoch from ts)::bigint || '|' || ap_imp_total || '|' || rp_imp_total FROM reading`).split('\n').map((l) => {
      const [k, a, r] = l.split('|');
      return [k!, [Number(a), Number(r)]] as const;
    }));
    const swapAt = new Set(lines.filter((l) => l.type === 'replacement').map((l) => `${l.terminal}/${l.unit}@${l.time}`));
    let missing = 0, different = 0;
    for (const i of intervals) {
      const got = stored.get(`${i.name}@${i.time}`);
      if (!got) missing++;
      else if ((got[0] !== i.registers![0] || got[1] !== i.registers![10]) && !swapAt.has(`${i.terminal}/${i.unit}@${i.time}`)) different++;
    }
    expect(intervals.length).toBeGreaterThan(29_000);
    expect({ missing, different }).toEqual({ missing: 0, different: 0 });
    expect(report.groundTruth).toMatchObject({ missingCount: 0, mismatchedCount: 0, expected: report.groundTruth.matched });
  });

  it('collected live over three transports and backfilled the outages', () => {
    expect(report.readings.poll).toBeGreaterThan(0);
    expect(report.readings.push).toBeGreaterThan(0);
    expect(report.readings.backfill).toBeGreaterThan(0);
    expect(psql(`SELECT string_agg(DISTINCT transport, ',' ORDER BY transport) FROM terminal`)).toBe('modbus-rtu,modbus-tcp,mqtt');
    for (const [source, n] of Object.entries(report.readings)) expect(psql(`SELECT count(*) FROM reading WHERE source = '${source}'`)).toBe(String(n));
  });

  it('handled the meter swap: the month of feeder-2 is the old meter’s part plus the new meter’s, × 8000', () => {
    const lines = readFileSync(join(outDir, 'ground-truth.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Line);
    const swap = lines.find((l) => l.type === 'replacement')!;
    const at = (t: string) => lines.find((l) => l.type === 'interval' && l.name === 'feeder-2' && l.time === Date.parse(t) / 1000)!.registers![0]!;
    // (R_old(tc) − R_old(Oct 1)) × M + (R_new(Nov 1) − R_new(tc)) × M, register steps of 0.01 kWh.
    const steps = swap.finalRegisters![0]! - at('2026-10-01T00:00:00+02:00') + at('2026-11-01T00:00:00+01:00') - swap.initialRegisters![0]!;
    const expected = ((steps * 8000) / 100).toFixed(4);
    expect(report.swap).toMatchObject({ point: 'feeder-2' });
    expect(psql(`SELECT ap_imp_total FROM monthly_energy WHERE point_id = 'feeder-2' AND month = '2026-10-01'`)).toBe(expected);
    expect(report.monthly.find((m) => m.point === 'feeder-2')!.kwh).toBe(expected);
  });

  it('reports daily and monthly energy, losses and alarms exactly as stored', () => {
    for (const d of report.daily) expect(psql(`SELECT ap_imp_total FROM daily_energy WHERE point_id = '${d.point}' AND day = '${report.day}'`)).toBe(d.kwh ?? '');
    for (const m of report.monthly) expect(psql(`SELECT ap_imp_total || '|' || quality FROM monthly_energy WHERE point_id = '${m.point}' AND month = '2026-10-01'`)).toBe(`${m.kwh}|${m.quality}`);
    expect(report.monthly.every((m) => m.quality === 'actual')).toBe(true);
    for (const l of report.losses) {
      expect(psql(`SELECT loss || '|' || round(loss_rate * 100, 2) FROM object_result WHERE object_id = '${l.object}' AND period_kind = 'month' AND period_start = '2026-09-30T22:00:00Z'`)).toBe(`${l.loss}|${l.ratePercent}`);
      expect(Number(l.ratePercent)).toBeGreaterThan(0);
      expect(Number(l.ratePercent)).toBeLessThan(2);
    }
    expect(psql(`SELECT count(*) FROM alarm`)).toBe(String(report.alarms.raised));
    expect(psql(`SELECT count(*) FROM alarm WHERE state = 'cleared'`)).toBe(String(report.alarms.cleared));
  });

  it('settled October: every statement total is the sum of its lines, as stored and exported', () => {
    expect(report.settlement).not.toBeNull();
    for (const a of report.settlement!.accounts) expect(a.total).toBe(a.linesSum);
    expect(psql(`SELECT count(*) FROM statement s WHERE s.kind = 'statement' AND s.total <> (SELECT sum(amount) FROM statement_line l WHERE l.statement_id = s.id)`)).toBe('0');
    expect(psql(`SELECT sum(total) FROM statement WHERE kind = 'statement'`)).toBe(report.settlement!.total);
    expect(psql(`SELECT state FROM settlement_run WHERE month = '2026-10-01'`)).toBe('locked');
    const csv = readFileSync(report.files.find((f) => f.endsWith('.csv') && f.includes('statements'))!, 'utf8');
    expect(csv).toContain('ACC-STEEL');
  });
});
