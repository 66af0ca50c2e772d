/** Exponential back-off with full jitter between retries. */

/** Back-off tuning. */
export interface BackoffOptions {
  /** First delay, ms (default 200). */
  baseMs?: number;
  /** Largest delay, ms (default 5000). */
  maxMs?: number;
  /** Random source in [0, 1) (injectable; default Math.random). */
  random?: () => number;
}

/** Delay before retry number `attempt` (1 = first retry): random in [base·2^(attempt−1) / 2, base·2^(attempt−1)], capped. */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const base = options.baseMs ?? 200;
  const max = options.maxMs ?? 5000;
  const ceiling = Math.min(max, base * 2 ** Math.max(0, attempt - 1));
  return ceiling / 2 + (options.random ?? Math.random)() * (ceiling / 2);
}

/** Sleep `ms`, ending early (rejecting) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
