/**
 * `dpath.get(obj, path, separator)` as the upstream filters call it: the path is split on the
 * separator after stripping leading separator characters (Python `str.lstrip`); each segment
 * selects dict keys, or list indexes written in decimal, that equal it or match it as an fnmatch
 * glob. Intermediate nodes count, so a path may end on a list or a dict. No match → not found;
 * more than one match (a glob that is ambiguous) → error, as dpath raises ValueError.
 * (dpath's `**` is not supported: it acts like `*` within one segment.)
 */
import { HookbookError } from "../../core/errors.js";
import { fnmatch, hasGlobChars } from "./fnmatch.js";
import { hasOwn, isPlainObject } from "./json-value.js";

export type Lookup = { readonly found: true; readonly value: unknown } | { readonly found: false };

const NOT_FOUND: Lookup = { found: false };
const INDEX = /^(?:0|[1-9][0-9]*)$/;

export function splitPath(path: string, separator: string): string[] {
  let start = 0;
  while (start < path.length && separator.includes(path[start] as string)) start += 1;
  return path.slice(start).split(separator);
}

function children(node: unknown, segment: string): unknown[] {
  const glob = hasGlobChars(segment);
  if (Array.isArray(node)) {
    if (!glob) return INDEX.test(segment) && Number(segment) < node.length ? [node[Number(segment)]] : [];
    const out: unknown[] = [];
    node.forEach((v, i) => {
      if (fnmatch(String(i), segment)) out.push(v);
    });
    return out;
  }
  if (isPlainObject(node)) {
    if (!glob) return hasOwn(node, segment) ? [node[segment]] : [];
    const out: unknown[] = [];
    for (const key of Object.keys(node)) if (key === segment || fnmatch(key, segment)) out.push(node[key]);
    return out;
  }
  return [];
}

export function getPath(root: unknown, path: string, separator = "."): Lookup {
  let nodes: unknown[] = [root];
  for (const segment of splitPath(path, separator)) {
    const next: unknown[] = [];
    for (const n of nodes) next.push(...children(n, segment));
    if (next.length === 0) return NOT_FOUND;
    nodes = next;
  }
  if (nodes.length > 1) {
    throw new HookbookError("HB_ERR_INVALID_PAYLOAD", `path '${path}' matches ${nodes.length} values in the event; a glob in the path must match exactly one`);
  }
  return { found: true, value: nodes[0] };
}
