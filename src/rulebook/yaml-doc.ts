import { isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import type { Document, Node, Pair, Scalar } from "yaml";
import type { SourcePos } from "./model.js";

/** A parsed YAML file that can answer "where is this node" in 1-based line:col. */
export class YamlFile {
  readonly doc: Document.Parsed;
  private readonly lines = new LineCounter();

  constructor(
    readonly file: string,
    readonly text: string,
  ) {
    this.doc = parseDocument(text, { lineCounter: this.lines, prettyErrors: false, uniqueKeys: true });
  }

  posAt(offset: number): SourcePos {
    const p = this.lines.linePos(offset);
    return { file: this.file, line: p.line, col: p.col };
  }

  posOf(node: Node | Pair | null | undefined, fallback?: SourcePos): SourcePos {
    const range = node && "range" in node ? node.range : node && "key" in node ? (node.key as Node | null)?.range : undefined;
    if (range) return this.posAt(range[0]);
    return fallback ?? { file: this.file, line: 1, col: 1 };
  }

  /**
   * Position of a 0-based (line, col) offset inside a scalar's value (for errors inside a
   * condition string). Exact for plain and quoted one-line scalars; otherwise the scalar start.
   */
  posInScalar(node: Node | null | undefined, line: number, col: number): SourcePos {
    if (!node || !isScalar(node) || !node.range) return this.posOf(node);
    const start = this.posAt(node.range[0]);
    const source = this.text.slice(node.range[0], node.range[1]);
    const quoted = node.type === "QUOTE_DOUBLE" || node.type === "QUOTE_SINGLE";
    if ((node.type === "PLAIN" || quoted) && !source.includes("\n") && line === 1) {
      return { file: this.file, line: start.line, col: start.col + (quoted ? 1 : 0) + col - 1 };
    }
    if (node.type === "BLOCK_LITERAL" || node.type === "BLOCK_FOLDED") {
      // Block scalars start on the line after the indicator; each value line keeps its own line.
      const firstLine = this.posAt(node.range[0]).line + 1;
      const indent = /\n([ ]*)\S/.exec(source)?.[1]?.length ?? 0;
      return { file: this.file, line: firstLine + line - 1, col: indent + col };
    }
    return start;
  }
}

/** The value node stored under `key` of a mapping node. */
export function childNode(map: Node | null | undefined, key: string | number): Node | undefined {
  if (isMap(map)) {
    const pair = map.items.find((p) => isScalar(p.key) && String((p.key as Scalar).value) === String(key));
    return (pair?.value as Node | null | undefined) ?? undefined;
  }
  if (isSeq(map) && typeof key === "number") return (map.items[key] as Node | null | undefined) ?? undefined;
  return undefined;
}

/** The key node of `key` in a mapping (to point at the key itself). */
export function keyNode(map: Node | null | undefined, key: string): Node | undefined {
  if (!isMap(map)) return undefined;
  const pair = map.items.find((p) => isScalar(p.key) && String((p.key as Scalar).value) === key);
  return (pair?.key as Node | null | undefined) ?? undefined;
}
