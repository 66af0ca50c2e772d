/**
 * Markdown field tables from a zod schema: `z.toJSONSchema` (input side) walked into one table
 * per object — field, type, required or default, description, allowed values. Nested objects,
 * list items, map values and the variants of a `kind` union get their own sections.
 */
import { z } from 'zod';

/** The JSON Schema subset zod 4 emits for the config schemas. */
interface Node {
  type?: string;
  description?: string;
  default?: unknown;
  const?: unknown;
  enum?: unknown[];
  anyOf?: Node[];
  properties?: Record<string, Node>;
  required?: string[];
  additionalProperties?: Node | boolean;
  items?: Node;
  prefixItems?: Node[];
  minItems?: number;
  maxItems?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
}

/** One object's table. */
interface Section {
  title: string;
  description?: string;
  note?: string;
  rows: string[][];
}

const SAFE = Number.MAX_SAFE_INTEGER;

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const code = (v: unknown): string => `\`${typeof v === 'string' ? v : JSON.stringify(v)}\``;
const isEmpty = (n: Node): boolean => Object.keys(n).filter((k) => k !== 'description').length === 0;
const isObject = (n: Node): boolean => n.type === 'object' && n.properties !== undefined;
const kindOf = (n: Node): unknown => n.properties?.kind?.const;

/** Allowed values and bounds of a scalar, list or string node. */
function constraints(n: Node): string[] {
  const out: string[] = [];
  if (n.enum) out.push(`one of ${n.enum.map(code).join(', ')}`);
  if (n.const !== undefined) out.push(`exactly ${code(n.const)}`);
  if (n.exclusiveMinimum !== undefined) out.push(`> ${n.exclusiveMinimum}`);
  if (n.minimum !== undefined && n.minimum > -SAFE) out.push(`≥ ${n.minimum}`);
  if (n.exclusiveMaximum !== undefined) out.push(`< ${n.exclusiveMaximum}`);
  if (n.maximum !== undefined && n.maximum < SAFE) out.push(`≤ ${n.maximum}`);
  if (n.minLength !== undefined) out.push(n.minLength === 1 ? 'not empty' : `at least ${n.minLength} characters`);
  if (n.maxLength !== undefined) out.push(`at most ${n.maxLength} characters`);
  if (n.format) out.push(n.format === 'date' ? 'a date `YYYY-MM-DD`' : `format ${n.format}`);
  else if (n.pattern) out.push(`matches ${code(n.pattern)}`);
  if (n.minItems !== undefined && n.minItems > 0) out.push(`at least ${n.minItems} item${n.minItems === 1 ? '' : 's'}`);
  if (n.maxItems !== undefined) out.push(`at most ${n.maxItems} items`);
  return out;
}

/** Walks one schema, collecting sections. */
class Walker {
  readonly sections: Section[] = [];

  /** The type text of `n` at `path`; objects inside it become sections. */
  type(n: Node, path: string): { type: string; allowed: string[] } {
    if (n.anyOf) {
      const variants = n.anyOf.filter((v) => !isEmpty(v));
      if (variants.length > 1 && variants.every((v) => isObject(v) && kindOf(v) !== undefined)) {
        for (const v of variants) this.object(v, `${path} (kind: ${String(kindOf(v))})`);
        return { type: `object, by \`kind\`: ${variants.map((v) => code(kindOf(v))).join(', ')}; see \`${path} (kind: …)\``, allowed: [] };
      }
      if (variants.length > 1 && variants.every((v) => v.const !== undefined)) {
        return { type: [...new Set(variants.map((v) => typeof v.const))].join(' or '), allowed: [`one of ${variants.map((v) => code(v.const)).join(', ')}`] };
      }
      const parts = variants.map((v, i) => this.type(v, variants.length > 1 && isObject(v) ? `${path} (form ${i + 1})` : path));
      const several = parts.filter((p) => p.allowed.length > 0).length > 1;
      return { type: [...new Set(parts.map((p) => p.type))].join(' or '), allowed: parts.flatMap((p) => (several ? p.allowed.map((a) => `${p.type}: ${a}`) : p.allowed)) };
    }
    if (n.const !== undefined) return { type: typeof n.const === 'number' ? 'number' : typeof n.const, allowed: constraints(n) };
    if (n.type === 'array') {
      if (n.prefixItems) return { type: `list of ${n.prefixItems.length} (${n.prefixItems.map((p) => this.type(p, path).type).join(', ')})`, allowed: [] };
      const item = n.items ? this.type(n.items, `${path}[]`) : { type: 'any value', allowed: [] };
      return { type: `list of ${item.type}`, allowed: [...constraints(n), ...item.allowed.map((a) => `each: ${a}`)] };
    }
    if (n.type === 'object') {
      if (n.properties) {
        this.object(n, path);
        return { type: `object, see \`${path}\``, allowed: [] };
      }
      const value = typeof n.additionalProperties === 'object' ? this.type(n.additionalProperties, `${path}.<name>`) : { type: 'any value', allowed: [] };
      return { type: `map of name → ${value.type}`, allowed: value.allowed.map((a) => `each: ${a}`) };
    }
    if (isEmpty(n)) return { type: 'any value', allowed: [] };
    return { type: n.type ?? 'any value', allowed: constraints(n) };
  }

  /** Add the section of object `n` at `path` (its fields' nested sections follow it). */
  object(n: Node, path: string): void {
    const section: Section = { title: path, rows: [] };
    if (n.description) section.description = n.description;
    if (typeof n.additionalProperties === 'object') section.note = 'Other fields are allowed here (they are validated elsewhere, see the prose above).';
    this.sections.push(section);
    const required = new Set(n.required ?? []);
    for (const [name, field] of Object.entries(n.properties ?? {})) {
      const { type, allowed } = this.type(field, path === '' ? name : `${path}.${name}`);
      const d = field.default;
      const emptyObject = typeof d === 'object' && d !== null && !Array.isArray(d) && Object.keys(d).length === 0;
      const need = required.has(name) ? 'required' : d === undefined ? 'optional' : emptyObject ? 'optional (its defaults apply)' : `default ${code(d)}`;
      section.rows.push([code(name), type, need, field.description ?? '', allowed.join('; ')]);
    }
  }
}

/**
 * The default of a field whose schema transforms, as a file would give it, or undefined. zod
 * leaves such defaults out of the input side, as the default is an output value; it is shown when
 * writing it in the file gives the same value (a price `'2'`, an empty list), not when it is
 * converted (a capacity default of 100000000 hundredths would read as that many kWh).
 */
function inputDefault(inner: z.core.$ZodType, value: unknown): unknown {
  const parsed = z.safeParse(inner, value);
  const json = JSON.stringify(value);
  return parsed.success && json !== undefined && JSON.stringify(parsed.data) === json ? JSON.parse(json) : undefined;
}

/** The generated reference of `schema`: one `###` section per object, root first. */
export function referenceMarkdown(schema: z.ZodType, rootTitle: string): string {
  const root = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
    override: ({ zodSchema, jsonSchema }) => {
      const def = zodSchema._zod.def;
      if (def.type === 'default' && jsonSchema.default === undefined) {
        const shown = inputDefault(def.innerType, def.defaultValue);
        if (shown !== undefined) jsonSchema.default = shown;
      }
    },
  }) as Node;
  const walker = new Walker();
  walker.object(root, '');
  const out: string[] = [];
  for (const s of walker.sections) {
    out.push(`### ${s.title === '' ? rootTitle : `\`${s.title}\``}`, '');
    if (s.description) out.push(s.description, '');
    out.push('| field | type | required / default | description | allowed values |', '|---|---|---|---|---|');
    for (const r of s.rows) out.push(`| ${r.map(cell).join(' | ')} |`);
    out.push('');
    if (s.note) out.push(s.note, '');
  }
  return out.join('\n');
}
