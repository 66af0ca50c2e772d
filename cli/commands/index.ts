/** Every subcommand of `meterflow`. */
import type { Command } from '../command.ts';
import { dbCommands } from './db.ts';
import { importCommands } from './import.ts';
import { demoCommands } from './demo.ts';
import { settleCommands } from './settle.ts';
import { engineCommands } from './engine.ts';
import { alarmCommands } from './alarms.ts';
import { adjustCommands } from './adjust.ts';
import { collectorCommands } from './collector.ts';
import { simulateCommands } from './simulate.ts';

/** All subcommands, in the order `--help` lists them. */
export const commands: Command[] = [...demoCommands, ...dbCommands, ...importCommands, ...engineCommands, ...adjustCommands, ...alarmCommands, ...simulateCommands, ...settleCommands, ...collectorCommands];
