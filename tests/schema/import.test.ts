import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError, importArchiveFile, importReadingsFile, type Database } from '../../schema/index.ts';
import { dbTargets, freshDatabase } from '../support/db.ts';

const dir = mkdtempSync(join(tmpdir(), 'meterflow-import-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
/** psql, an independent client, sees what landed. */
const psql = (url: string, query: string) => execFileSync('psql', [url, '-At', '-F', ',', '-c', query]).toString().trim();

describe.each(dbTargets())('import on $name PostgreSQL', (target) => {
  let h: Database;
  beforeAll(async () => {
    h = await freshDatabase(target);
    await importArchiveFile(h, 'examples/archive.yaml');
  });
  afterAll(() => h.close());

  it('stores the example archive and re-imports it without change', async () => {
    expect(psql(h.url, 'SELECT count(*) FROM metering_point')).toBe('9');
    expect(psql(h.url, "SELECT ct_ratio, pt_ratio, interval_seconds, time_zone FROM metering_point WHERE id = 'IN1'")).toBe('120,1100,900,Europe/Berlin');
    expect(psql(h.url, "SELECT string_agg(point_id || ':' || role, ' ' ORDER BY point_id) FROM stat_member WHERE object_id = 'OBJ-T1'")).toBe('IN1:in IN2:in T1LV:out');
    const before = psql(h.url, 'SELECT md5(string_agg(t::text, \'|\' ORDER BY t::text)) FROM (SELECT * FROM metering_point) t');
    const tasks = psql(h.url, 'SELECT count(*) FROM calc_task');
    await importArchiveFile(h, 'examples/archive.yaml');
    expect(psql(h.url, 'SELECT md5(string_agg(t::text, \'|\' ORDER BY t::text)) FROM (SELECT * FROM metering_point) t')).toBe(before);
    expect(psql(h.url, 'SELECT count(*) FROM installation')).toBe('9');
    // Nothing changed, so nothing is queued; an installation's changed initial reading is.
    expect(psql(h.url, 'SELECT count(*) FROM calc_task')).toBe(tasks);
    const original = readFileSync('examples/archive.yaml', 'utf8');
    expect(original).toContain('initial: { ap_imp.total: 300.00 }');
    await importArchiveFile(h, file('initial.yaml', original.replace('initial: { ap_imp.total: 300.00 }', 'initial: { ap_imp.total: 301.00 }')));
    expect(psql(h.url, `SELECT string_agg(point_id || ' ' || reason, ',') FROM (SELECT * FROM calc_task ORDER BY id OFFSET ${tasks}) t`)).toBe('F3 installation');
    await importArchiveFile(h, 'examples/archive.yaml');
  });

  it('queues a recompute of a point whose ratio changes, and of the members of an object whose voltage, limits or members change; not on a plain re-import', async () => {
    const csv = file('f4.csv', 'point,ts,register,value\nF4,2026-10-05T00:00:00+02:00,ap_imp.total,10.00\nF4,2026-10-06T00:00:00+02:00,ap_imp.total,20.00\n');
    await importReadingsFile(h, csv);
    const changes = () => psql(h.url, "SELECT string_agg(point_id || ' ' || to_char(from_ts AT TIME ZONE 'UTC', 'MM-DD HH24') || '..' || to_char(to_ts AT TIME ZONE 'UTC', 'MM-DD HH24'), ';' ORDER BY point_id) FROM calc_task WHERE reason = 'archive-change'");
    expect((await importArchiveFile(h, 'examples/archive.yaml')).ratioEdits).toEqual([]);
    expect(changes()).toBe('');
    const original = readFileSync('examples/archive.yaml', 'utf8');
    const f4 = original.split('\n').find((l) => l.includes('{ id: F4,'))!;
    expect(f4).toContain('ctRatio: 40');
    const edited = await importArchiveFile(h, file('ct.yaml', original.replace(f4, f4.replace('ctRatio: 40', 'ctRatio: 50'))));
    expect(edited.ratioEdits).toEqual([{ point: 'F4', field: 'ctRatio', from: '40', to: '50' }]);
    expect(psql(h.url, "SELECT detail->'ratioEdits' FROM audit_log WHERE action = 'import-archive' ORDER BY id DESC LIMIT 1")).toBe('[{"to": "50", "from": "40", "field": "ctRatio", "point": "F4"}]');
    expect(changes()).toBe('F4 10-04 22..10-05 22');
    // The bus is reclassed from 10 to 20 kV (other default limits): its members with readings are recomputed.
    psql(h.url, "UPDATE calc_task SET state = 'done' WHERE reason = 'archive-change'");
    expect(original).toContain('    voltageKv: 10\n    members:');
    await importArchiveFile(h, file('bus.yaml', original.replace('    voltageKv: 10\n    members:', '    voltageKv: 20\n    members:')));
    expect(psql(h.url, "SELECT string_agg(point_id, ',') FROM calc_task WHERE reason = 'archive-change' AND state = 'pending'")).toBe('F4');
  });

  it('refuses a bad archive whole, naming file, line and field', async () => {
    const bad = file('bad.yaml', [
      'substations:',
      '  - { id: S9, name: New, timeZone: Europe/Nowhere }',
      'points:',
      '  - id: X1',
      '    substation: S9',
      '    name: x',
      '    timeZone: UTC',
      '    ctRatio: -5',
      '  - { id: X2, substation: NOPE, name: y, timeZone: UTC }',
    ].join('\n'));
    const err = await importArchiveFile(h, bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    const problems = (err as InputError).problems.map((p) => `${p.line} ${p.field}`);
    expect(problems).toContain('2 substations[0].timeZone');
    expect(problems).toContain('8 points[0].ctRatio');
    expect((err as InputError).message).toContain(`${bad}:8: points[0].ctRatio`);
    expect(psql(h.url, "SELECT count(*) FROM substation WHERE id = 'S9'")).toBe('0');
    const unknownRef = file('ref.yaml', 'points:\n  - { id: X2, substation: NOPE, name: y, timeZone: UTC }\n');
    await expect(importArchiveFile(h, unknownRef)).rejects.toThrow(`${unknownRef}:2: points[0].substation: unknown substation 'NOPE'`);
  });

  it('round-trips the sample readings exactly and re-imports idempotently', async () => {
    const r = await importReadingsFile(h, 'examples/readings.csv');
    expect(r).toMatchObject({ values: 50, snapshots: 50, written: 50, rejected: 0 });
    expect(psql(h.url, "SELECT ap_imp_total FROM reading WHERE point_id = 'F1' AND ts = '2026-10-01T01:00:00+02:00'")).toBe('10002345');
    expect(psql(h.url, "SELECT count(*), min(source) FROM reading WHERE point_id IN ('F1','F2')")).toBe('50,import');
    const again = await importReadingsFile(h, 'examples/readings.csv');
    expect(again).toMatchObject({ written: 0, unchanged: 50 });
  });

  it('refuses a file with bad rows whole, or loads the good rows with --skip-invalid', async () => {
    const csv = file('mixed.csv', [
      'point,ts,register,value',
      'F3,2026-10-02T00:00:00+02:00,ap_imp.total,300.00',
      'F3,2026-10-02T00:15:00,ap_imp.total,300.50',
      'F3,2026-10-02T00:30:00+02:00,ap_imp.nope,301.00',
      'F3,2026-10-02T00:45:00+02:00,ap_imp.total,3.005',
      'ZZ,2026-10-02T00:45:00+02:00,ap_imp.total,1',
      'F3,2026-10-02T01:00:00+02:00,ap_imp.total,302.00',
    ].join('\n'));
    const err = (await importReadingsFile(h, csv).catch((e: unknown) => e)) as InputError;
    expect(err.problems.map((p) => `${p.line}:${p.field}`)).toEqual(['3:ts', '4:register', '5:value', '6:point']);
    expect(psql(h.url, "SELECT count(*) FROM reading WHERE point_id = 'F3'")).toBe('0');
    const r = await importReadingsFile(h, csv, { skipInvalid: true });
    expect(r).toMatchObject({ written: 2, rejected: 4 });
    const rejects = readFileSync(`${csv}.rejects.csv`, 'utf8').trim().split('\n');
    expect(rejects[0]).toBe('line,field,reason,row');
    expect(rejects.slice(1).map((l) => l.split(',')[0])).toEqual(['3', '4', '5', '6']);
  });

  it('refuses a value that differs from the stored one, and stores it as an audited correction with --correct', async () => {
    const csv = file('conflict.csv', 'point,ts,register,value\nF1,2026-10-01T01:00:00+02:00,ap_imp.total,100023.46\nF1,2026-10-01T01:00:00+02:00,ap_exp.total,5.00\n');
    await expect(importReadingsFile(h, csv)).rejects.toThrow(/conflict\.csv:2: value: ap_imp\.total of F1 .* stored as 100023\.45, not 100023\.46/);
    expect(psql(h.url, "SELECT ap_imp_total, ap_exp_total IS NULL FROM reading WHERE point_id = 'F1' AND ts = '2026-10-01T01:00:00+02:00'")).toBe('10002345,t');
    const r = await importReadingsFile(h, csv, { correct: true, actor: 'alice', reason: 'meter re-read on site' });
    expect(r.corrected).toBe(1);
    expect(psql(h.url, "SELECT ap_imp_total, ap_exp_total FROM reading WHERE point_id = 'F1' AND ts = '2026-10-01T01:00:00+02:00'")).toBe('10002346,500');
    expect(psql(h.url, "SELECT old_value, new_value, actor, reason FROM reading_revision WHERE point_id = 'F1'")).toBe('10002345,10002346,alice,meter re-read on site');
    expect(psql(h.url, "SELECT count(*) FROM audit_log WHERE action = 'correct-reading' AND actor = 'alice'")).toBe('1');
  });

  it('counts a refused snapshot as rejected only, not also as unchanged', async () => {
    const csv = file('refused.csv', [
      'point,ts,register,value',
      'F3,2026-11-03T02:00:00+01:00,ap_imp.total,100030.00',
      'F3,2026-11-03T02:15:00+01:00,ap_imp.total,100031.00',
    ].join('\n'));
    await importReadingsFile(h, csv);
    const again = file('refused-again.csv', [
      'point,ts,register,value',
      'F3,2026-11-03T02:00:00+01:00,ap_imp.total,100030.50',
      'F3,2026-11-03T02:15:00+01:00,ap_imp.total,100031.00',
      'F3,2026-11-03T02:30:00+01:00,ap_imp.total,100032.00',
    ].join('\n'));
    const r = await importReadingsFile(h, again, { skipInvalid: true });
    expect(r).toMatchObject({ snapshots: 3, written: 1, unchanged: 1, corrected: 0, rejected: 1 });
  });
});

describe('meterflow import (CLI exit codes)', () => {
  it('exits 2 with located errors for bad input and writes nothing', () => {
    const csv = file('cli-bad.csv', 'point,ts,register\nF1,2026-10-01T00:00:00Z,ap_imp.total\n');
    let status = 0, stderr = '';
    try {
      execFileSync('node', ['cli/bin.js', 'import', 'readings', csv], { env: { ...process.env, DATABASE_URL: dbTargets()[0]!.adminUrl }, stdio: 'pipe' });
    } catch (e) {
      status = (e as { status: number }).status;
      stderr = String((e as { stderr: Buffer }).stderr);
    }
    expect(status).toBe(2);
    expect(stderr).toContain(`${csv}:1: header: missing column(s) value`);
    expect(existsSync(`${csv}.rejects.csv`)).toBe(false);
  });
});
