/**
 * Loading `site.yaml`: YAML syntax and zod schema problems name the file, the line and the
 * field, all of them at once.
 */
import { readFile } from 'node:fs/promises';
import { LineCounter, isNode, parseDocument } from 'yaml';
import { siteSchema, type SiteConfig } from './site.ts';

/** One located problem in a config file. */
export interface ConfigProblem {
  /** File name. */
  file: string;
  /** 1-based line, when known. */
  line?: number;
  /** Field path such as `terminals[1].transport.port`. */
  field?: string;
  /** What is wrong. */
  message: string;
}

/** A config file that does not validate; `message` lists every problem as `file:line: field: message`. */
export class ConfigError extends Error {
  /** Every problem found. */
  readonly problems: ConfigProblem[];
  /** Build from the problems. */
  constructor(problems: ConfigProblem[]) {
    super(problems.map((p) => `${p.file}${p.line ? `:${p.line}` : ''}: ${p.field ? `${p.field}: ` : ''}${p.message}`).join('\n'));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

function fieldPath(path: readonly PropertyKey[]): string {
  return path.map((k, i) => (typeof k === 'number' ? `[${k}]` : `${i ? '.' : ''}${String(k)}`)).join('');
}

/** Parse and validate site config text; `file` is named in errors. */
export function parseSiteConfig(text: string, file = 'site.yaml'): SiteConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map((e) => ({ file, line: lines.linePos(e.pos[0]).line, message: e.message.split('\n')[0] ?? e.message })));
  }
  const result = siteSchema.safeParse(doc.toJS());
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      let line: number | undefined;
      for (let n = issue.path.length; n >= 0 && line === undefined; n--) {
        const node = doc.getIn(issue.path.slice(0, n) as unknown[], true);
        if (isNode(node) && node.range) line = lines.linePos(node.range[0]).line;
      }
      const field = fieldPath(issue.path);
      return { file, ...(line ? { line } : {}), ...(field ? { field } : {}), message: issue.message };
    }),
  );
}

/** Read and validate a site config file. */
export async function loadSiteConfig(path: string): Promise<SiteConfig> {
  return parseSiteConfig(await readFile(path, 'utf8'), path);
}
