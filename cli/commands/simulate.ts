/** `meterflow simulate <scenario.yaml>` and `meterflow replay <recording>`. */
import { replayRecording, runScenario, type Endpoint, type ScenarioRun } from '../../simulators/index.ts';
import { ensureBroker } from '../broker.ts';
import { EXIT, UsageError, type Command } from '../command.ts';
import { onStopSignal } from '../stop-signal.ts';

function describeEndpoint(e: Endpoint): string {
  const parts = [
    e.modbusTcp && `modbus-tcp ${e.modbusTcp.host}:${e.modbusTcp.port}`,
    e.modbusRtu && `modbus-rtu ${e.modbusRtu.path} ${e.modbusRtu.baud} baud parity ${e.modbusRtu.parity}`,
    e.mqtt && `mqtt ${e.mqtt.url} ${e.mqtt.prefix}/${e.terminal}/`,
  ].filter(Boolean);
  return `  ${e.terminal}: ${parts.join('; ')}`;
}

/** Print endpoints and simulated time every few seconds until the run ends or is interrupted. */
async function follow(run: ScenarioRun, label: string): Promise<void> {
  for (const e of run.endpoints) console.log(describeEndpoint(e));
  const sim = run.simulation;
  const timer = setInterval(() => {
    const now = Math.min(...sim.terminals.map((t) => t.time));
    const pct = Math.min(100, Math.floor(((now - sim.start) / Math.max(1, sim.end - sim.start)) * 100));
    console.error(`${label}: simulated ${new Date(now * 1000).toISOString()} (${pct} %)`);
  }, 3000);
  const unlisten = onStopSignal(() => void run.stop());
  try {
    const s = await run.done;
    console.log(`${label}: ${s.intervals} meter intervals, ${s.faults} faults, ${new Date(s.start * 1000).toISOString()} → ${new Date(s.end * 1000).toISOString()}${s.record ? `; ground truth in ${s.record}` : ''}`);
  } finally {
    clearInterval(timer);
    unlisten();
  }
}

const common = {
  speed: { type: 'string' as const, description: 'simulated seconds per wall second (live runs)', default: 'from the file' },
  hold: { type: 'boolean' as const, description: 'keep serving after the end until interrupted', default: false },
};

const simulateCmd: Command = {
  path: ['simulate'],
  args: '<scenario.yaml>',
  summary: 'Run a scenario: simulated terminals on Modbus TCP, RTU (socat pty) and MQTT, faults on a timeline.',
  options: {
    ...common,
    record: { type: 'string', description: 'write the ground truth (JSON lines) to this file' },
    batch: { type: 'boolean', description: 'compute only, as fast as possible, no network (for --record)', default: false },
  },
  async run([file], o) {
    if (!file) throw new UsageError('missing <scenario.yaml>');
    let broker = o.batch ? undefined : await ensureBroker();
    try {
      const run = await runScenario(file, {
        mode: o.batch ? 'batch' : 'live',
        ...(typeof o.record === 'string' ? { record: o.record } : {}),
        ...(o.speed !== common.speed.default ? { speed: Number(o.speed) } : {}),
        ...(o.hold ? { hold: true } : {}),
        ...(broker ? { mqttUrl: broker.url } : {}),
      });
      if (broker?.embedded) {
        // Terminals that name their own broker leave the embedded one idle: it is not kept.
        if (run.endpoints.some((e) => e.mqtt?.url === broker!.url)) console.log(`embedded MQTT broker at ${broker.url} (set MQTT_URL to use your own)`);
        else {
          await broker.close();
          broker = undefined;
        }
      }
      await follow(run, `simulate ${file}`);
      return EXIT.ok;
    } finally {
      await broker?.close();
    }
  },
};

const replayCmd: Command = {
  path: ['replay'],
  args: '<recording.jsonl>',
  summary: 'Serve a recorded run again on its transports.',
  options: { ...common },
  async run([file], o) {
    if (!file) throw new UsageError('missing <recording.jsonl>');
    const broker = await ensureBroker();
    try {
      const run = await replayRecording(file, {
        ...(o.speed !== common.speed.default ? { speed: Number(o.speed) } : {}),
        ...(o.hold ? { hold: true } : {}),
        mqttUrl: broker.url,
      });
      await follow(run, `replay ${file}`);
      return EXIT.ok;
    } finally {
      await broker.close();
    }
  },
};

/** The simulator commands. */
export const simulateCommands: Command[] = [simulateCmd, replayCmd];
