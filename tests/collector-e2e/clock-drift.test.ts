/**
 * Clock drift through the running collector: a simulated meter whose clock runs 10 minutes
 * ahead raises a `clock-drift` alarm on the next read; once its clock is set right again, the
 * next read clears it. The other meter on the terminal stays quiet.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCollectorService, type CollectorService } from '../../collector/index.ts';
import { buildSimulation, parseScenario, serveTerminals } from '../../simulators/index.ts';
import type { Database } from '../../schema/index.ts';
import { dbTargets, freshDatabase } from '../support/db.ts';

const start = Date.parse('2026-06-01T00:00:00Z') / 1000;
const scenario = `
name: clock
seed: 5
start: 2026-06-01T00:00:00Z
duration: 1d
terminals:
  - id: T1
    transports: { modbusTcp: { port: 0 } }
    meters:
      - { unit: 1, name: P1, load: { kind: profile, shape: commercial, peakKw: 40 } }
      - { unit: 2, name: P2, load: { kind: profile, shape: residential, peakKw: 10 } }
faults:
  - { kind: clock-drift, unit: 1, offsetSeconds: 600, at: "2026-06-01T01:00:00Z", duration: 1h }
  - { kind: clock-drift, unit: 2, offsetSeconds: 600, at: "2026-06-01T04:00:00Z", duration: 1h }
`;

describe.each(dbTargets())('clock drift on $name PostgreSQL', (target) => {
  let h: Database;
  let service: CollectorService;
  let stopServed: () => Promise<void>;
  let simNow = start * 1000;
  let site: (extra: string[]) => void;
  const sim = buildSimulation(parseScenario(scenario, 'clock.yaml'));
  const advance = (t: number) => {
    for (const term of sim.terminals) term.advanceTo(t);
    simNow = t * 1000;
  };
  const openAlarms = async () => (await h.pool.query(`SELECT object_id, state, observed::float AS observed FROM alarm WHERE rule = 'clock-drift' ORDER BY id`)).rows;
  const until = async (check: () => Promise<boolean>) => {
    for (let i = 0; i < 100 && !(await check()); i++) await new Promise((r) => setTimeout(r, 50));
  };

  beforeAll(async () => {
    h = await freshDatabase(target);
    const served = await serveTerminals(sim.terminals, sim.transports);
    stopServed = served.stop;
    const dir = mkdtempSync(join(tmpdir(), 'mf-clock-'));
    const port = served.endpoints[0]!.modbusTcp!.port;
    site = (extra: string[]) => writeFileSync(join(dir, 'site.yaml'), [
      'site: clock-test', `spool: { path: ${join(dir, 'c.spool')} }`, 'backfill: { sweepSeconds: 0 }', ...extra, 'terminals:',
      '  - id: T1', '    profile: sim-terminal-v1', `    transport: { kind: modbus-tcp, host: 127.0.0.1, port: ${port} }`,
      '    meters: [{ unitId: 1, point: P1 }, { unitId: 2, point: P2 }]',
    ].join('\n'));
    site([]);
    service = await runCollectorService({ handle: h, configPath: join(dir, 'site.yaml'), signals: false, clock: { now: () => simNow, speed: 1 } });
  });
  afterAll(async () => {
    await service.stop();
    await stopServed();
    await h.close();
  });

  it('raises clock-drift for the drifting meter and clears it once the clock is right', async () => {
    advance(start + 5400);
    await service.daemon.collector.readNow('T1');
    await until(async () => (await openAlarms()).length > 0);
    expect(await openAlarms()).toEqual([{ object_id: 'P1', state: 'open', observed: 600 }]);
    advance(start + 9000);
    await service.daemon.collector.readNow('T1');
    await until(async () => (await openAlarms())[0]?.state === 'cleared');
    expect(await openAlarms()).toEqual([{ object_id: 'P1', state: 'cleared', observed: 600 }]);
  });

  it('judges by the site\'s clockDriftSeconds, as reloaded', async () => {
    // P2's clock runs 10 minutes ahead from 04:00. Allowed 15 minutes: no alarm; 5 minutes: one, limit 300.
    site(['clockDriftSeconds: 900']);
    await service.daemon.reload();
    advance(start + 4.5 * 3600);
    await service.daemon.collector.readNow('T1');
    await new Promise((r) => setTimeout(r, 2_000)); // the check writes its batch within a second
    expect((await openAlarms()).filter((a) => a.object_id === 'P2')).toEqual([]);
    site(['clockDriftSeconds: 300']);
    await service.daemon.reload();
    advance(start + 4.6 * 3600);
    await service.daemon.collector.readNow('T1');
    await until(async () => (await openAlarms()).some((a) => a.object_id === 'P2'));
    const p2 = (await h.pool.query(`SELECT state, observed::float AS observed, limit_value::float AS lim FROM alarm WHERE rule = 'clock-drift' AND object_id = 'P2'`)).rows;
    expect(p2).toEqual([{ state: 'open', observed: 600, lim: 300 }]);
  });
});
