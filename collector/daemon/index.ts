/** The running collector: schedules, reads, backfills, takes pushes, writes, reports health. */
export { Collector, type CollectorOptions, type MeterResult, type BackfillResult, type ProfileWindow } from './collector.ts';
export { runDaemon, type Daemon, type DaemonOptions } from './run.ts';
export { serveHealth, healthStatus, metricsText, type HealthServer } from './health-server.ts';
export { openLinks, queueKey, type SiteLinks } from './links.ts';
export { WALL_CLOCK, acceleratedClock, type AcquisitionLogEntry, type CollectorClock, type CollectorHealth, type TerminalHealth } from './types.ts';
