/**
 * The collector daemon: load `site.yaml`, run a {@link Collector}, serve health, reload on
 * SIGHUP or when the file changes (a config that does not validate is reported and the running
 * one kept), stop gracefully on SIGINT/SIGTERM.
 */
import { watch, type FSWatcher } from 'node:fs';
import { ConfigError, loadSiteConfig, type SiteConfig } from '../config/index.ts';
import { Collector, type CollectorOptions } from './collector.ts';
import { serveHealth, type HealthServer } from './health-server.ts';

/** Options of the daemon. */
export interface DaemonOptions extends CollectorOptions {
  /** Path of site.yaml. */
  configPath: string;
  /** Health endpoint port (0 = any free port; omit to serve none). */
  healthPort?: number;
  /** Watch the config file and handle SIGHUP/SIGINT/SIGTERM (default true). */
  signals?: boolean;
  /** Told about reloads and refused configs. */
  onNotice?: (message: string) => void;
  /** Exit the process after a SIGINT/SIGTERM stop (default true; false: await `closed` instead). */
  exitOnSignal?: boolean;
  /** Told after each (re)start, with the collector now running (e.g. to point backfill at it). */
  onStarted?: (collector: Collector) => void;
}

/** A running daemon. */
export interface Daemon {
  /** The collector currently running. */
  readonly collector: Collector;
  /** The health endpoint, when served. */
  readonly health: HealthServer | undefined;
  /** Re-read the config; keep running on the old one if it does not validate. */
  reload(): Promise<void>;
  /** Stop everything gracefully. */
  stop(): Promise<void>;
  /** Resolves once the daemon has stopped (by `stop` or a signal). */
  readonly closed: Promise<void>;
}

/** Start the collector daemon for `options.configPath`. Rejects with {@link ConfigError} when the first config is invalid. */
export async function runDaemon(options: DaemonOptions): Promise<Daemon> {
  const notice = options.onNotice ?? ((m: string) => console.error(m));
  let site: SiteConfig = await loadSiteConfig(options.configPath);
  let collector = await Collector.start(site, options);
  options.onStarted?.(collector);
  let markClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (markClosed = resolve));
  const health = options.healthPort !== undefined ? await serveHealth(() => collector.healthSnapshot(), options.healthPort) : undefined;
  let watcher: FSWatcher | undefined;
  let reloading: Promise<void> = Promise.resolve();
  let stopped = false;

  const reload = (): Promise<void> => {
    reloading = reloading.then(async () => {
      if (stopped) return;
      let next: SiteConfig;
      try {
        next = await loadSiteConfig(options.configPath);
      } catch (e) {
        notice(`config not reloaded, keeping the running one:\n${e instanceof ConfigError ? e.message : String(e)}`);
        return;
      }
      if (JSON.stringify(next) === JSON.stringify(site)) return;
      await collector.stop();
      site = next;
      collector = await Collector.start(site, options);
      options.onStarted?.(collector);
      notice(`config reloaded: ${site.terminals.length} terminals`);
    });
    return reloading;
  };

  const onHup = (): void => void reload();
  const onTerm = (): void => void daemon.stop().then(() => (options.exitOnSignal === false ? undefined : process.exit(0)));
  if (options.signals !== false) {
    process.on('SIGHUP', onHup);
    process.on('SIGINT', onTerm);
    process.on('SIGTERM', onTerm);
    let debounce: NodeJS.Timeout | undefined;
    watcher = watch(options.configPath, () => {
      clearTimeout(debounce);
      debounce = setTimeout(() => void reload(), 200);
    });
  }

  const daemon: Daemon = {
    get collector() {
      return collector;
    },
    health,
    closed,
    reload,
    async stop() {
      if (stopped) return;
      stopped = true;
      watcher?.close();
      process.off('SIGHUP', onHup);
      process.off('SIGINT', onTerm);
      process.off('SIGTERM', onTerm);
      await reloading;
      await collector.stop();
      await health?.close();
      markClosed();
    },
  };
  return daemon;
}
