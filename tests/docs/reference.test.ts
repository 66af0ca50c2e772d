/**
 * The config reference (docs/config/*.md) cannot drift: each page's generated part must equal
 * what the zod schemas give now, and each page's sample file must pass meterflow's own loader.
 */
import { describe, expect, it } from 'vitest';
import { CONFIG_PAGES, REGENERATE, expectedPage, samplePart, splitPage } from '../../docs/reference/index.ts';

describe.each(CONFIG_PAGES.map((p) => [p.file, p] as const))('%s', (file, page) => {
  it('matches its schema', async () => {
    const { actual, expected } = await expectedPage(page);
    const a = actual.split('\n');
    const e = expected.split('\n');
    const at = e.findIndex((line, i) => line !== a[i]);
    const where = at < 0 ? '' : ` (line ${at + 1}: expected "${e[at]}", found "${a[at] ?? ''}")`;
    expect(actual === expected, `${file} differs from ${page.schemaName}${where}; run \`${REGENERATE}\` and commit the page`).toBe(true);
  });

  it('has a complete sample that the loader accepts', async () => {
    const { actual } = await expectedPage(page);
    const sample = samplePart(splitPage(actual, file).prose, file);
    expect(() => page.validateSample(sample, `${file} (sample)`)).not.toThrow();
  });

  it('documents every top-level field', async () => {
    const { actual } = await expectedPage(page);
    const shape = (page.schema as unknown as { def?: { shape?: object; in?: { def?: { shape?: object } } } }).def;
    const fields = Object.keys(shape?.shape ?? shape?.in?.def?.shape ?? {});
    expect(fields.length).toBeGreaterThan(0);
    for (const f of fields) expect(actual, `${file} lacks ${f}`).toContain(`| \`${f}\` |`);
  });
});
