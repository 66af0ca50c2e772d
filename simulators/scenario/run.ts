/**
 * Running a scenario: `batch` advances simulated time as fast as the CPU allows (no network;
 * for ground truth), `live` serves the transports with a clock running `speed` times real time.
 */
import { SimClock } from '../clock/index.ts';
import type { Terminal } from '../terminal/index.ts';
import { buildSimulation, type Simulation } from './build.ts';
import { loadScenario } from './load.ts';
import { RecordWriter, headerLine } from './record.ts';
import { serveTerminals, type Endpoint, type ServeOptions } from './serve.ts';

/** How to run. */
export interface RunOptions extends ServeOptions {
  /** Write the ground truth (JSON lines) here. */
  record?: string;
  /** 'live' (default) serves transports in (accelerated) real time; 'batch' computes only. */
  mode?: 'live' | 'batch';
  /** Simulated seconds per wall second (live); overrides the file. */
  speed?: number;
  /** Keep serving after the end (time frozen at the end) until stopped. */
  hold?: boolean;
  /** Wall milliseconds between clock ticks (live). */
  tickMs?: number;
  /**
   * Live runs: compute everything before this instant (Unix seconds) in batch, before any
   * transport is served, so a rig can start live at the interesting part of a long scenario.
   */
  liveFrom?: number;
  /** Called after the batch catch-up, before transports are served and the live clock starts. */
  beforeLive?: (simulation: Simulation) => Promise<void>;
}

/** What a finished run says. */
export interface RunSummary {
  scenario: string;
  start: number;
  /** Simulated time reached: the scenario's end, or where a stop cut the run short. */
  end: number;
  intervals: number;
  faults: number;
  record?: string;
}

/** A started run. */
export interface ScenarioRun {
  simulation: Simulation;
  /** Where the transports listen (empty in batch mode). */
  endpoints: Endpoint[];
  /** Resolves when simulated time reached the end (and, with `hold`, when stopped). */
  done: Promise<RunSummary>;
  /** Stop early; resolves once everything is closed. */
  stop(): Promise<void>;
}

/** Drive terminals from their start to `end`, live or batch; shared by run and replay. */
export async function drive(
  name: string,
  terminals: Terminal[],
  range: { start: number; end: number },
  served: { stop(): Promise<void> } | undefined,
  writer: RecordWriter | undefined,
  opts: { mode: 'live' | 'batch'; speed: number; hold?: boolean; tickMs?: number },
): Promise<{ done: Promise<RunSummary>; stop(): Promise<void> }> {
  let intervals = 0;
  let faults = 0;
  for (const t of terminals)
    t.on((e) => {
      if (e.type === 'interval') intervals++;
      else if (e.type === 'fault' && e.phase === 'start') faults++;
    });
  let stopped = false;
  let wake: () => void = () => undefined;
  const finish = async (): Promise<RunSummary> => {
    const last = Math.min(...terminals.map((t) => t.time));
    writer?.write({ type: 'end', time: last });
    await writer?.close();
    await served?.stop();
    return { scenario: name, start: range.start, end: Math.min(range.end, last), intervals, faults, ...(writer ? { record: writer.file } : {}) };
  };
  const done = (async () => {
    if (opts.mode === 'batch') {
      // A simulated day per slice, yielding so a stop() can get in.
      for (let t = range.start; t < range.end && !stopped; ) {
        t = Math.min(range.end, t + 86400);
        for (const term of terminals) term.advanceTo(t);
        if (writer?.full) await writer.flush();
        await new Promise((r) => setImmediate(r));
      }
      return finish();
    }
    const clock = new SimClock(range.start, opts.speed);
    const bounded = { now: () => Math.min(range.end, clock.now()) };
    for (const t of terminals) t.clock = bounded;
    await new Promise<void>((resolve) => {
      wake = resolve;
      const timer = setInterval(() => {
        for (const t of terminals) t.sync();
        void writer?.flush();
        if (stopped || (!opts.hold && bounded.now() >= range.end)) {
          clearInterval(timer);
          resolve();
        }
      }, opts.tickMs ?? 50);
    });
    return finish();
  })();
  return {
    done,
    stop: async () => {
      stopped = true;
      wake();
      await done;
    },
  };
}

/** Load, build and run a scenario file. */
export async function runScenario(file: string, opts: RunOptions = {}): Promise<ScenarioRun> {
  const simulation = buildSimulation(await loadScenario(file));
  return startSimulation(simulation, opts);
}

/** Run an already built simulation (tests build them from text). */
export async function startSimulation(simulation: Simulation, opts: RunOptions = {}): Promise<ScenarioRun> {
  const mode = opts.mode ?? 'live';
  let writer: RecordWriter | undefined;
  if (opts.record) {
    writer = new RecordWriter(opts.record);
    writer.write(headerLine(simulation));
    writer.attach(simulation.terminals);
  }
  // Intervals at the very start instant are part of the truth too.
  for (const t of simulation.terminals) if (t.time % t.intervalSeconds === 0) t.emitIntervals();
  if (mode === 'live' && opts.liveFrom !== undefined && opts.liveFrom > simulation.start) {
    const from = Math.min(opts.liveFrom, simulation.end);
    for (let t = simulation.start; t < from; ) {
      t = Math.min(from, t + 86400);
      for (const term of simulation.terminals) term.advanceTo(t);
      if (writer?.full) await writer.flush();
      await new Promise((r) => setImmediate(r));
    }
    simulation = { ...simulation, start: from };
  }
  if (mode === 'live') await opts.beforeLive?.(simulation);
  const served = mode === 'live' ? await serveTerminals(simulation.terminals, simulation.transports, opts) : undefined;
  const { done, stop } = await drive(simulation.name, simulation.terminals, simulation, served, writer, {
    mode,
    speed: opts.speed ?? simulation.speed,
    ...(opts.hold !== undefined ? { hold: opts.hold } : {}),
    ...(opts.tickMs !== undefined ? { tickMs: opts.tickMs } : {}),
  });
  return { simulation, endpoints: served?.endpoints ?? [], done, stop };
}
