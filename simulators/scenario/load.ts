/**
 * Reading a scenario file: YAML parsed with positions, validated with zod; every error names
 * the file, line, column and field path.
 */
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import type { z } from 'zod';
import { ScenarioSchema, type ScenarioFile } from './schema.ts';

/** A scenario file that did not validate; `issues` lists every problem found. */
export class ScenarioError extends Error {
  constructor(
    readonly file: string,
    readonly issues: { line: number; column: number; path: string; message: string }[],
  ) {
    super(issues.map((i) => `${file}:${i.line}:${i.column}: ${i.path || '(root)'}: ${i.message}`).join('\n'));
    this.name = 'ScenarioError';
  }
}

/** Position of the deepest node on `path` that exists in the document. */
function position(doc: Document, lines: LineCounter, path: readonly PropertyKey[]): { line: number; column: number } {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as unknown[], true);
    if (isNode(node) && node.range) {
      const p = lines.linePos(node.range[0]);
      return { line: p.line, column: p.col };
    }
  }
  return { line: 1, column: 1 };
}

/** Validate scenario text; `file` names it in errors. */
export function parseScenario(text: string, file: string): ScenarioFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length)
    throw new ScenarioError(
      file,
      doc.errors.map((e) => {
        const p = lines.linePos(e.pos[0]);
        return { line: p.line, column: p.col, path: '', message: e.message.split('\n')[0]! };
      }),
    );
  const result = ScenarioSchema.safeParse(doc.toJS());
  if (result.success) return result.data;
  throw new ScenarioError(
    file,
    result.error.issues.map((i: z.core.$ZodIssue) => {
      const p = position(doc, lines, i.path);
      return { line: p.line, column: p.column, path: i.path.map(String).join('.'), message: i.message };
    }),
  );
}

/** Read and validate a scenario file. */
export async function loadScenario(file: string): Promise<ScenarioFile> {
  return parseScenario(await readFile(file, 'utf8'), file);
}
