import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REGISTER_COUNT } from '../../schema/registers.ts';
import { ScenarioError, buildSimulation, groundTruth, loadRecording, loadScenario, parseScenario, replayRecording, runScenario, startSimulation, type Recording } from '../../simulators/index.ts';
import { u32 } from './support.ts';
import { read3, tcpExchange, tcpRequest, words } from './wire.ts';

const dir = mkdtempSync(join(tmpdir(), 'mf-sim-'));
const examples = join(import.meta.dirname, '../../examples/scenarios');

const SWAP_AND_ROLL = `
name: swap-and-roll
seed: 5
zone: Europe/Berlin
start: 2024-10-26T00:00:00+02:00   # the autumn DST change falls inside
duration: 3d
terminals:
  - id: t1
    interval: 15m
    meters:
      - { unit: 1, name: a, load: { kind: profile, shape: industrial, peakKw: 300 }, initial: 999000.00 }
      - { unit: 2, name: b, load: { kind: profile, shape: residential, peakKw: 40, pvKw: 60 } }
      - { unit: 3, name: c, load: { kind: sum, of: [a, b], factor: 1.01 } }
faults:
  - { kind: replace, unit: 2, at: "+1d6h", serial: B-NEW, initial: 5.00 }
  - { kind: rollover, unit: 3, at: "+2d", marginKwh: 20 }
  - { kind: stuck, unit: 1, at: "+1d", duration: 2h, registers: [ap_imp.total] }
  - { kind: link-down, at: "+12h", duration: 1h }
`;

async function record(text: string, name: string): Promise<Recording> {
  const file = join(dir, `${name}.jsonl`);
  const run = await startSimulation(buildSimulation(parseScenario(text, `${name}.yaml`)), { mode: 'batch', record: file });
  await run.done;
  return loadRecording(file);
}

describe('scenario files', () => {
  it('name the file, line and field of every error', () => {
    const bad = SWAP_AND_ROLL.replace('peakKw: 40', 'peakKw: -4').replace('shape: industrial', 'shape: factory').replace('of: [a, b]', 'of: [a, x]');
    let err: ScenarioError | undefined;
    try {
      parseScenario(bad, 'bad.yaml');
    } catch (e) {
      err = e as ScenarioError;
    }
    expect(err).toBeInstanceOf(ScenarioError);
    const lines = bad.split('\n');
    const lineOf = (s: string) => lines.findIndex((l) => l.includes(s)) + 1;
    expect(err!.message).toContain(`bad.yaml:${lineOf('shape: factory')}:`);
    expect(err!.message).toMatch(/terminals\[0\]\.meters\[0\]\.load\.shape/);
    expect(err!.message).toContain(`bad.yaml:${lineOf('peakKw: -4')}:`);
    expect(err!.message).toMatch(/terminals\[0\]\.meters\[1\]\.load\.peakKw/);
    // Cross-references are checked once the fields themselves are valid.
    expect(() => parseScenario(SWAP_AND_ROLL.replace('of: [a, b]', 'of: [a, x]'), 'ref.yaml')).toThrow(new RegExp(`ref\\.yaml:${lineOf('of: [a, x]')}: terminals\\[0\\]\\.meters\\[2\\]\\.load\\.of\\[1\\]: no meter named "x"`));
    expect(() => parseScenario('name: x\nstart: [', 'broken.yaml')).toThrow(/broken\.yaml:2:/);
    expect(() => parseScenario(SWAP_AND_ROLL.replace('unit: 3, at', 'unit: 9, at'), 'u.yaml')).toThrow(/u\.yaml:\d+: faults\[1\]\.unit: terminal "t1" has no unit 9/);
  });

  it('ships examples that validate and run', async () => {
    const files = readdirSync(examples).filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const f of files) {
      const run = await runScenario(join(examples, f), { mode: 'batch' });
      const s = await run.done;
      expect(s.intervals).toBeGreaterThan(0);
    }
  });

  it('records every register of every meter at every interval, and every fault', async () => {
    const rec = await record(SWAP_AND_ROLL, 'swap');
    const n = (3 * 86400) / 900 + 1; // "3d" is 72 h of elapsed time, even across DST; both ends included
    expect(rec.intervals).toHaveLength(3 * n);
    for (const l of rec.intervals) expect(l.registers).toHaveLength(REGISTER_COUNT);
    const kinds = rec.events.map((e) => (e.type === 'fault' ? `${e.kind}:${e.phase}` : e.type === 'meter' ? e.event.kind : e.type));
    expect(kinds).toEqual(expect.arrayContaining(['link-down:start', 'link-down:end', 'stuck:start', 'stuck:end', 'replacement', 'replace:start', 'rollover:start', 'preset', 'rollover']));
    expect(rec.intervals.some((l) => l.trueRegisters)).toBe(true); // while stuck
  });

  it('registers never decrease except at a declared rollover or replacement; tiers sum to the total', async () => {
    const rec = await record(SWAP_AND_ROLL, 'props');
    const declared = (unit: number, from: number, to: number) =>
      rec.events.some((e) => 'unit' in e && e.unit === unit && e.time >= from && e.time <= to && (e.type === 'replacement' || (e.type === 'meter' && (e.event.kind === 'rollover' || e.event.kind === 'preset'))));
    for (const unit of [1, 2, 3]) {
      const lines = rec.intervals.filter((l) => l.unit === unit);
      for (let i = 1; i < lines.length; i++) {
        const [a, b] = [lines[i - 1]!, lines[i]!];
        const ra = a.trueRegisters ?? a.registers;
        const rb = b.trueRegisters ?? b.registers;
        if (rb.some((v, k) => v < ra[k]!)) expect(declared(unit, a.time, b.time)).toBe(true);
        for (let d = 0; d < 4; d++) expect((rb[d * 5 + 1]! + rb[d * 5 + 2]! + rb[d * 5 + 3]! + rb[d * 5 + 4]! - rb[d * 5]!) % 100_000_000).toBe(0);
      }
    }
  });

  it('gives identical recordings for identical seeds, different ones for different seeds', async () => {
    await record(SWAP_AND_ROLL, 'same-1');
    await record(SWAP_AND_ROLL, 'same-2');
    await record(SWAP_AND_ROLL.replace('seed: 5', 'seed: 6'), 'other');
    const text = (n: string) => readFileSync(join(dir, `${n}.jsonl`), 'utf8');
    expect(text('same-1')).toBe(text('same-2'));
    expect(text('same-1').replace(/"seed":\d+/, '')).not.toBe(text('other').replace(/"seed":\d+/, ''));
  });

  it('groundTruth yields what the scenario meters recorded', async () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.constantFrom('UTC', 'Asia/Shanghai', 'America/New_York'), (seed, zone) => {
        const text = `name: g\nseed: ${seed}\nzone: ${zone}\nstart: 2024-11-02T00:00:00Z\nduration: 2d\nterminals:\n  - id: t\n    meters:\n      - { unit: 1, name: p, load: { kind: profile, shape: commercial, peakKw: 70, pvKw: 20 }, initial: 10.00 }\n`;
        const sim = buildSimulation(parseScenario(text, 'g.yaml'));
        const fromScenario: number[][] = [];
        sim.terminals[0]!.on((e) => e.type === 'interval' && fromScenario.push(e.reading.registers));
        sim.terminals[0]!.advanceTo(sim.end);
        const initial = new Array<number>(20).fill(0);
        initial[0] = 1000;
        initial[1] = 100;
        initial[2] = 300;
        initial[3] = 350;
        initial[4] = 250;
        const fast = [...groundTruth([{ id: 't/p', load: { kind: 'profile', shape: 'commercial', peakKw: 70, pvKw: 20 }, initial }], sim.start, sim.end, seed, { zone })];
        expect(fast.slice(1).map((s) => [...s.registers])).toEqual(fromScenario);
      }),
      { numRuns: 5 },
    );
  });

  it('replays a recording over Modbus TCP with the recorded values', async () => {
    await record(SWAP_AND_ROLL, 'replay');
    const run = await replayRecording(join(dir, 'replay.jsonl'), { speed: 3 * 86400 * 10, hold: true, transports: new Map([['t1', { modbusTcp: { port: 0 } }]]), tickMs: 10 });
    try {
      const port = run.endpoints[0]!.modbusTcp!.port;
      const term = run.simulation.terminals[0]!;
      while (term.time < run.simulation.end) await new Promise((r) => setTimeout(r, 20));
      const last = run.recording.intervals.filter((l) => l.time === run.simulation.end);
      for (const l of last) {
        const ans = await tcpExchange(port, tcpRequest(1, l.unit, read3(0, 40)));
        expect(u32(words(ans!.subarray(7)))).toEqual(l.registers);
      }
    } finally {
      await run.stop();
    }
  });

  it('loads scenario files from disk with the path in errors', async () => {
    await expect(loadScenario(join(examples, 'meter-swap.yaml'))).resolves.toMatchObject({ name: 'meter-swap' });
  });
});
