/**
 * Collector benchmarks (issue 4): serial cycle time of a 9600-baud RS-485 bus of 32 meters
 * against its wire-time limit, and Modbus TCP meter reads per second on loopback with 1 000
 * simulated terminals. The database benchmarks (MQTT snapshots into the database, backfill of a
 * 24 h outage) are in bench/collector-db.ts.
 *
 *   node --import tsx bench/collector.ts serial [cycles=3]
 *   node --import tsx bench/collector.ts tcp [terminals=1000] [metersPerTerminal=4] [rounds=5]
 */
import os from 'node:os';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Collector, parseSiteConfig, planProfile, simTerminalV1 } from '../collector/index.ts';
import { buildSimulation, exchangeSeconds, hasCommand, parseScenario, serveTerminals } from '../simulators/index.ts';

/** A scenario of `terminals` terminals with `meters` meters each, served as told. */
export function benchScenario(terminals: number, meters: number, transports: string, profileDepth = '2d'): string {
  const lines = ['name: bench', 'seed: 3', 'start: 2024-03-01T00:00:00Z', 'duration: 3d', 'stepSeconds: 900', 'terminals:'];
  for (let t = 0; t < terminals; t++) {
    lines.push(`  - id: t${t}`, `    profileDepth: ${profileDepth}`, `    transports: ${transports}`, '    meters:');
    for (let m = 1; m <= meters; m++) lines.push(`      - { unit: ${m}, name: t${t}-m${m}, load: { kind: profile, shape: flat, peakKw: ${50 + m} } }`);
  }
  return lines.join('\n');
}

/** The machine, for the report. */
export function machine(): string {
  return `${os.cpus()[0]?.model ?? 'cpu'}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

async function serial(cycles: number): Promise<void> {
  if (!hasCommand('socat')) throw new Error('the serial benchmark needs socat for its pty pair');
  const baud = 9600;
  const sim = buildSimulation(parseScenario(benchScenario(1, 32, `{ modbusRtu: { pty: true, baud: ${baud}, parity: even } }`), 'bench.yaml'));
  const served = await serveTerminals(sim.terminals, sim.transports);
  const dir = await mkdtemp(join(tmpdir(), 'meterflow-bench-'));
  const site = parseSiteConfig(`site: bench-serial
spool: { path: ${join(dir, 's.spool')} }
terminals:
  - id: t0
    profile: sim-terminal-v1
    outageCheck: false
    transport: { kind: modbus-rtu, path: ${served.endpoints[0]!.modbusRtu!.path}, baudRate: ${baud}, parity: even, timeoutMs: 1000 }
    meters: [${Array.from({ length: 32 }, (_, i) => `{ unitId: ${i + 1}, point: p${i + 1} }`).join(', ')}]
`);
  const c = await Collector.start(site, { sink: { write: async () => undefined }, schedule: false });
  // The wire-time limit: every request of a read with its answer and two 3.5-character silences.
  const requests = planProfile(simTerminalV1, {});
  const perMeter = requests.reduce((s, r) => s + exchangeSeconds(baud, 8, 5 + 2 * r.count), 0);
  const limit = 32 * perMeter;
  try {
    await c.pollTerminal('t0', new Date());
    const times: number[] = [];
    for (let i = 0; i < cycles; i++) {
      const t0 = performance.now();
      const r = await c.pollTerminal('t0', new Date());
      times.push((performance.now() - t0) / 1000);
      const failed = r.filter((x) => x.error);
      if (failed.length) throw new Error(`${failed.length} meters failed: ${failed[0]!.error}`);
    }
    const best = Math.min(...times);
    const mean = times.reduce((a, b) => a + b, 0) / times.length;
    console.log(`serial, 9600 baud 8E1, 32 meters on one bus, ${requests.length} request(s) of ${requests.map((r) => r.count).join('+')} registers per meter`);
    console.log(`  wire-time limit per cycle: ${limit.toFixed(3)} s (${(perMeter * 1000).toFixed(1)} ms per meter)`);
    console.log(`  measured cycles: ${times.map((t) => t.toFixed(3)).join(', ')} s (mean ${mean.toFixed(3)} s)`);
    console.log(`  line-rate use: ${((limit / mean) * 100).toFixed(1)} % (best cycle ${((limit / best) * 100).toFixed(1)} %)`);
  } finally {
    await c.stop();
    await served.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

async function tcp(terminals: number, meters: number, rounds: number): Promise<void> {
  const sim = buildSimulation(parseScenario(benchScenario(terminals, meters, '{ modbusTcp: { port: 0 } }'), 'bench.yaml'));
  const served = await serveTerminals(sim.terminals, sim.transports);
  const dir = await mkdtemp(join(tmpdir(), 'meterflow-bench-'));
  const site = parseSiteConfig(`site: bench-tcp
timeoutMs: 20000
spool: { path: ${join(dir, 't.spool')} }
terminals:
${served.endpoints
  .map((e) => `  - id: ${e.terminal}\n    profile: sim-terminal-v1\n    outageCheck: false\n    transport: { kind: modbus-tcp, host: 127.0.0.1, port: ${e.modbusTcp!.port}, timeoutMs: 10000 }\n    meters: [${Array.from({ length: meters }, (_, i) => `{ unitId: ${i + 1}, point: ${e.terminal}-p${i + 1} }`).join(', ')}]`)
  .join('\n')}
`);
  const c = await Collector.start(site, { sink: { write: async () => undefined }, schedule: false });
  try {
    const ids = site.terminals.map((t) => t.id);
    await Promise.all(ids.map((id) => c.pollTerminal(id, new Date()))); // connect
    const t0 = performance.now();
    let ok = 0, failed = 0;
    for (let i = 0; i < rounds; i++) {
      const results = (await Promise.all(ids.map((id) => c.pollTerminal(id, new Date())))).flat();
      ok += results.filter((r) => r.reading).length;
      failed += results.filter((r) => r.error).length;
    }
    const s = (performance.now() - t0) / 1000;
    console.log(`tcp, ${terminals} simulated terminals × ${meters} meters on loopback (servers in the same process), ${rounds} rounds`);
    console.log(`  ${ok} meter reads in ${s.toFixed(2)} s: ${Math.round(ok / s)} meter reads/s (${failed} failed)`);
  } finally {
    await c.stop();
    await served.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

const [what = 'serial', a, b, d] = process.argv.slice(2);
if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(`machine: ${machine()}`);
  if (what === 'serial') await serial(Number(a ?? 3));
  else if (what === 'tcp') await tcp(Number(a ?? 1000), Number(b ?? 4), Number(d ?? 5));
  else throw new Error(`unknown benchmark ${what}: serial or tcp (database ones: bench/collector-db.ts)`);
  process.exit(0);
}
