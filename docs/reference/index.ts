/**
 * The config reference pages (`docs/config/*.md`): hand-written prose with a complete sample
 * file above a marker, field tables generated from the zod schemas below it.
 *
 *   npx tsx docs/reference/index.ts --check   # exit 1 when a page differs from the schemas
 *   npx tsx docs/reference/index.ts --write   # regenerate the part below the marker
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { parseSiteConfig, siteSchema } from '../../collector/index.ts';
import { archiveSchema, parseArchive, tariffSpecSchema } from '../../schema/index.ts';
import { ScenarioSchema, parseScenario } from '../../simulators/index.ts';
import { parseTariff } from '../../calc-engine/settlement/index.ts';
import { referenceMarkdown } from './tables.ts';

/** The command that regenerates the pages. */
export const REGENERATE = 'npx tsx docs/reference/index.ts --write';

/** Separates the hand-written prose from the generated tables. */
export const MARKER = `<!-- generated below: do not edit; run \`${REGENERATE}\` -->`;

/** One config file kind and its page. */
export interface ConfigPage {
  /** Page path from the repository root. */
  file: string;
  /** Name of the schema, shown above the tables. */
  schemaName: string;
  schema: z.ZodType;
  /** Validate the page's sample file with the loader meterflow uses (throws on a problem). */
  validateSample(text: string, file: string): void;
}

/** Every config reference page. */
export const CONFIG_PAGES: readonly ConfigPage[] = [
  { file: 'docs/config/site.md', schemaName: 'siteSchema (collector/config/site.ts)', schema: siteSchema, validateSample: (t, f) => void parseSiteConfig(t, f) },
  { file: 'docs/config/archive.md', schemaName: 'archiveSchema (schema/archive.ts)', schema: archiveSchema, validateSample: (t, f) => void parseArchive(t, f) },
  { file: 'docs/config/scenario.md', schemaName: 'ScenarioSchema (simulators/scenario/schema.ts)', schema: ScenarioSchema, validateSample: (t, f) => void parseScenario(t, f) },
  {
    file: 'docs/config/tariffs.md',
    schemaName: 'tariffSpecSchema (schema/tariff-spec.ts)',
    schema: tariffSpecSchema,
    validateSample(text, file) {
      for (const { id, name, effectiveFrom, effectiveTo, ...spec } of parseArchive(text, file).tariffs) {
        parseTariff({ id, name, effectiveFrom, effectiveTo: effectiveTo ?? null, spec });
      }
    },
  },
];

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The generated part of a page (everything after the marker line). */
export function generatedPart(page: ConfigPage): string {
  return `\n## Fields\n\nGenerated from \`${page.schemaName}\`: one table per object, nested objects after their parent. A field left out takes its default.\n\n${referenceMarkdown(page.schema, 'Top level')}`;
}

/** Split a page into its prose (up to and including the marker) and the rest. */
export function splitPage(text: string, file: string): { prose: string; generated: string } {
  const at = text.indexOf(MARKER);
  if (at < 0) throw new Error(`${file}: the marker line is missing; put "${MARKER}" under the prose`);
  return { prose: text.slice(0, at + MARKER.length), generated: text.slice(at + MARKER.length) };
}

/** The page's first ```yaml block: its complete sample file. */
export function samplePart(prose: string, file: string): string {
  const m = /```yaml\n([\s\S]*?)```/.exec(prose);
  if (!m) throw new Error(`${file}: no \`\`\`yaml sample in the prose`);
  return m[1]!;
}

/** What the page should contain, from its current prose and the schema. */
export async function expectedPage(page: ConfigPage): Promise<{ actual: string; expected: string }> {
  const actual = await readFile(ROOT + page.file, 'utf8');
  return { actual, expected: splitPage(actual, page.file).prose + generatedPart(page) };
}

async function cli(argv: string[]): Promise<number> {
  const write = argv.includes('--write');
  if (!write && !argv.includes('--check')) {
    console.error('usage: npx tsx docs/reference/index.ts --check | --write');
    return 2;
  }
  let stale = 0;
  for (const page of CONFIG_PAGES) {
    const { actual, expected } = await expectedPage(page);
    page.validateSample(samplePart(expected, page.file), `${page.file} (sample)`);
    if (actual === expected) continue;
    if (write) {
      await writeFile(ROOT + page.file, expected);
      console.log(`wrote ${page.file}`);
    } else {
      console.error(`${page.file} differs from its schema; run \`${REGENERATE}\``);
      stale++;
    }
  }
  return stale > 0 ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = await cli(process.argv.slice(2));
