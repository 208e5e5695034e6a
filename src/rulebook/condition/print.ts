/**
 * Prints a condition AST back to condition text, fully parenthesized so the result parses to the
 * same tree in either precedence mode. parseCondition(printCondition(ast)) ≅ ast.
 */
import type { CondNode, PathSegment, ScalarValue } from "./ast.js";

const IDENT = /^[\p{L}_][\p{L}\p{N}_]*$/u;
const BAREWORD = /^[\p{L}_][\p{L}\p{N}_]*$/u;
const NOT_BARE = new Set(["and", "or", "not", "in", "contains", "is", "true", "True", "false", "False", "null", "event", "events", "fact", "facts", "vars"]);

export function printCondition(node: CondNode): string {
  switch (node.type) {
    case "Literal":
      return printLiteral(node.value, node.kind);
    case "List":
      return `[${node.items.map(printCondition).join(", ")}]`;
    case "Path":
      return node.root + node.segments.map(printSegment).join("");
    case "Arithmetic":
    case "Compare":
    case "Membership":
      return `(${printCondition(node.left)} ${node.op} ${printCondition(node.right)})`;
    case "IsDefined":
      return `(${printCondition(node.operand)} ${isWord(node.negated)} defined)`;
    case "Search": {
      const opts: string[] = [];
      if (node.options.ignorecase !== undefined) opts.push(`ignorecase=${node.options.ignorecase}`);
      if (node.options.multiline !== undefined) opts.push(`multiline=${node.options.multiline}`);
      const args = [printCondition(node.pattern), ...opts].join(", ");
      return `(${printCondition(node.operand)} ${isWord(node.negated)} ${node.kind}(${args}))`;
    }
    case "Select":
      return `(${printCondition(node.operand)} ${isWord(node.negated)} select(${printCondition(node.operator)}, ${printCondition(node.value)}))`;
    case "SelectAttr":
      return `(${printCondition(node.operand)} ${isWord(node.negated)} selectattr(${printCondition(node.key)}, ${printCondition(node.operator)}, ${printCondition(node.value)}))`;
    case "Not":
      return `(not ${printCondition(node.operand)})`;
    case "Logical":
      return `(${printCondition(node.left)} ${node.op} ${printCondition(node.right)})`;
    case "Assign":
      return `${node.alias.root}.${node.alias.name} << ${printCondition(node.condition)}`;
  }
}

function isWord(negated: boolean): string {
  return negated ? "is not" : "is";
}

function printLiteral(value: ScalarValue, kind: string): string {
  if (value === null) return "null";
  if (typeof value === "boolean") return String(value);
  if (typeof value === "number") {
    const s = String(value);
    return kind === "float" && /^-?\d+$/.test(s) ? `${s}.0` : s;
  }
  if (kind === "bareword" && BAREWORD.test(value) && !NOT_BARE.has(value)) return value;
  return quote(value);
}

function printSegment(seg: PathSegment): string {
  if (typeof seg === "number") return `[${seg}]`;
  return IDENT.test(seg) ? `.${seg}` : `[${quote(seg)}]`;
}

function quote(s: string): string {
  let out = '"';
  for (const ch of s) {
    if (ch === "\\") out += "\\\\";
    else if (ch === '"') out += '\\"';
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\f") out += "\\f";
    else out += ch;
  }
  return `${out}"`;
}
