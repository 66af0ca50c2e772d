/**
 * CLI consistency: `meterflow --help` and every subcommand's `--help` exit 0 and list each
 * option with its description and default; unknown commands and options exit 2; the exit codes
 * are documented in the help texts and the README.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { commands } from '../../cli/commands/index.ts';
import { main } from '../../cli/main.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EXIT_CODES = 'Exit codes: 0 ok, 1 failed, 2 bad usage or input.';

/** Run `node cli/bin.js ...args`; resolves to exit code and output. */
function meterflow(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['cli/bin.js', ...args], { cwd: ROOT, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Run `f` over `items`, two at a time (each run starts a Node process). */
async function eachLimited<T, R>(items: readonly T[], f: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i]!);
    }
  };
  await Promise.all([worker(), worker()]);
  return out;
}

describe('meterflow --help', { timeout: 180_000 }, () => {
  it('lists every command and the exit codes, exit 0', async () => {
    const r = await meterflow(['--help']);
    expect(r.code).toBe(0);
    for (const c of commands) expect(r.stdout).toContain(`  ${c.path.join(' ')}`);
    expect(r.stdout).toContain(EXIT_CODES);
  });

  it('each subcommand documents its options with defaults, exit 0', async () => {
    const runs = await eachLimited(commands, async (c) => ({ c, r: await meterflow([...c.path, '--help']) }));
    for (const { c, r } of runs) {
      const name = `meterflow ${c.path.join(' ')} --help`;
      expect(r.code, `${name}: ${r.stderr}`).toBe(0);
      expect(r.stdout, name).toContain(`meterflow ${c.path.join(' ')}`);
      expect(r.stdout, name).toContain(EXIT_CODES);
      expect(c.summary.trim(), `${name}: summary`).not.toBe('');
      for (const [opt, spec] of Object.entries(c.options ?? {})) {
        expect(spec.description.trim(), `${name}: --${opt} lacks a description`).not.toBe('');
        const line = r.stdout.split('\n').find((l) => new RegExp(`^\\s+(-\\w, )?--${opt}( <value>)?\\s`).test(l));
        expect(line, `${name}: --${opt} not listed`).toBeDefined();
        expect(line, name).toContain(spec.description);
        if (spec.default !== undefined) expect(line, `${name}: --${opt} default`).toContain(`(default: ${String(spec.default)})`);
      }
    }
  });
});

describe('bad usage exits 2', { timeout: 180_000 }, () => {
  it('an unknown command', async () => {
    const r = await meterflow(['no-such-command']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'no-such-command'");
  });

  it('a command group without its subcommand', async () => {
    const r = await meterflow(['db']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('meterflow db migrate');
  });

  it('an unknown option (the process)', async () => {
    const r = await meterflow(['db', 'status', '--no-such-option']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Unknown option '--no-such-option'");
  });

  it('an unknown option, on every command (in process: one parser, nothing runs)', async () => {
    const errors: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((m: unknown) => void errors.push(String(m)));
    try {
      for (const c of commands) {
        errors.length = 0;
        expect(await main([...c.path, '--no-such-option']), `meterflow ${c.path.join(' ')} --no-such-option`).toBe(2);
        expect(errors.join('\n')).toContain('--no-such-option');
      }
    } finally {
      spy.mockRestore();
    }
  });
});

describe('documented exit codes', () => {
  it('the README states them', async () => {
    const readme = await readFile(`${ROOT}README.md`, 'utf8');
    expect(readme).toMatch(/Exit codes: 0 ok,\s+1 failed, 2 bad usage or input/);
  });
});
