/**
 * Reading a scenario file: YAML validated with zod at the edge; every error names the file,
 * line and field (schema's located-input parser, shared by every input file of meterflow).
 */
import { readFile } from 'node:fs/promises';
import { InputError, parseYaml } from '../../schema/index.ts';
import { ScenarioSchema, type ScenarioFile } from './schema.ts';

/** A scenario file that did not validate: an `InputError` listing every located problem. */
export { InputError as ScenarioError };

/** Validate scenario text; `file` names it in errors. */
export function parseScenario(text: string, file: string): ScenarioFile {
  return parseYaml(ScenarioSchema, text, file);
}

/** Read and validate a scenario file. */
export async function loadScenario(file: string): Promise<ScenarioFile> {
  return parseScenario(await readFile(file, 'utf8'), file);
}
