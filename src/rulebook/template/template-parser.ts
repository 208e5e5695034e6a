/**
 * Statement-level parser: text, `{{ expr }}`, `{% if/elif/else/endif %}`, `{% for … in … [if …] %}`
 * `…{% else %}…{% endfor %}` and `{% set a = … %}` / `{% set a, b = … %}`. Other Jinja tags (macro,
 * include, extends, block, filter, with, call, break/continue …) are syntax errors.
 */
import type { Expr, Node, Target } from "./ast.js";
import { ExpressionParser } from "./expr-parser.js";
import { tokenize } from "./lexer.js";
import { TokenStream, describeToken } from "./token-stream.js";

const RESERVED_TARGETS: ReadonlySet<string> = new Set(["true", "false", "none", "True", "False", "None", "null", "loop"]);

export function parseTemplate(source: string): Node[] {
  const parser = new TemplateParser(new TokenStream(tokenize(source), source));
  return parser.parseAll();
}

class TemplateParser extends ExpressionParser {
  parseAll(): Node[] {
    const { nodes } = this.subparse([]);
    return nodes;
  }

  /** Parses nodes until a `{% name %}` with a name in `endNames`; that tag name is consumed and returned as `end`. */
  private subparse(endNames: readonly string[], opening?: string): { nodes: Node[]; end: string } {
    const s = this.stream;
    const nodes: Node[] = [];
    for (;;) {
      const t = s.current;
      if (t.type === "eof") {
        if (opening === undefined) return { nodes, end: "" };
        throw s.fail(
          `unexpected end of template, expected ${endNames.map((n) => `'${n}'`).join(" or ")} to close '${opening}'`,
          t,
        );
      }
      if (t.type === "text") {
        s.next();
        nodes.push({ kind: "text", text: t.value as string });
        continue;
      }
      if (t.type === "var_begin") {
        s.next();
        const expr = this.parseTuple();
        s.expectType("var_end", "end of print statement ('}}')");
        nodes.push({ kind: "output", expr });
        continue;
      }
      s.expectType("block_begin", "a tag");
      const tag = s.expectName("a tag name");
      if (endNames.includes(tag.value)) return { nodes, end: tag.value };
      nodes.push(this.parseStatement(tag.value, tag.offset, endNames, opening));
    }
  }

  private parseStatement(tag: string, offset: number, endNames: readonly string[], opening?: string): Node {
    const s = this.stream;
    switch (tag) {
      case "if":
        return this.parseIf();
      case "for":
        return this.parseFor(offset);
      case "set":
        return this.parseSet(offset);
      default: {
        const token = { type: "name" as const, value: tag, offset };
        if (opening !== undefined) {
          const wanted = endNames.map((n) => `'${n}'`).join(" or ");
          throw s.fail(`unexpected tag '${tag}', expected ${wanted} (the innermost open block is '${opening}')`, token);
        }
        throw s.fail(`unknown or unsupported tag '${tag}'`, token);
      }
    }
  }

  private endBlock(): void {
    this.stream.expectType("block_end", "end of statement block ('%}')");
  }

  private parseIf(): Node {
    const branches: { test: Expr; body: Node[] }[] = [];
    let test = this.parseTuple({ withCondexpr: true });
    for (;;) {
      this.endBlock();
      const { nodes, end } = this.subparse(["elif", "else", "endif"], "if");
      branches.push({ test, body: nodes });
      if (end === "elif") {
        test = this.parseTuple({ withCondexpr: true });
        continue;
      }
      if (end === "else") {
        this.endBlock();
        const rest = this.subparse(["endif"], "if");
        this.endBlock();
        return { kind: "if", branches, otherwise: rest.nodes };
      }
      this.endBlock();
      return { kind: "if", branches, otherwise: [] };
    }
  }

  private parseFor(offset: number): Node {
    const s = this.stream;
    const target = this.parseTarget();
    if (!s.skipName("in")) throw s.fail(`expected 'in', got ${describeToken(s.current)}`);
    const iter = this.parseTuple({ withCondexpr: false, endNames: ["if", "recursive"] });
    const filter = s.skipName("if") ? this.parseExpression() : null;
    if (s.isName("recursive")) throw s.fail("recursive loops are not supported");
    this.endBlock();
    const body = this.subparse(["endfor", "else"], "for");
    let otherwise: Node[] = [];
    if (body.end === "else") {
      this.endBlock();
      otherwise = this.subparse(["endfor"], "for").nodes;
    }
    this.endBlock();
    return { kind: "for", target, iter, filter, body: body.nodes, otherwise, offset };
  }

  private parseSet(offset: number): Node {
    const s = this.stream;
    const target = this.parseTarget();
    if (!s.isOp("=")) {
      if (s.current.type === "block_end") throw s.fail("block assignments ({% set x %}…{% endset %}) are not supported");
      throw s.fail(`expected '=', got ${describeToken(s.current)}`);
    }
    s.next();
    const value = this.parseTuple();
    this.endBlock();
    return { kind: "set", target, value, offset };
  }

  private parseTarget(): Target {
    const s = this.stream;
    const parens = s.skipOp("(");
    const names: string[] = [];
    let tuple = parens;
    for (;;) {
      const t = s.expectName("a variable name");
      if (RESERVED_TARGETS.has(t.value) || t.value.startsWith("__")) throw s.fail(`cannot assign to '${t.value}'`, t);
      names.push(t.value);
      if (!s.skipOp(",")) break;
      tuple = true;
      if (parens && s.isOp(")")) break;
      if (s.current.type !== "name") break;
    }
    if (parens) s.expectOp(")");
    const first = names[0] as string;
    return tuple ? { kind: "tuple", names } : { kind: "name", name: first };
  }
}
