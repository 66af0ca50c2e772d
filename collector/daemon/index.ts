/** The running collector: schedules, reads, backfills, takes pushes, writes, reports health. */
export { Collector, type CollectorOptions, type MeterResult, type BackfillResult } from './collector.ts';
export { runDaemon, type Daemon, type DaemonOptions } from './run.ts';
export { serveHealth, metricsText, type HealthServer } from './health-server.ts';
export { openLinks, queueKey, type SiteLinks } from './links.ts';
export type { AcquisitionLogEntry, CollectorHealth, TerminalHealth } from './types.ts';
