/**
 * Regressions as data: each folder in tests/cases/ holds a `command` (meterflow arguments,
 * `{dir}` standing for the folder; several lines are steps run in order, each but the last
 * expected to succeed), its input files, the expected `exit-code` of the last step and, where it
 * matters, `expected-stdout.txt` / `expected-stderr.txt`, in which `{*}` stands for any text
 * within a line (an id, a time of day). Each case runs the real CLI against a fresh database
 * holding the example archive.
 */
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { importArchiveFile } from '../schema/index.ts';
import { dbTargets, freshDatabase } from './support/db.ts';

const run = promisify(execFile);
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const root = 'tests/cases';

describe('regression cases', () => {
  for (const name of readdirSync(root).sort()) {
    const dir = join(root, name);
    it(name, async () => {
      const h = await freshDatabase(dbTargets()[0]!);
      try {
        await importArchiveFile(h, 'examples/archive.yaml');
        const fill = (s: string) => s.replaceAll('{dir}', dir).trim();
        const step = (line: string) => run('node', ['cli/bin.js', ...line.split(/\s+/)], { env: { ...process.env, DATABASE_URL: h.url } }).then(
          (ok) => ({ code: 0, stdout: ok.stdout, stderr: ok.stderr }),
          (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
        );
        const steps = fill(readFileSync(join(dir, 'command'), 'utf8')).split('\n').map((l) => l.trim()).filter(Boolean);
        expect(steps.length, `${dir}/command names no meterflow command`).toBeGreaterThan(0);
        for (const line of steps.slice(0, -1)) {
          const r = await step(line);
          expect(r.code, `${line}: ${r.stderr}`).toBe(0);
        }
        const r = await step(steps.at(-1)!);
        expect(r.code, r.stderr).toBe(Number(readFileSync(join(dir, 'exit-code'), 'utf8')));
        for (const [file, out] of [['expected-stdout.txt', r.stdout], ['expected-stderr.txt', r.stderr]] as const) {
          const p = join(dir, file);
          if (!existsSync(p)) continue;
          const want = fill(readFileSync(p, 'utf8'));
          if (want.includes('{*}')) expect(out.trim()).toMatch(new RegExp(`^${want.split('{*}').map(escape).join('[^\\n]*')}$`));
          else expect(out.trim()).toBe(want);
        }
        // A refused input file is named with its line.
        if (r.code !== 0 && readdirSync(dir).some((f) => f.startsWith('input.'))) expect(r.stderr).toMatch(new RegExp(`${escape(dir)}/input\\.\\w+:\\d+`));
      } finally {
        await h.close();
      }
    });
  }
});
