/**
 * Expression parser with Jinja's grammar and precedence (loosest first):
 *   `a if c else b` < `or` < `and` < `not` < comparisons / `in` / `not in` (chainable)
 *   < `+ -` < `~` < `* / // %` < `**` < unary `- +` < postfix (`.x`, `[i]`, `[a:b:c]`, calls)
 *   with filters `| f(…)` and tests `is [not] t(…)` binding to the unary operand, as in Jinja
 *   (`-x | abs` is `abs(-x)`, `a == b is defined` is `a == (b is defined)`).
 * Calls are only allowed for allow-listed methods and global functions; filter, test and method
 * names are checked here, so a typo is a syntax error at compile time, never at firing time.
 */
import type { Arguments, CompareOp, Expr } from "./ast.js";
import { hasFilter } from "./filters.js";
import { hasTest } from "./jinja-tests.js";
import type { Token } from "./lexer.js";
import { GLOBAL_FUNCTIONS, METHOD_NAMES } from "./methods.js";
import { describeToken, type TokenStream } from "./token-stream.js";

const COMPARE_OPS: ReadonlySet<string> = new Set(["==", "!=", "<", "<=", ">", ">="]);
const TEST_ARG_START: ReadonlySet<Token["type"]> = new Set(["name", "string", "int", "float"]);

export class ExpressionParser {
  constructor(protected readonly stream: TokenStream) {}

  /** Jinja's parse_tuple: `a, b` yields a list; with explicit parentheses `()` and `(a,)` too. */
  parseTuple(opts: { withCondexpr?: boolean; explicitParens?: boolean; endNames?: readonly string[] } = {}): Expr {
    const s = this.stream;
    const start = s.current;
    const items: Expr[] = [];
    let isTuple = false;
    for (;;) {
      if (items.length > 0) s.expectOp(",");
      if (this.isTupleEnd(opts.endNames)) break;
      items.push(opts.withCondexpr === false ? this.parseOr() : this.parseExpression());
      if (s.isOp(",")) isTuple = true;
      else break;
    }
    if (!isTuple) {
      const first = items[0];
      if (first !== undefined) return first;
      if (opts.explicitParens !== true) throw s.fail(`expected an expression, got ${describeToken(s.current)}`);
    }
    return { kind: "list", items, offset: start.offset };
  }

  parseExpression(): Expr {
    const s = this.stream;
    let expr = this.parseOr();
    while (s.isName("if")) {
      const offset = s.next().offset;
      const test = this.parseOr();
      const otherwise = s.skipName("else") ? this.parseExpression() : null;
      expr = { kind: "cond", test, then: expr, otherwise, offset };
    }
    return expr;
  }

  private isTupleEnd(endNames: readonly string[] | undefined): boolean {
    const t = this.stream.current;
    if (t.type === "var_end" || t.type === "block_end" || t.type === "eof" || this.stream.isOp(")")) return true;
    return endNames !== undefined && t.type === "name" && endNames.includes(t.value as string);
  }

  protected parseOr(): Expr {
    let left = this.parseAnd();
    while (this.stream.isName("or")) {
      const offset = this.stream.next().offset;
      left = { kind: "or", left, right: this.parseAnd(), offset };
    }
    return left;
  }

  private parseAnd(): Expr {
    let left = this.parseNot();
    while (this.stream.isName("and")) {
      const offset = this.stream.next().offset;
      left = { kind: "and", left, right: this.parseNot(), offset };
    }
    return left;
  }

  private parseNot(): Expr {
    if (this.stream.isName("not")) {
      const offset = this.stream.next().offset;
      return { kind: "unary", op: "not", operand: this.parseNot(), offset };
    }
    return this.parseCompare();
  }

  private parseCompare(): Expr {
    const s = this.stream;
    const first = this.parseMath1();
    const rest: (readonly [CompareOp, Expr])[] = [];
    for (;;) {
      const t = s.current;
      if (t.type === "op" && COMPARE_OPS.has(t.value as string)) {
        s.next();
        rest.push([t.value as CompareOp, this.parseMath1()]);
      } else if (s.skipName("in")) {
        rest.push(["in", this.parseMath1()]);
      } else if (s.isName("not") && s.isName("in", s.look())) {
        s.next();
        s.next();
        rest.push(["not in", this.parseMath1()]);
      } else {
        break;
      }
    }
    return rest.length === 0 ? first : { kind: "compare", first, rest, offset: first.offset };
  }

  private parseBinary(ops: readonly string[], operand: () => Expr): Expr {
    const s = this.stream;
    let left = operand();
    while (s.current.type === "op" && ops.includes(s.current.value as string)) {
      const t = s.next();
      left = { kind: "binary", op: t.value as "+", left, right: operand(), offset: t.offset };
    }
    return left;
  }

  private parseMath1(): Expr {
    return this.parseBinary(["+", "-"], () => this.parseConcat());
  }

  private parseConcat(): Expr {
    return this.parseBinary(["~"], () => this.parseMath2());
  }

  private parseMath2(): Expr {
    return this.parseBinary(["*", "/", "//", "%"], () => this.parsePow());
  }

  private parsePow(): Expr {
    return this.parseBinary(["**"], () => this.parseUnary(true));
  }

  private parseUnary(withFilter: boolean): Expr {
    const s = this.stream;
    let node: Expr;
    if (s.isOp("-") || s.isOp("+")) {
      const t = s.next();
      node = { kind: "unary", op: t.value as "-", operand: this.parseUnary(false), offset: t.offset };
    } else {
      node = this.parsePrimary();
    }
    node = this.parsePostfix(node);
    return withFilter ? this.parseFilterExpr(node) : node;
  }

  private parsePrimary(): Expr {
    const s = this.stream;
    const t = s.current;
    switch (t.type) {
      case "name": {
        s.next();
        const name = t.value as string;
        if (name === "true" || name === "True") return { kind: "const", value: true, offset: t.offset };
        if (name === "false" || name === "False") return { kind: "const", value: false, offset: t.offset };
        if (name === "none" || name === "None" || name === "null") return { kind: "const", value: null, offset: t.offset };
        return { kind: "name", name, offset: t.offset };
      }
      case "string": {
        let value = "";
        while (s.current.type === "string") value += s.next().value as string;
        return { kind: "const", value, offset: t.offset };
      }
      case "int":
      case "float":
        s.next();
        return { kind: "const", value: t.value, offset: t.offset };
      default:
        break;
    }
    if (s.skipOp("(")) {
      const inner = this.parseTuple({ explicitParens: true });
      s.expectOp(")");
      return inner;
    }
    if (s.isOp("[")) return this.parseList();
    if (s.isOp("{")) return this.parseDict();
    throw s.fail(`unexpected ${describeToken(t)}`);
  }

  private parseList(): Expr {
    const s = this.stream;
    const offset = s.expectOp("[").offset;
    const items: Expr[] = [];
    while (!s.isOp("]")) {
      if (items.length > 0) s.expectOp(",");
      if (s.isOp("]")) break;
      items.push(this.parseExpression());
    }
    s.expectOp("]");
    return { kind: "list", items, offset };
  }

  private parseDict(): Expr {
    const s = this.stream;
    const offset = s.expectOp("{").offset;
    const entries: (readonly [Expr, Expr])[] = [];
    while (!s.isOp("}")) {
      if (entries.length > 0) s.expectOp(",");
      if (s.isOp("}")) break;
      const key = this.parseExpression();
      s.expectOp(":");
      entries.push([key, this.parseExpression()]);
    }
    s.expectOp("}");
    return { kind: "dict", entries, offset };
  }

  private parsePostfix(start: Expr): Expr {
    const s = this.stream;
    let node = start;
    for (;;) {
      if (s.isOp(".") || s.isOp("[")) node = this.parseSubscript(node);
      else if (s.isOp("(")) node = this.parseCall(node);
      else return node;
    }
  }

  private parseSubscript(target: Expr): Expr {
    const s = this.stream;
    const t = s.next();
    if (t.value === ".") {
      const attr = s.current;
      if (attr.type === "name") {
        s.next();
        return { kind: "attr", target, name: attr.value as string, offset: attr.offset };
      }
      if (attr.type === "int") {
        s.next();
        return { kind: "item", target, index: { kind: "const", value: attr.value, offset: attr.offset }, offset: attr.offset };
      }
      throw s.fail(`expected name or number, got ${describeToken(attr)}`);
    }
    const args: Expr[] = [];
    while (!s.isOp("]")) {
      if (args.length > 0) s.expectOp(",");
      args.push(this.parseSubscribed(target));
    }
    if (args.length !== 1) throw s.fail(args.length === 0 ? "expected an index" : "tuple indexes are not supported", t);
    s.expectOp("]");
    const only = args[0] as Expr;
    return only.kind === "slice" && only.target === target ? only : { kind: "item", target, index: only, offset: t.offset };
  }

  private parseSubscribed(target: Expr): Expr {
    const s = this.stream;
    const offset = s.current.offset;
    let start: Expr | null = null;
    if (!s.isOp(":")) {
      start = this.parseExpression();
      if (!s.isOp(":")) return start;
    }
    s.expectOp(":");
    const bound = (): Expr | null => (s.isOp("]") || s.isOp(",") || s.isOp(":") ? null : this.parseExpression());
    const stop = bound();
    let step: Expr | null = null;
    if (s.skipOp(":")) step = bound();
    return { kind: "slice", target, start, stop, step, offset };
  }

  private parseCall(callee: Expr): Expr {
    const s = this.stream;
    if (callee.kind === "attr") {
      if (!METHOD_NAMES.has(callee.name)) {
        throw s.fail(`unknown or disallowed method '${callee.name}()'`, { type: "name", value: callee.name, offset: callee.offset });
      }
      return { kind: "method", target: callee.target, name: callee.name, args: this.parseCallArgs(), offset: callee.offset };
    }
    if (callee.kind === "name" && GLOBAL_FUNCTIONS.has(callee.name)) {
      return { kind: "global", name: callee.name, args: this.parseCallArgs(), offset: callee.offset };
    }
    const what = callee.kind === "name" ? `'${callee.name}'` : "this value";
    throw s.fail(`${what} is not callable`, { type: "op", value: "(", offset: callee.kind === "name" ? callee.offset : s.current.offset });
  }

  private parseCallArgs(): Arguments {
    const s = this.stream;
    s.expectOp("(");
    const positional: Expr[] = [];
    const keyword: (readonly [string, Expr])[] = [];
    while (!s.isOp(")")) {
      if (positional.length + keyword.length > 0) {
        s.expectOp(",");
        if (s.isOp(")")) break;
      }
      if (s.isOp("*") || s.isOp("**")) throw s.fail("*args and **kwargs are not supported");
      if (s.current.type === "name" && s.isOp("=", s.look())) {
        const name = s.next().value as string;
        s.next();
        if (keyword.some(([k]) => k === name)) throw s.fail(`keyword argument '${name}' repeated`);
        keyword.push([name, this.parseExpression()]);
      } else {
        if (keyword.length > 0) throw s.fail("positional argument follows keyword argument");
        positional.push(this.parseExpression());
      }
    }
    s.expectOp(")");
    return { positional, keyword };
  }

  private parseDottedName(what: string): { name: string; offset: number } {
    const s = this.stream;
    const first = s.expectName(what);
    let name = first.value;
    while (s.isOp(".") && s.look().type === "name") {
      s.next();
      name += "." + (s.next().value as string);
    }
    return { name, offset: first.offset };
  }

  private parseFilterExpr(start: Expr): Expr {
    const s = this.stream;
    let node = start;
    for (;;) {
      if (s.skipOp("|")) {
        const { name, offset } = this.parseDottedName("a filter name");
        if (!hasFilter(name)) throw s.fail(`unknown filter '${name}'`, { type: "name", value: name, offset });
        const args = s.isOp("(") ? this.parseCallArgs() : { positional: [], keyword: [] };
        node = { kind: "filter", target: node, name, args, offset };
      } else if (s.isName("is")) {
        node = this.parseTest(node);
      } else if (s.isOp("(")) {
        throw s.fail("this value is not callable");
      } else {
        return node;
      }
    }
  }

  private parseTest(target: Expr): Expr {
    const s = this.stream;
    s.next();
    const negated = s.skipName("not");
    const { name, offset } = this.parseDottedName("a test name");
    if (!hasTest(name)) throw s.fail(`unknown test '${name}'`, { type: "name", value: name, offset });
    let args: Arguments = { positional: [], keyword: [] };
    const t = s.current;
    if (s.isOp("(")) {
      args = this.parseCallArgs();
    } else if (
      (TEST_ARG_START.has(t.type) || s.isOp("[") || s.isOp("{")) &&
      !(s.isName("else") || s.isName("or") || s.isName("and") || s.isName("if"))
    ) {
      if (s.isName("is")) throw s.fail("you cannot chain multiple tests with is");
      args = { positional: [this.parsePostfix(this.parsePrimary())], keyword: [] };
    }
    return { kind: "test", target, name, negated, args, offset };
  }
}
