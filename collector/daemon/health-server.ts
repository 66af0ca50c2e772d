/** The health/metrics endpoint: `GET /health` (JSON) and `GET /metrics` (Prometheus text). */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CollectorHealth } from './types.ts';

/** A running health endpoint. */
export interface HealthServer {
  /** Bound port. */
  port: number;
  /** Stop serving. */
  close(): Promise<void>;
}

/** Prometheus text exposition of a health snapshot. */
export function metricsText(h: CollectorHealth): string {
  const lines: string[] = [];
  const esc = (s: string): string => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  lines.push(`meterflow_collector_terminals_online ${h.terminals.filter((t) => t.online).length}`);
  lines.push(`meterflow_collector_terminals_total ${h.terminals.length}`);
  for (const t of h.terminals) {
    lines.push(`meterflow_collector_terminal_online{terminal="${esc(t.id)}"} ${t.online ? 1 : 0}`);
    if (t.lastSuccess) lines.push(`meterflow_collector_terminal_last_success_seconds{terminal="${esc(t.id)}"} ${Math.floor(t.lastSuccess.getTime() / 1000)}`);
  }
  for (const [q, n] of Object.entries(h.queues)) lines.push(`meterflow_collector_queue_depth{queue="${esc(q)}"} ${n}`);
  lines.push(`meterflow_collector_spool_pending_bytes ${h.spool.pendingBytes}`);
  for (const [k, v] of Object.entries(h.writer)) lines.push(`meterflow_collector_rows_${k}_total ${v}`);
  lines.push(`meterflow_collector_readings_per_second ${h.readingsPerSecond}`);
  for (const [k, v] of Object.entries(h.errors)) lines.push(`meterflow_collector_errors_total{kind="${esc(k)}"} ${v}`);
  return `${lines.join('\n')}\n`;
}

/**
 * `ok` while some terminal answers (or there are none); `starting` while no terminal has been
 * tried yet within the first poll cycle (an aligned poll may be up to an interval away); `down`
 * otherwise — every terminal tried has failed, or none was heard from in the first cycle (an
 * MQTT terminal that never came online).
 */
export function healthStatus(h: CollectorHealth): 'ok' | 'starting' | 'down' {
  if (h.terminals.length === 0 || h.terminals.some((t) => t.online)) return 'ok';
  return h.starting && h.terminals.every((t) => t.lastSuccess === null && t.lastError === null) ? 'starting' : 'down';
}

/** Serve `snapshot()` on `host:port` (port 0 picks a free one). */
export async function serveHealth(snapshot: () => CollectorHealth, port = 0, host = '127.0.0.1'): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    try {
      const h = snapshot();
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/metrics') {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(metricsText(h));
      } else if (path === '/health' || path === '/') {
        const status = healthStatus(h);
        res.writeHead(status === 'down' ? 503 : 200, { 'content-type': 'application/json' }).end(JSON.stringify({ status, ...h }));
      } else res.writeHead(404).end();
    } catch (e) {
      res.writeHead(500).end(String((e as Error)?.message ?? e));
    }
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
