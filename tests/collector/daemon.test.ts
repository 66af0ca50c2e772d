import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { healthStatus, runDaemon, type CollectorHealth, type ReadingRow } from '../../collector/index.ts';

const site = (dir: string, terminals: string[]): string => `site: daemon-test
intervalSeconds: 3600
spool: { path: ${join(dir, 'd.spool')} }
terminals:
${terminals.map((id) => `  - id: ${id}\n    profile: eastron-sdm630\n    transport: { kind: modbus-tcp, host: 127.0.0.1, port: 1 }\n    meters: [{ unitId: 1, point: ${id}-p }]`).join('\n')}
`;

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('collector daemon', () => {
  it('serves health and metrics, refuses a bad config on reload, applies a good one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meterflow-daemon-'));
    dirs.push(dir);
    const path = join(dir, 'site.yaml');
    await writeFile(path, site(dir, ['a']));
    const notices: string[] = [];
    const rows: ReadingRow[] = [];
    const daemon = await runDaemon({
      configPath: path,
      healthPort: 0,
      signals: false,
      sink: { write: async (r) => void rows.push(...r) },
      onNotice: (m) => notices.push(m),
    });
    try {
      // Before the first aligned poll (up to an interval away) nothing has failed: starting, 200.
      const first = await fetch(`http://127.0.0.1:${daemon.health!.port}/health?probe=1`);
      expect(first.status).toBe(200);
      const health = (await first.json()) as { status: string; site: string; terminals: { id: string }[] };
      expect(health.status).toBe('starting');
      expect(health.site).toBe('daemon-test');
      expect(health.terminals.map((t) => t.id)).toEqual(['a']);
      const metrics = await (await fetch(`http://127.0.0.1:${daemon.health!.port}/metrics`)).text();
      expect(metrics).toContain('meterflow_collector_terminals_total 1');

      await writeFile(path, site(dir, ['a']).replace('port: 1 }', 'port: 99999 }'));
      await daemon.reload();
      expect(notices.at(-1)).toMatch(/config not reloaded/);
      expect(notices.at(-1)).toContain(`${path}:7: terminals[0].transport.port`);
      expect(daemon.collector.site.terminals.length).toBe(1);

      await writeFile(path, site(dir, ['a', 'b']));
      await daemon.reload();
      expect(notices.at(-1)).toBe('config reloaded: 2 terminals');
      const after = (await (await fetch(`http://127.0.0.1:${daemon.health!.port}/health`)).json()) as { terminals: { id: string }[] };
      expect(after.terminals.map((t) => t.id)).toEqual(['a', 'b']);
    } finally {
      await daemon.stop();
    }
  });
});

describe('health status', () => {
  const h = (terminals: { online: boolean; lastSuccess: Date | null; lastError: string | null }[], starting = true) => ({ terminals, starting }) as unknown as CollectorHealth;
  it('is starting until a terminal was tried in the first cycle, ok while one answers, down when all tried failed', () => {
    expect(healthStatus(h([{ online: false, lastSuccess: null, lastError: null }]))).toBe('starting');
    expect(healthStatus(h([{ online: false, lastSuccess: null, lastError: null }], false))).toBe('down'); // never heard from
    expect(healthStatus(h([{ online: false, lastSuccess: null, lastError: 'timeout' }, { online: true, lastSuccess: new Date(), lastError: null }]))).toBe('ok');
    expect(healthStatus(h([{ online: false, lastSuccess: null, lastError: 'timeout' }, { online: false, lastSuccess: null, lastError: null }]))).toBe('down');
    expect(healthStatus(h([]))).toBe('ok');
  });
});
