/**
 * The engine worker: claims dirty ranges, recomputes them and everything above, completes the
 * tasks; failures go back to the queue. Any number of workers in any number of processes.
 */
import { hostname } from 'node:os';
import type { Database } from '../../schema/index.ts';
import { claimWork, completeWork, DEFAULT_LEASE_MS, failWork, lockedMonths, outsideLocks, renewClaims, type DirtyRange } from '../tasks/index.ts';
import type { RecomputeOptions } from './recompute.ts';
import { recomputeBulk, type BulkStats } from './bulk.ts';

/** Options of a worker. */
export interface WorkerOptions extends RecomputeOptions {
  worker?: string;
  /** Tasks per claim (default 200). */
  batch?: number;
  /** A claim not renewed for this long is taken for a dead worker's (ms, default `DEFAULT_LEASE_MS`); renewed every third of it while working. */
  leaseMs?: number;
  /** Called after each recomputed batch (figures and alarms), e.g. to publish alarms. */
  onBatch?: (stats: BulkStats, work: DirtyRange[]) => Promise<void> | void;
  log?: (line: Record<string, unknown>) => void;
}

let seq = 0;
/** A worker id unique across hosts and processes. */
export function workerId(): string {
  return `${hostname()}:${process.pid}:${++seq}`;
}

/** Claim and recompute until no task is pending; returns the number of tasks done. */
export async function drainTasks(handle: Database, opts: WorkerOptions = {}): Promise<number> {
  const worker = opts.worker ?? workerId();
  const leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
  let done = 0;
  for (;;) {
    const work = await claimWork(handle, { worker, limit: opts.batch ?? 200, leaseMs });
    if (work.length === 0) return done;
    const ids = work.flatMap((w) => w.taskIds);
    const started = Date.now();
    try {
      const { log: _, ...recompute } = opts; // the worker logs its own structured lines
      // A claim may reach into a settled month (a range widened across a gap; an archive change
      // or re-import after settlement marks a ratio change's span up to now): the month stays as
      // settled, the task done all the same; reopening the month marks it dirty whole
      // (settlement/reopen.ts).
      const { value: stats, completed } = await holdingClaims(handle, worker, ids, leaseMs, async () => {
        const { ranges, locked } = await outsideLocks(handle, work);
        if (locked.length > 0) {
          opts.log?.({ msg: 'left as settled', worker, months: Object.fromEntries(lockedMonths(locked)), hint: 'reopen a month (meterflow settle --month M --reopen --reason "…") to recompute it' });
        }
        const stats = await recomputeBulk(handle, ranges, recompute);
        await opts.onBatch?.(stats, work);
        return stats;
      });
      done += completed;
      opts.log?.({ msg: 'recomputed', worker, tasks: ids.length, points: stats.points, intervals: stats.intervals, days: stats.days, months: stats.months, objects: stats.objectResults, alarms: stats.alarms, ms: Date.now() - started });
    } catch (e) {
      opts.log?.({ msg: 'recompute failed', level: 'error', worker, tasks: ids.length, error: (e as Error).message });
    }
  }
}

/**
 * Run `work` for the claimed tasks `taskIds` of `worker`: the claims are renewed every third of
 * the lease while it runs (so a long run is not taken for a dead worker's), completed when it
 * succeeds, and given back as failed when it throws (that error is rethrown, also when giving
 * the tasks back fails).
 */
export async function holdingClaims<T>(handle: Database, worker: string, taskIds: readonly string[], leaseMs: number, work: () => Promise<T>): Promise<{ value: T; completed: number }> {
  const renewing = setInterval(() => void renewClaims(handle, worker, taskIds).catch(() => undefined), leaseMs / 3);
  try {
    const value = await work();
    return { value, completed: await completeWork(handle, worker, taskIds) };
  } catch (e) {
    // The error to report stays the one that stopped the work: when giving the tasks back fails
    // too (the database away), their lease runs out and another pass claims them again.
    await failWork(handle, worker, taskIds, String((e as Error)?.message ?? e)).catch(() => undefined);
    throw e;
  } finally {
    clearInterval(renewing);
  }
}

/** What one pass of a running worker did: the tasks it completed, or why it failed. */
export interface WorkerPass {
  at: Date;
  tasks: number;
  error?: string;
}

/**
 * Run until `signal` aborts: drain, then poll for new tasks every `pollMs`. A pass that fails
 * (the database away) is logged and tried again at the next poll: the daemon does not stop.
 */
export async function runWorker(handle: Database, signal: AbortSignal, opts: WorkerOptions & { pollMs?: number; onPass?: (pass: WorkerPass) => void } = {}): Promise<void> {
  const worker = opts.worker ?? workerId();
  while (!signal.aborted) {
    try {
      opts.onPass?.({ at: new Date(), tasks: await drainTasks(handle, { ...opts, worker }) });
    } catch (e) {
      const error = (e as Error).message;
      opts.log?.({ msg: 'engine pass failed; trying again at the next poll', level: 'error', worker, error, hint: 'check that the database answers (meterflow db status)' });
      opts.onPass?.({ at: new Date(), tasks: 0, error });
    }
    await new Promise<void>((res) => {
      const t = setTimeout(res, opts.pollMs ?? 1000);
      signal.addEventListener('abort', () => (clearTimeout(t), res()), { once: true });
    });
  }
}
