/**
 * Canonical IR path strings: identifier keys joined with ".", other keys as ["json string"],
 * indexes as [n]. `alert.labels["gpu-type"][0]`, `list[-1]`, `["http://x"].a`.
 */
import type { PathSegment } from "./ast.js";

const IDENT = /^[\p{L}_][\p{L}\p{N}_]*$/u;

export function formatIrPath(segments: readonly PathSegment[]): string {
  let out = "";
  for (const seg of segments) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (IDENT.test(seg)) out += out === "" ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** Inverse of formatIrPath. Throws on a malformed path (IR is machine-written). */
export function parseIrPath(path: string): PathSegment[] {
  const segs: PathSegment[] = [];
  let i = 0;
  const n = path.length;
  const readIdent = (): void => {
    const start = i;
    while (i < n && path[i] !== "." && path[i] !== "[") i++;
    const name = path.slice(start, i);
    if (name === "") throw new Error(`malformed IR path '${path}' at ${start}`);
    segs.push(name);
  };
  if (n > 0 && path[0] !== "[") readIdent();
  while (i < n) {
    const ch = path[i];
    if (ch === ".") {
      i++;
      readIdent();
    } else if (ch === "[") {
      if (path[i + 1] === '"') {
        let j = i + 2;
        while (j < n && path[j] !== '"') j += path[j] === "\\" ? 2 : 1;
        segs.push(JSON.parse(path.slice(i + 1, j + 1)) as string);
        i = j + 1;
      } else {
        const close = path.indexOf("]", i);
        if (close < 0) throw new Error(`malformed IR path '${path}'`);
        const num = Number(path.slice(i + 1, close));
        if (!Number.isInteger(num)) throw new Error(`malformed IR path '${path}'`);
        segs.push(num);
        i = close;
      }
      if (path[i] !== "]") throw new Error(`malformed IR path '${path}'`);
      i++;
    } else {
      throw new Error(`malformed IR path '${path}' at ${i}`);
    }
  }
  return segs;
}

/**
 * Keys that exist on Object.prototype ("constructor", "toString", "__proto__", …) must be own
 * properties to count; any other key can only be found on a JSON object as an own property, so
 * a plain read is exact for event data and cheaper than a hasOwnProperty call.
 */
export function needsOwnCheck(key: string): boolean {
  return key in Object.prototype;
}

/** Looks a parsed path up in a JSON value: keys of (non-array) objects, integer indexes of arrays. */
export function resolveSegments(root: unknown, segments: readonly PathSegment[]): unknown {
  let cur: unknown = root;
  for (let k = 0; k < segments.length; k++) {
    const seg = segments[k] as PathSegment;
    if (cur === null || typeof cur !== "object") return undefined;
    if (typeof seg === "number") {
      if (!Array.isArray(cur)) return undefined;
      const idx = seg < 0 ? cur.length + seg : seg;
      if (idx < 0 || idx >= cur.length) return undefined;
      cur = cur[idx];
    } else {
      if (Array.isArray(cur) || (needsOwnCheck(seg) && !Object.prototype.hasOwnProperty.call(cur, seg))) return undefined;
      cur = (cur as Record<string, unknown>)[seg];
    }
  }
  return cur;
}
