/**
 * Input from outside is parsed once, at the edge, and every problem names where it is: file,
 * line and field. `InputError` carries all problems of one file so a user fixes them in one go.
 */
import { LineCounter, parseDocument, isMap, isNode, isScalar } from 'yaml';
import type { z } from 'zod';

/** One problem in an input file. */
export interface InputProblem {
  file: string;
  line?: number;
  field?: string;
  message: string;
}

/** Bad input: every problem found, each located. Exit code 2 at the CLI. */
export class InputError extends Error {
  readonly problems: InputProblem[];
  constructor(problems: InputProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'InputError';
    this.problems = problems;
  }
}

/** `file:line: field: message` */
export function formatProblem(p: InputProblem): string {
  return `${p.file}${p.line ? `:${p.line}` : ''}: ${p.field ? `${p.field}: ` : ''}${p.message}`;
}

/** A path as a user reads it: `points[2].ctRatio`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.map((k, i) => (typeof k === 'number' ? `[${k}]` : `${i ? '.' : ''}${String(k)}`)).join('');
}

/**
 * Parse YAML text and validate it with a zod schema; problems (syntax or schema) name the file,
 * the line of the offending node and the field path.
 */
export function parseYaml<S extends z.ZodType>(schema: S, text: string, file: string): z.output<S> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new InputError(doc.errors.map((e) => ({ file, line: lineCounter.linePos(e.pos[0]).line, message: e.message.split('\n')[0]! })));
  }
  const result = schema.safeParse(doc.toJS());
  if (result.success) return result.data;
  const located = (path: readonly PropertyKey[], message: string): InputProblem => {
    // Point at the deepest node that exists along the path.
    let line: number | undefined;
    for (let n = path.length; n >= 0 && line === undefined; n--) {
      const node = doc.getIn(path.slice(0, n) as unknown[], true);
      if (isNode(node) && node.range) line = lineCounter.linePos(node.range[0]).line;
    }
    return { file, line, field: fieldPath(path) || undefined, message };
  };
  // An unknown field (a typo, most often) is named and found on the line of its key.
  const unknownField = (path: readonly PropertyKey[], key: string): InputProblem => {
    const parent = doc.getIn(path as unknown[], true);
    const pair = isMap(parent) ? parent.items.find((p) => isScalar(p.key) && String(p.key.value) === key) : undefined;
    const at = isScalar(pair?.key) && pair.key.range ? lineCounter.linePos(pair.key.range[0]).line : undefined;
    const problem = located([...path, key], 'unknown field: correct its spelling or remove it');
    return at !== undefined ? { ...problem, line: at } : problem;
  };
  throw new InputError(
    result.error.issues.flatMap((issue) =>
      issue.code === 'unrecognized_keys' ? issue.keys.map((k) => unknownField(issue.path, k)) : [located(issue.path, issue.message)],
    ),
  );
}

/** Line of a YAML node at `path` in `text` (for problems found after schema validation). */
export function yamlLineOf(text: string, path: readonly PropertyKey[]): number | undefined {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const node = doc.getIn(path as unknown[], true);
  return isNode(node) && node.range ? lineCounter.linePos(node.range[0]).line : undefined;
}
