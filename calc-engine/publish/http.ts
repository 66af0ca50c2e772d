/**
 * The engine worker's HTTP endpoint (`meterflow engine run --http PORT`): `GET /health` (JSON;
 * 503 when the last pass failed or the database does not answer), `GET /metrics` (Prometheus
 * text), `GET /alarms` (the alarms as `meterflow alarms --format json` lists them; query
 * `rule`, `severity`, `object`, `all`) and `GET /alarms/events`, a Server-Sent Events stream of
 * every alarm change as it happens (`event: alarm`, the `AlarmEvent` as JSON).
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Database } from '../../schema/index.ts';
import { RULE_NAMES, SEVERITIES, type RuleName, type Severity } from '../alarms.ts';
import { listAlarms, type AlarmFilter, type AlarmListener, type WorkerPass } from '../store/index.ts';
import { taskCounts } from '../tasks/index.ts';

/** A running endpoint: its port, the listener to hand the worker, what to tell of each pass. */
export interface EngineEndpoint {
  port: number;
  listener: AlarmListener;
  onPass(pass: WorkerPass): void;
  close(): Promise<void>;
}

// Comments keep idle event streams open through proxies that cut silent connections.
const KEEPALIVE_MS = 15_000;

/** Serve the engine's health, metrics and alarms on `host:port` (port 0 picks a free one). */
export async function serveEngine(handle: Database, opts: { port?: number; host?: string; worker?: string; onError?: (e: Error) => void } = {}): Promise<EngineEndpoint> {
  const started = new Date();
  let last: WorkerPass | undefined;
  let passes = 0, failures = 0, events = 0;
  const streams = new Set<ServerResponse>();

  const health = async (res: ServerResponse) => {
    const body: Record<string, unknown> = { worker: opts.worker, startedAt: started.toISOString(), lastPass: last ?? null, passes, failures, alarmEvents: events };
    try {
      body.tasks = await taskCounts(handle);
    } catch (e) {
      body.database = (e as Error).message;
    }
    const ok = !last?.error && body.database === undefined;
    send(res, ok ? 200 : 503, { status: ok ? 'ok' : 'failing', ...body });
  };

  const metrics = async (res: ServerResponse) => {
    const tasks = await taskCounts(handle);
    const open = await handle.db.selectFrom('alarm').select(['severity', (eb) => eb.fn.countAll<string>().as('n')]).where('state', '<>', 'cleared').groupBy('severity').execute();
    const lines = [
      ...Object.entries(tasks).map(([state, n]) => `meterflow_engine_tasks{state="${state}"} ${n}`),
      ...SEVERITIES.map((s) => `meterflow_engine_alarms_open{severity="${s}"} ${Number(open.find((r) => r.severity === s)?.n ?? 0)}`),
      `meterflow_engine_passes_total ${passes}`,
      `meterflow_engine_pass_failures_total ${failures}`,
      `meterflow_engine_alarm_events_total ${events}`,
    ];
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(`${lines.join('\n')}\n`);
  };

  const alarms = async (res: ServerResponse, q: URLSearchParams) => {
    const rule = q.get('rule'), severity = q.get('severity'), object = q.get('object');
    if (rule !== null && !(RULE_NAMES as readonly string[]).includes(rule)) return send(res, 400, { error: `rule ${rule}: one of ${RULE_NAMES.join(', ')}` });
    if (severity !== null && !(SEVERITIES as readonly string[]).includes(severity)) return send(res, 400, { error: `severity ${severity}: one of ${SEVERITIES.join(', ')}` });
    const f: AlarmFilter = { all: q.get('all') === 'true', ...(rule ? { rule: rule as RuleName } : {}), ...(severity ? { severity: severity as Severity } : {}), ...(object ? { object } : {}) };
    send(res, 200, await listAlarms(handle, f));
  };

  const stream = (res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.write(': meterflow alarm changes\n\n');
    streams.add(res);
    const keepalive = setInterval(() => write(res, ': keep-alive\n\n'), KEEPALIVE_MS);
    res.on('close', () => (clearInterval(keepalive), streams.delete(res)));
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://engine');
    const route = req.method !== 'GET' ? undefined
      : url.pathname === '/health' || url.pathname === '/' ? health(res)
      : url.pathname === '/metrics' ? metrics(res)
      : url.pathname === '/alarms' ? alarms(res, url.searchParams)
      : url.pathname === '/alarms/events' ? (stream(res), Promise.resolve())
      : undefined;
    if (!route) return send(res, 404, { error: 'not found: GET /health, /metrics, /alarms or /alarms/events' });
    route.catch((e: Error) => send(res, 503, { error: e.message, hint: 'check that the database answers (meterflow db status)' }));
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve));
  // After listening, a server error (a socket fault) is reported, never the end of the worker.
  server.on('error', (e) => opts.onError?.(e));

  return {
    port: (server.address() as AddressInfo).port,
    listener: (e) => {
      events++;
      const frame = `id: ${e.id}\nevent: alarm\ndata: ${JSON.stringify(e)}\n\n`;
      for (const s of streams) write(s, frame);
    },
    onPass: (pass) => {
      last = pass;
      passes++;
      if (pass.error) failures++;
    },
    close: () => {
      for (const s of streams) s.end();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// A client that stops reading is dropped once this much waits for it, not buffered without end.
const MAX_BUFFERED = 1 << 20;

/** Write to an event stream, ending it when its client has fallen too far behind. */
function write(res: ServerResponse, frame: string): void {
  if (res.writableLength > MAX_BUFFERED) res.destroy();
  else res.write(frame);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (!res.headersSent) res.writeHead(status, { 'content-type': 'application/json' }).end(`${JSON.stringify(body)}\n`);
}
