/**
 * A pseudo-terminal pair made by socat (`pty,raw,echo=0` twice): what one end writes the other
 * reads, like the two ends of a serial cable. The device paths come from socat's stderr.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

/** A running socat pty pair. */
export interface PtyPair {
  /** Device for the simulator. */
  a: string;
  /** Device for the collector. */
  b: string;
  close(): Promise<void>;
}

/** Whether a command is on the PATH. */
export function hasCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

/** Start socat and resolve with the two /dev/pts paths once both exist. */
export function openPtyPair(timeoutMs = 5000): Promise<PtyPair> {
  const proc: ChildProcess = spawn('socat', ['-d', '-d', 'pty,raw,echo=0', 'pty,raw,echo=0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let err = '';
    const paths: string[] = [];
    const timer = setTimeout(() => {
      proc.kill();
      reject(new Error(`socat gave no pty pair within ${timeoutMs} ms: ${err}`));
    }, timeoutMs);
    proc.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    proc.stderr!.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      for (const m of err.matchAll(/PTY is (\/dev\/\S+)/g)) if (!paths.includes(m[1]!)) paths.push(m[1]!);
      // "starting data transfer loop" means both ends are open and linked.
      if (paths.length >= 2 && err.includes('starting data transfer loop')) {
        clearTimeout(timer);
        resolve({
          a: paths[0]!,
          b: paths[1]!,
          close: () =>
            new Promise<void>((res) => {
              if (proc.exitCode !== null) return res();
              proc.once('exit', () => res());
              proc.kill();
            }),
        });
      }
    });
  });
}
