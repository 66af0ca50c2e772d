import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSimulation, parseScenario, startSimulation } from '../../simulators/index.ts';
import { u32 } from './support.ts';
import { read3, tcpExchange, tcpRequest, words } from './wire.ts';

const dir = mkdtempSync(join(tmpdir(), 'mf-live-'));
const SCENARIO = `
name: live
seed: 3
zone: Asia/Shanghai
start: 2024-07-01T00:00:00+08:00
duration: 1d
terminals:
  - id: live-1
    transports: { modbusTcp: { port: 0 } }
    meters:
      - { unit: 1, name: a, load: { kind: profile, shape: commercial, peakKw: 90 } }
      - { unit: 2, name: b, load: { kind: profile, shape: residential, peakKw: 30, pvKw: 40 } }
faults:
  - { kind: link-down, at: "+8h", duration: 6h }
`;

describe('a live scenario run (accelerated clock, served on Modbus TCP)', () => {
  it('serves the timeline on the wire and records the same truth as a batch run', async () => {
    const speed = 86400 / 3; // one simulated day in three wall seconds
    const run = await startSimulation(buildSimulation(parseScenario(SCENARIO, 'live.yaml')), { mode: 'live', speed, tickMs: 20, record: join(dir, 'live.jsonl') });
    const term = run.simulation.terminals[0]!;
    const port = run.endpoints[0]!.modbusTcp!.port;
    const down = { from: run.simulation.start + 8 * 3600, to: run.simulation.start + 14 * 3600 };
    const samples: { t: number; ok: boolean }[] = [];
    let finished = false;
    void run.done.then(() => (finished = true));
    while (!finished) {
      const t = term.time;
      try {
        const ans = await tcpExchange(port, tcpRequest(1, 1, read3(0, 40)), 500);
        samples.push({ t, ok: !!ans });
        if (ans) expect(u32(words(ans.subarray(7)))[0]).toBeGreaterThan(0);
      } catch {
        samples.push({ t, ok: false });
      }
      await new Promise((r) => setTimeout(r, 15));
    }
    const slop = speed * 0.1; // the clock ticks every 20 ms of wall time
    expect(samples.some((s) => s.ok)).toBe(true);
    expect(samples.some((s) => !s.ok)).toBe(true);
    for (const s of samples.filter((x) => !x.ok && !finished)) {
      expect(s.t).toBeGreaterThanOrEqual(down.from - slop);
      expect(s.t).toBeLessThanOrEqual(down.to + slop);
    }
    expect(samples.filter((s) => s.t > down.from + slop && s.t < down.to - slop).every((s) => !s.ok)).toBe(true);
    await run.done;

    const batch = await startSimulation(buildSimulation(parseScenario(SCENARIO, 'live.yaml')), { mode: 'batch', record: join(dir, 'batch.jsonl') });
    await batch.done;
    const lines = (f: string) => readFileSync(join(dir, f), 'utf8').trim().split('\n').slice(1);
    expect(lines('live.jsonl')).toEqual(lines('batch.jsonl'));
  });

  it('reports where a stopped run got to, not the scenario end', async () => {
    const run = await startSimulation(buildSimulation(parseScenario(SCENARIO, 'live.yaml')), { mode: 'live', speed: 3600, tickMs: 20 });
    await new Promise((r) => setTimeout(r, 300)); // about five simulated minutes of the day
    await run.stop();
    const s = await run.done;
    const reached = run.simulation.terminals[0]!.time;
    expect(s.end).toBe(reached);
    expect(s.end).toBeGreaterThan(s.start);
    expect(s.end).toBeLessThan(run.simulation.end);
  });
});
