/**
 * Quality and provenance of derived figures (DESIGN.md §5): every figure says whether it is
 * actual, estimated (and how) or missing (and why), and from which raw rows it came.
 */

/** How an estimated figure was made. */
export type EstimationMethod = 'linear-interpolation' | 'manual-set' | 'manual-supplement';

/** Quality of one figure. */
export type Quality =
  | { readonly kind: 'actual' }
  | { readonly kind: 'estimated'; readonly methods: readonly EstimationMethod[] }
  | { readonly kind: 'missing'; readonly reasons: readonly string[] };

/** Quality of a figure computed from actual readings only. */
export const ACTUAL: Quality = { kind: 'actual' };

/** An estimated quality. */
export function estimated(method: EstimationMethod): Quality {
  return { kind: 'estimated', methods: [method] };
}

/** A missing quality with its reason (e.g. `no-reading`, `register-decrease`). */
export function missing(reason: string): Quality {
  return { kind: 'missing', reasons: [reason] };
}

function union<T>(a: readonly T[], b: readonly T[]): T[] {
  const out = [...a];
  for (const x of b) if (!out.includes(x)) out.push(x);
  return out.sort();
}

/** A register the meter does not read at all: absent by design, not missing data. */
export const NOT_READ: Quality = { kind: 'missing', reasons: ['not-read'] };

/** Whether a figure is absent only because its meter does not read the register. */
export function isNotRead(q: Quality): boolean {
  return q.kind === 'missing' && q.reasons.length === 1 && q.reasons[0] === 'not-read';
}

/** Quality of a figure built from two parts: missing beats estimated beats actual. */
export function combineQuality(a: Quality, b: Quality): Quality {
  if (a.kind === 'missing' || b.kind === 'missing') {
    const ra = a.kind === 'missing' ? a.reasons : [];
    const rb = b.kind === 'missing' ? b.reasons : [];
    return { kind: 'missing', reasons: union(ra, rb) };
  }
  if (a.kind === 'estimated' || b.kind === 'estimated') {
    const ma = a.kind === 'estimated' ? a.methods : [];
    const mb = b.kind === 'estimated' ? b.methods : [];
    return { kind: 'estimated', methods: union(ma, mb) };
  }
  return ACTUAL;
}

/** Why a piece of a figure came from where it did. */
export type SourceRole = 'own' | 'bypass' | 'manual-set' | 'manual-supplement';

/**
 * One contribution to a figure: the raw rows of `pointId` (as read by `meterId`) with
 * timestamps in [from, to], or a manual record (`adjustmentId`).
 */
export interface SourceRange {
  readonly pointId: string;
  readonly meterId?: string;
  readonly from: number;
  readonly to: number;
  readonly role: SourceRole;
  readonly adjustmentId?: string;
}
