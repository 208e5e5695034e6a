/** One step of an alignment of two lists: kept in both, only expected (-), only actual (+). */
export type DiffOp =
  | { readonly kind: "equal"; readonly a: number; readonly b: number }
  | { readonly kind: "delete"; readonly a: number }
  | { readonly kind: "insert"; readonly b: number };

/**
 * Align `a` (expected) and `b` (actual) on a longest common subsequence. Deletions come before
 * insertions at each change, as in a unified diff.
 */
export function diffLists(a: readonly string[], b: readonly string[]): DiffOp[] {
  const n = a.length;
  const m = b.length;
  // lcs[i][j] = LCS length of a[i..] and b[j..]
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    const row = lcs[i]!;
    const below = lcs[i + 1]!;
    for (let j = m - 1; j >= 0; j--) row[j] = a[i] === b[j] ? below[j + 1]! + 1 : Math.max(below[j]!, row[j + 1]!);
  }
  const ops: DiffOp[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      ops.push({ kind: "equal", a: i++, b: j++ });
    } else if (j >= m || (i < n && lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      ops.push({ kind: "delete", a: i++ });
    } else {
      ops.push({ kind: "insert", b: j++ });
    }
  }
  return ops;
}

export interface DiffLine {
  readonly marker: " " | "-" | "+";
  readonly text: string;
  readonly note?: string;
}

/**
 * Unified-diff style lines: `-` expected only, `+` actual only, ` ` both. Short diffs (up to
 * `fullUpTo` lines) are shown whole; in longer ones unchanged lines further than `context` from a
 * change are folded into a `… N unchanged` line.
 */
export function renderDiff(ops: readonly DiffOp[], line: (op: DiffOp) => DiffLine, context = 3, fullUpTo = 20): DiffLine[] {
  const keep = ops.map(() => ops.length <= fullUpTo);
  ops.forEach((op, k) => {
    if (op.kind === "equal") return;
    for (let d = Math.max(0, k - context); d <= Math.min(ops.length - 1, k + context); d++) keep[d] = true;
  });
  const out: DiffLine[] = [];
  let skipped = 0;
  ops.forEach((op, k) => {
    if (!keep[k]) {
      skipped++;
      return;
    }
    if (skipped > 0) out.push({ marker: " ", text: `… ${skipped} unchanged` });
    skipped = 0;
    out.push(line(op));
  });
  if (skipped > 0) out.push({ marker: " ", text: `… ${skipped} unchanged` });
  return out;
}
