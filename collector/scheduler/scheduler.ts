/**
 * The acquisition scheduler: one p-queue per bus or gateway, priorities (on-demand over
 * backfill over routine), a timeout per attempt, retries with back-off outside the queue, and a
 * circuit breaker per terminal.
 */
import { setMaxListeners } from 'node:events';
import PQueue from 'p-queue';
import { AcquisitionError } from '../modbus/index.ts';
import { backoffDelay, sleep, type BackoffOptions } from './backoff.ts';
import { CircuitBreaker, type BreakerOptions } from './breaker.ts';

/** Job priorities: larger runs first. */
export const PRIORITY = { routine: 0, backfill: 1, onDemand: 2 } as const;
/** A job priority name. */
export type PriorityName = keyof typeof PRIORITY;

/** One unit of acquisition work. */
export interface Job<T> {
  /** Queue key: the bus path or gateway host:port (one request at a time per bus). */
  queue: string;
  /** Terminal the job talks to (its breaker). */
  terminal: string;
  /** Priority. */
  priority: PriorityName;
  /** Short description for logs, e.g. `poll unit 3`. */
  label?: string;
  /** The work; must honour `signal` (aborted at the attempt timeout). */
  run: (signal: AbortSignal) => Promise<T>;
  /** Attempt timeout, ms (default from the scheduler). */
  timeoutMs?: number;
  /** Retries after the first attempt (default from the scheduler). */
  retries?: number;
  /** Told about each failed attempt that will be retried (to log bad frames even when a retry succeeds). */
  onRetry?: (e: unknown, attempt: number) => void;
}

/** Raised without touching the link when a terminal's breaker is open. */
export class CircuitOpenError extends Error {
  /** Build for `terminal`, open until `retryAt` (epoch ms). */
  constructor(readonly terminal: string, readonly retryAt: number | undefined) {
    super(`terminal ${terminal} is not answering; skipped until ${retryAt ? new Date(retryAt).toISOString() : 'the next probe'}`);
    this.name = 'CircuitOpenError';
  }
}

/** Raised when an attempt exceeds its timeout. */
export class JobTimeoutError extends Error {
  /** Build for `terminal` and the job label. */
  constructor(readonly terminal: string, label: string, ms: number) {
    super(`terminal ${terminal}: ${label} took longer than ${ms} ms`);
    this.name = 'JobTimeoutError';
  }
}

/** Scheduler tuning. */
export interface SchedulerOptions {
  /** Default attempt timeout, ms (default 10000). */
  timeoutMs?: number;
  /** Default retries (default 2). */
  retries?: number;
  /** Back-off between retries. */
  backoff?: BackoffOptions;
  /** Breaker tuning, shared by every terminal. */
  breaker?: BreakerOptions;
  /** Concurrency per queue key (default 1); e.g. a gateway's maxInFlight. */
  concurrency?: (queue: string) => number;
}

/** Whether an error says the terminal or link is down (counts against the breaker). */
export function isLinkFailure(e: unknown): boolean {
  return e instanceof JobTimeoutError || (e instanceof AcquisitionError && e.isLinkFailure);
}

/**
 * Whether retrying may help: not for Modbus exceptions (an illegal address stays illegal), nor
 * for errors that say so (`retryable: false`).
 */
export function isRetryable(e: unknown): boolean {
  if ((e as { retryable?: unknown })?.retryable === false) return false;
  return !(e instanceof AcquisitionError && e.kind === 'exception') && !(e instanceof CircuitOpenError);
}

/** Queues per bus/gateway and breakers per terminal. */
export class AcquisitionScheduler {
  private readonly queues = new Map<string, PQueue>();
  private readonly breakers = new Map<string, CircuitBreaker>();
  private closed = false;
  private readonly stopping = new AbortController();

  /** Create an empty scheduler. */
  constructor(private readonly options: SchedulerOptions = {}) {
    // Every running job listens for the stop; a site with many gateways runs many at once.
    setMaxListeners(0, this.stopping.signal);
  }

  /** The breaker of `terminal` (created closed on first use). */
  breaker(terminal: string): CircuitBreaker {
    let b = this.breakers.get(terminal);
    if (!b) this.breakers.set(terminal, (b = new CircuitBreaker(this.options.breaker)));
    return b;
  }

  /** Jobs waiting per queue key, for the health endpoint. */
  depths(): Record<string, number> {
    return Object.fromEntries([...this.queues].map(([k, q]) => [k, q.size + q.pending]));
  }

  private queue(key: string): PQueue {
    let q = this.queues.get(key);
    if (!q) this.queues.set(key, (q = new PQueue({ concurrency: this.options.concurrency?.(key) ?? 1 })));
    return q;
  }

  /**
   * Run `job` on its queue. Rejects at once with {@link CircuitOpenError} when the terminal's
   * breaker is open (on-demand jobs still go through as a probe when half-open); retries
   * retryable failures after a back-off spent outside the queue, so a failing terminal never
   * holds its bus while it waits.
   */
  async submit<T>(job: Job<T>): Promise<T> {
    const retries = job.retries ?? this.options.retries ?? 2;
    let lastError: unknown;
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) await sleep(backoffDelay(attempt, this.options.backoff), this.stopping.signal);
      try {
        return await this.attempt(job);
      } catch (e) {
        lastError = e;
        if (!isRetryable(e) || this.closed) break;
        if (attempt < retries) job.onRetry?.(e, attempt + 1);
      }
    }
    throw lastError;
  }

  private attempt<T>(job: Job<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('scheduler stopped'));
    const breaker = this.breaker(job.terminal);
    if (breaker.state === 'open') return Promise.reject(new CircuitOpenError(job.terminal, breaker.retryAt));
    const timeoutMs = job.timeoutMs ?? this.options.timeoutMs ?? 10_000;
    return this.queue(job.queue).add(
      async () => {
        if (!breaker.tryAcquire()) throw new CircuitOpenError(job.terminal, breaker.retryAt);
        const ac = new AbortController();
        const stop = (): void => ac.abort(new Error('scheduler stopped'));
        this.stopping.signal.addEventListener('abort', stop, { once: true });
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            const err = new JobTimeoutError(job.terminal, job.label ?? 'job', timeoutMs);
            ac.abort(err);
            reject(err);
          }, timeoutMs);
        });
        try {
          const result = await Promise.race([job.run(ac.signal), timeout]);
          breaker.success();
          return result;
        } catch (e) {
          if (isLinkFailure(e)) breaker.failure();
          else breaker.release();
          throw e;
        } finally {
          clearTimeout(timer);
          this.stopping.signal.removeEventListener('abort', stop);
        }
      },
      { priority: PRIORITY[job.priority] },
    ) as Promise<T>;
  }

  /** Stop: drop queued jobs, abort running ones, wait for the queues to empty. */
  async stop(): Promise<void> {
    this.closed = true;
    this.stopping.abort(new Error('scheduler stopped'));
    for (const q of this.queues.values()) q.clear();
    await Promise.all([...this.queues.values()].map((q) => q.onIdle()));
  }
}
