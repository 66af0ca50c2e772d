/**
 * What every subcommand declares: its options with defaults and descriptions (so help is
 * generated and cannot drift) and a `run` that returns an exit code.
 */
import { parseArgs } from 'node:util';

/** One option of a subcommand. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  description: string;
  default?: string | boolean;
  short?: string;
}

/** A subcommand such as `db status` or `import readings`. */
export interface Command {
  /** Words after `meterflow`, e.g. `['import', 'readings']`. */
  path: string[];
  /** Positional arguments, e.g. `<file.csv>`. */
  args?: string;
  summary: string;
  options?: Record<string, OptionSpec>;
  run(positionals: string[], options: Record<string, string | boolean | undefined>): Promise<number>;
}

/** Exit codes, as documented in `meterflow --help`. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** The exit codes' line of every help text. */
export const EXIT_CODES_HELP = 'Exit codes: 0 ok, 1 failed, 2 bad usage or input.';

/** Thrown for bad usage: printed with a pointer to the command's help, exit code 2. */
export class UsageError extends Error {}

/** Help text of one command. */
export function commandHelp(cmd: Command): string {
  const lines = [`meterflow ${cmd.path.join(' ')}${cmd.args ? ` ${cmd.args}` : ''}`, '', `  ${cmd.summary}`, ''];
  const opts = Object.entries(cmd.options ?? {});
  if (opts.length > 0) {
    lines.push('Options:');
    for (const [name, o] of opts) {
      const flag = `  ${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ' <value>' : ''}`;
      const def = o.default !== undefined ? ` (default: ${String(o.default)})` : '';
      lines.push(`${flag.padEnd(30)} ${o.description}${def}`);
    }
  }
  lines.push(`  ${'-h, --help'.padEnd(28)} show this help`, '', EXIT_CODES_HELP);
  return lines.join('\n');
}

/** Parse a command's options; unknown options and extra arguments are a usage error. */
export function parseCommandArgs(cmd: Command, argv: string[]): { positionals: string[]; values: Record<string, string | boolean | undefined> } {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, o] of Object.entries(cmd.options ?? {})) options[name] = { type: o.type, ...(o.short ? { short: o.short } : {}) };
  try {
    const { positionals, values } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    // A stray word is most often a misspelt option value (`--from 2026-10-01 2026-10-31`): refuse it, do not ignore it.
    const extra = positionals[cmd.args ? 1 : 0];
    if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}'${cmd.args ? ` (this command takes one: ${cmd.args})` : ''}`);
    for (const [name, o] of Object.entries(cmd.options ?? {})) if (values[name] === undefined && o.default !== undefined) (values as Record<string, unknown>)[name] = o.default;
    return { positionals, values: values as Record<string, string | boolean | undefined> };
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
