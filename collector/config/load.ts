/**
 * Loading `site.yaml`: YAML syntax and zod schema problems name the file, the line and the
 * field, all of them at once (schema's located-input parser, shared by every input file).
 */
import { readFile } from 'node:fs/promises';
import { InputError, parseYaml, type InputProblem } from '../../schema/index.ts';
import { siteSchema, type SiteConfig } from './site.ts';

/** A config file that does not validate: an `InputError` listing every located problem. */
export { InputError as ConfigError, type InputProblem as ConfigProblem };

/** Parse and validate site config text; `file` is named in errors. */
export function parseSiteConfig(text: string, file = 'site.yaml'): SiteConfig {
  return parseYaml(siteSchema, text, file);
}

/** Read and validate a site config file. */
export async function loadSiteConfig(path: string): Promise<SiteConfig> {
  return parseSiteConfig(await readFile(path, 'utf8'), path);
}
