/**
 * Progress of long work: a bar on a terminal, a line every few seconds otherwise (logs, CI).
 */

/** Reports progress of `total` steps of `what`. */
export interface Progress {
  update(done: number, total?: number): void;
  done(message?: string): void;
}

/** A progress reporter writing to stderr. */
export function progress(what: string, total = 0, stream: NodeJS.WriteStream = process.stderr): Progress {
  const started = Date.now();
  let last = 0;
  let count = total;
  const tty = stream.isTTY === true;
  const line = (done: number) => {
    const pct = count > 0 ? Math.min(100, Math.floor((done / count) * 100)) : 0;
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    if (!tty) return `${what}: ${done}/${count} (${pct} %) ${secs} s`;
    const width = 30;
    const filled = Math.round((pct / 100) * width);
    return `\r${what} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pct}% ${done}/${count} ${secs}s`;
  };
  return {
    update(done, newTotal) {
      if (newTotal !== undefined) count = newTotal;
      const now = Date.now();
      if (tty ? now - last < 100 : now - last < 3000) return;
      last = now;
      stream.write(tty ? line(done) : line(done) + '\n');
    },
    done(message) {
      if (tty) stream.write(line(count) + '\n');
      if (message) stream.write(`${what}: ${message}\n`);
    },
  };
}
