/** A socat pty pair: two /dev/pts paths wired back to back. */
import { spawn, type ChildProcess } from 'node:child_process';

export interface PtyPair {
  a: string;
  b: string;
  close(): void;
}

export function ptyPair(): Promise<PtyPair> {
  return new Promise((resolve, reject) => {
    const proc: ChildProcess = spawn('socat', ['-d', '-d', 'pty,raw,echo=0', 'pty,raw,echo=0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    proc.once('error', reject);
    proc.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const paths = [...err.matchAll(/PTY is (\S+)/g)].map((m) => m[1]!);
      if (paths.length === 2 && err.includes('starting data transfer')) {
        proc.stderr!.removeAllListeners('data');
        proc.stderr!.resume();
        resolve({ a: paths[0]!, b: paths[1]!, close: () => proc.kill() });
      }
    });
  });
}
