/**
 * The `meterflow` command: finds the subcommand, parses its options, runs it and maps errors
 * to exit codes (0 ok, 1 failed, 2 bad usage or input).
 */
import { InputError } from '../schema/index.ts';
import { EXIT, EXIT_CODES_HELP, UsageError, commandHelp, parseCommandArgs, type Command } from './command.ts';
import { commands } from './commands/index.ts';

function overview(): string {
  const width = Math.max(...commands.map((c) => c.path.join(' ').length + (c.args ? c.args.length + 1 : 0)));
  return [
    'meterflow — electric-energy data acquisition and billing',
    '',
    'Usage: meterflow <command> [options]   (meterflow <command> --help for its options)',
    '',
    'Commands:',
    ...commands.map((c) => `  ${`${c.path.join(' ')}${c.args ? ` ${c.args}` : ''}`.padEnd(width)}  ${c.summary}`),
    '',
    'Environment: DATABASE_URL (default: embedded PostgreSQL in MF_DATA_DIR or ./data), MQTT_URL (default: embedded broker).',
    EXIT_CODES_HELP,
  ].join('\n');
}

function find(argv: string[]): { cmd: Command; rest: string[] } | undefined {
  let best: { cmd: Command; rest: string[] } | undefined;
  for (const cmd of commands) {
    if (cmd.path.every((w, i) => argv[i] === w) && (!best || cmd.path.length > best.cmd.path.length)) {
      best = { cmd, rest: argv.slice(cmd.path.length) };
    }
  }
  return best;
}

/** Run the CLI with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    console.log(overview());
    return argv.length === 0 ? EXIT.usage : EXIT.ok;
  }
  const found = find(argv);
  if (!found) {
    const group = commands.filter((c) => c.path.length > 1 && c.path[0] === argv[0]).map((c) => `meterflow ${c.path.join(' ')}`);
    if (group.length > 0) {
      const what = argv.length > 1 ? `unknown subcommand '${argv.slice(0, 2).join(' ')}'` : 'name a subcommand';
      console.error(`meterflow ${argv[0]}: ${what}: ${group.join(', ')} (each takes --help)`);
      return EXIT.usage;
    }
    console.error(`meterflow: unknown command '${argv.join(' ')}'\n\n${overview()}`);
    return EXIT.usage;
  }
  const { cmd, rest } = found;
  try {
    const { positionals, values } = parseCommandArgs(cmd, rest);
    if (values.help) {
      console.log(commandHelp(cmd));
      return EXIT.ok;
    }
    return await cmd.run(positionals, values);
  } catch (e) {
    if (e instanceof UsageError) {
      const name = `meterflow ${cmd.path.join(' ')}`;
      console.error(`${name}: ${e.message}\n(${name} --help lists its options)`);
      return EXIT.usage;
    }
    // Edge parsers' errors list located problems (archive, readings, scenario, site config).
    if (e instanceof InputError) {
      console.error(`meterflow ${cmd.path.join(' ')}: the input was refused, nothing was written:\n${(e as Error).message}`);
      return EXIT.usage;
    }
    console.error(`meterflow ${cmd.path.join(' ')}: ${(e as Error).message}`);
    if (process.env.MF_DEBUG) console.error((e as Error).stack);
    return EXIT.failed;
  }
}
