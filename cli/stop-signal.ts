/**
 * SIGINT (Ctrl-C) and SIGTERM (systemd, docker, kill) both mean "stop cleanly": one place that
 * listens to both, so no command cleans up on one and is cut off by the other.
 */

/** Call `fn` (with the signal's name) on the first SIGINT or SIGTERM; returns a function that stops listening. */
export function onStopSignal(fn: (signal: 'SIGINT' | 'SIGTERM') => void): () => void {
  const handlers = (['SIGINT', 'SIGTERM'] as const).map((sig) => {
    const h = () => fn(sig);
    process.once(sig, h);
    return [sig, h] as const;
  });
  return () => {
    for (const [sig, h] of handlers) process.off(sig, h);
  };
}
