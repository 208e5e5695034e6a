/**
 * Resolution of canonical IR paths (see src/rulebook/condition/ir-path.ts) against event data.
 * Parsed paths are cached; the same lookup rule serves json-rules-engine (as its `pathResolver`)
 * and the compiled predicates, so both evaluators read attributes identically.
 */
import type { PathSegment } from "../../rulebook/condition/ast.js";
import { needsOwnCheck, parseIrPath, resolveSegments } from "../../rulebook/condition/ir-path.js";

const PARSED = new Map<string, readonly PathSegment[]>();

export function parsedPath(path: string): readonly PathSegment[] {
  let segs = PARSED.get(path);
  if (segs === undefined) {
    segs = parseIrPath(path);
    PARSED.set(path, segs);
  }
  return segs;
}

/** json-rules-engine `pathResolver`: plain key/index lookup, undefined when missing. */
export function resolvePath(value: object, path: string): unknown {
  return resolveSegments(value, parsedPath(path));
}

/** A getter for one parsed path (same rule as resolveSegments), specialised for string keys. */
export function pathGetter(segments: readonly PathSegment[]): (root: unknown) => unknown {
  if (!segments.every((s) => typeof s === "string") || segments.some((s) => needsOwnCheck(s as string))) {
    return (root) => resolveSegments(root, segments);
  }
  const keys = segments as readonly string[];
  if (keys.length === 1) {
    const k0 = keys[0] as string;
    return (root) => (root === null || typeof root !== "object" || Array.isArray(root) ? undefined : (root as Record<string, unknown>)[k0]);
  }
  if (keys.length === 2) {
    const k0 = keys[0] as string;
    const k1 = keys[1] as string;
    return (root) => {
      if (root === null || typeof root !== "object" || Array.isArray(root)) return undefined;
      const a = (root as Record<string, unknown>)[k0];
      if (a === null || typeof a !== "object" || Array.isArray(a)) return undefined;
      return (a as Record<string, unknown>)[k1];
    };
  }
  return (root) => {
    let cur = root;
    for (let i = 0; i < keys.length; i++) {
      if (cur === null || typeof cur !== "object" || Array.isArray(cur)) return undefined;
      cur = (cur as Record<string, unknown>)[keys[i] as string];
    }
    return cur;
  };
}

/**
 * Per-evaluation memo of resolved paths, shared by all predicates of one matcher: each distinct
 * (fact, path) gets a slot; `next()` starts a new evaluation (a new event).
 */
export class PathMemo {
  gen = 1;
  readonly values: unknown[] = [];
  readonly stamps: number[] = [];
  private readonly slots = new Map<string, number>();

  slot(key: string): number {
    let s = this.slots.get(key);
    if (s === undefined) {
      s = this.values.length;
      this.slots.set(key, s);
      this.values.push(undefined);
      this.stamps.push(0);
    }
    return s;
  }

  next(): void {
    this.gen++;
  }
}
