/**
 * Recursive-descent parser for ansible-rulebook conditions (reference §2.1–2.2).
 *
 * Precedence, loosest first (each binary level associates left):
 *   `<<` (only at the start: `events.NAME << cond`)
 *   `and` `or` — ONE level in "ansible" mode (`a or b and c` = `(a or b) and c`);
 *                in "conventional" mode `and` binds tighter than `or`
 *   prefix `not`
 *   `in` `not in` `contains` `not contains` (keywords case-insensitive)
 *   `is [not]` defined | match(…) | search(…) | regex(…) | select(…) | selectattr(…)
 *   `==`, then `!=`, then `<` `>`, then `<=`, then `>=` (the reference's exact levels)
 *   `+` `-`, then `*` `/` (our extension)
 *   primary: ( … ), [list], number, string, true/True/false/False, null, path, bare word (= string)
 */
import type {
  ArithmeticOp,
  CompareOp,
  CondNode,
  LiteralNode,
  MembershipOp,
  PathNode,
  PathRoot,
  PathSegment,
  SearchKind,
  SearchOptions,
} from "./ast.js";
import type { Token } from "./lexer.js";
import { conditionSemanticError, conditionSyntaxError, locAt } from "./location.js";
import { describeToken, trailingHint, valueHint } from "./parse-messages.js";
import { TokenCursor } from "./token-cursor.js";
import { didYouMean } from "../../core/suggest.js";
import { findUnparenthesizedAndOr } from "./mixed-and-or.js";

export { findUnparenthesizedAndOr };

export type Precedence = "ansible" | "conventional";

export interface ParseOptions {
  readonly precedence?: Precedence;
}

const PREFIXES: readonly PathRoot[] = ["event", "events", "fact", "facts", "vars"];
const RESERVED = new Set(["and", "or", "not", "in", "contains", "is"]);
const SEARCH_KINDS: readonly SearchKind[] = ["match", "search", "regex"];
const SEARCH_OPTIONS = ["ignorecase", "multiline"] as const;
const PREFIX_MESSAGE = "Should start with event., events., fact., facts. or vars.";

export function parseCondition(text: string, opts: ParseOptions = {}): CondNode {
  return new Parser(text, opts.precedence ?? "ansible").parseTop();
}

class Parser extends TokenCursor {
  constructor(
    text: string,
    private readonly precedence: Precedence,
  ) {
    super(text);
  }

  parseTop(): CondNode {
    if (this.peek().kind === "eof") {
      throw conditionSyntaxError(locAt(this.text, 0), "Condition is empty", "write a condition such as event.status == \"firing\"");
    }
    const first = this.parseLogical();
    let result = first;
    if (this.isPunct("<<")) {
      const arrow = this.next();
      if (first.type !== "Path" || first.parens === true) {
        throw this.error(arrow, "'<<' assigns a name to a condition and must follow an alias such as events.NAME", "write events.NAME << condition at the start of the condition");
      }
      const alias = this.aliasOf(first);
      const condition = this.parseLogical();
      if (this.isPunct("<<")) {
        throw this.error(this.peek(), "Only one '<<' assignment is allowed per condition");
      }
      result = { type: "Assign", alias, condition, loc: first.loc };
    }
    const tail = this.peek();
    if (tail.kind !== "eof") {
      throw this.error(tail, `Expected 'and', 'or' or the end of the condition, found ${describeToken(tail)}`, trailingHint(tail));
    }
    return result;
  }

  private aliasOf(path: PathNode): { root: "events" | "facts"; name: string } {
    const seg = path.segments[0];
    if ((path.root !== "events" && path.root !== "facts") || path.segments.length !== 1 || typeof seg !== "string") {
      throw conditionSyntaxError(path.loc, "An assignment alias must have exactly two dotted parts: events.NAME or facts.NAME", "e.g. events.first << event.i == 1");
    }
    return { root: path.root, name: seg };
  }

  // ---- logical levels ---------------------------------------------------------------------

  private parseLogical(): CondNode {
    return this.precedence === "ansible" ? this.parseAndOrFlat() : this.parseOr();
  }

  private parseAndOrFlat(): CondNode {
    let left = this.parseNot();
    for (;;) {
      const tok = this.peek();
      if (tok.kind !== "word" || (tok.text !== "and" && tok.text !== "or")) return left;
      this.next();
      const right = this.parseNot();
      left = { type: "Logical", op: tok.text, left, right, loc: left.loc, opLoc: this.loc(tok) };
    }
  }

  private parseOr(): CondNode {
    let left = this.parseAnd();
    while (this.isWord("or")) {
      const tok = this.next();
      const right = this.parseAnd();
      left = { type: "Logical", op: "or", left, right, loc: left.loc, opLoc: this.loc(tok) };
    }
    return left;
  }

  private parseAnd(): CondNode {
    let left = this.parseNot();
    while (this.isWord("and")) {
      const tok = this.next();
      const right = this.parseNot();
      left = { type: "Logical", op: "and", left, right, loc: left.loc, opLoc: this.loc(tok) };
    }
    return left;
  }

  private parseNot(): CondNode {
    if (this.isWord("not")) {
      const tok = this.next();
      const operand = this.parseNot();
      return { type: "Not", operand, loc: this.loc(tok) };
    }
    return this.parseMembership();
  }

  // ---- membership / is --------------------------------------------------------------------

  private parseMembership(): CondNode {
    let left = this.parseIs();
    for (;;) {
      const op = this.membershipOp();
      if (op === undefined) return left;
      const right = this.parseIs();
      left = { type: "Membership", op, left, right, loc: left.loc };
    }
  }

  private membershipOp(): MembershipOp | undefined {
    const tok = this.peek();
    if (tok.kind !== "word") return undefined;
    const w = tok.text.toLowerCase();
    if (w === "in" || w === "contains") {
      this.next();
      return w;
    }
    if (w === "not") {
      const after = this.peek(1);
      const w2 = after.kind === "word" ? after.text.toLowerCase() : "";
      if (w2 === "in" || w2 === "contains") {
        this.next();
        this.next();
        return w2 === "in" ? "not in" : "not contains";
      }
    }
    return undefined;
  }

  private parseIs(): CondNode {
    let left = this.parseCompare(0);
    while (this.isWord("is")) {
      this.next();
      let negated = false;
      if (this.isWord("not")) {
        this.next();
        negated = true;
      }
      const tok = this.peek();
      const word = tok.kind === "word" ? tok.text : "";
      if (word === "defined") {
        this.next();
        left = { type: "IsDefined", negated, operand: left, loc: left.loc };
      } else if ((SEARCH_KINDS as readonly string[]).includes(word)) {
        this.next();
        left = this.parseSearch(left, word as SearchKind, negated);
      } else if (word === "select") {
        this.next();
        const args = this.parseArgs(tok, 2, "select(operator, value)");
        left = { type: "Select", negated, operand: left, operator: args[0] as CondNode, value: args[1] as CondNode, loc: left.loc };
      } else if (word === "selectattr") {
        this.next();
        const args = this.parseArgs(tok, 3, "selectattr(key, operator, value)");
        left = {
          type: "SelectAttr",
          negated,
          operand: left,
          key: args[0] as CondNode,
          operator: args[1] as CondNode,
          value: args[2] as CondNode,
          loc: left.loc,
        };
      } else {
        const suggestion = word ? didYouMean(word, ["defined", "match", "search", "regex", "select", "selectattr"]) : undefined;
        throw this.error(
          tok,
          `Expected 'defined', 'match(…)', 'search(…)', 'regex(…)', 'select(…)' or 'selectattr(…)' after '${negated ? "is not" : "is"}', found ${describeToken(tok)}`,
          suggestion,
        );
      }
    }
    return left;
  }

  private parseSearch(operand: CondNode, kind: SearchKind, negated: boolean): CondNode {
    const open = this.expectPunct("(", `'(' after '${kind}'`);
    if (this.isPunct(")")) {
      throw this.error(this.peek(), `${kind}() needs a pattern: ${kind}("pattern", ignorecase=true)`);
    }
    const pattern = this.parseArith();
    const options: { ignorecase?: boolean; multiline?: boolean } = {};
    while (this.isPunct(",")) {
      this.next();
      const nameTok = this.peek();
      if (nameTok.kind !== "word" || this.peek(1).text !== "=") {
        throw this.error(nameTok, `Expected an option such as ignorecase=true, found ${describeToken(nameTok)}`);
      }
      this.next();
      this.next();
      const valueTok = this.peek();
      const value = this.parsePrimary();
      const name = nameTok.text;
      if (!(SEARCH_OPTIONS as readonly string[]).includes(name)) {
        throw conditionSemanticError(this.loc(nameTok), `Unknown ${kind}() option '${name}'; only ignorecase and multiline are supported`, didYouMean(name, SEARCH_OPTIONS));
      }
      if (value.type !== "Literal" || typeof value.value !== "boolean") {
        throw conditionSemanticError(this.loc(valueTok), `Option ${name} must be true or false`);
      }
      options[name as (typeof SEARCH_OPTIONS)[number]] = value.value;
    }
    this.expectClose(open);
    const opts: SearchOptions = options;
    return { type: "Search", kind, negated, operand, pattern, options: opts, loc: operand.loc };
  }

  private parseArgs(fnTok: Token, count: number, signature: string): CondNode[] {
    const open = this.expectPunct("(", `'(' after '${fnTok.text}'`);
    const args: CondNode[] = [];
    if (!this.isPunct(")")) {
      args.push(this.parseArith());
      while (this.isPunct(",")) {
        this.next();
        args.push(this.parseArith());
      }
    }
    if (args.length !== count && (this.isPunct(")") || this.peek().kind === "eof")) {
      throw this.error(this.peek(), `${fnTok.text}() takes ${count} arguments, found ${args.length}`, `write ${signature}`);
    }
    this.expectClose(open);
    return args;
  }

  // ---- comparison and arithmetic levels ---------------------------------------------------

  private static readonly COMPARE_LEVELS: readonly (readonly CompareOp[])[] = [["=="], ["!="], ["<", ">"], ["<="], [">="]];

  private parseCompare(level: number): CondNode {
    const ops = Parser.COMPARE_LEVELS[level];
    if (ops === undefined) return this.parseArith();
    let left = this.parseCompare(level + 1);
    for (;;) {
      const tok = this.peek();
      if (tok.kind !== "punct" || !(ops as readonly string[]).includes(tok.text)) return left;
      this.next();
      const right = this.parseCompare(level + 1);
      left = { type: "Compare", op: tok.text as CompareOp, left, right, loc: left.loc };
    }
  }

  private parseArith(): CondNode {
    let left = this.parseTerm();
    while (this.isPunct("+") || this.isPunct("-")) {
      const tok = this.next();
      const right = this.parseTerm();
      left = { type: "Arithmetic", op: tok.text as ArithmeticOp, left, right, loc: left.loc };
    }
    return left;
  }

  private parseTerm(): CondNode {
    let left = this.parsePrimary();
    while (this.isPunct("*") || this.isPunct("/")) {
      const tok = this.next();
      const right = this.parsePrimary();
      left = { type: "Arithmetic", op: tok.text as ArithmeticOp, left, right, loc: left.loc };
    }
    return left;
  }

  // ---- primary ----------------------------------------------------------------------------

  private parsePrimary(): CondNode {
    const tok = this.peek();
    const loc = this.loc(tok);
    if (tok.kind === "punct") {
      if (tok.text === "(") {
        this.next();
        const inner = this.parseLogical();
        this.expectClose(tok);
        return { ...inner, parens: true };
      }
      if (tok.text === "[") return this.parseList();
      if (tok.text === "-" || tok.text === "+") {
        const num = this.peek(1);
        if (num.kind === "number" && num.offset === tok.end) {
          this.next();
          this.next();
          const value = tok.text === "-" ? -(num.value as number) : (num.value as number);
          return { type: "Literal", value, kind: num.isFloat === true ? "float" : "int", loc };
        }
        throw this.error(tok, `Expected a value, found '${tok.text}'`, "signed numbers are written without a space, e.g. -5");
      }
      throw this.error(tok, `Expected a value (a path such as event.x, a number, a string, true/false/null or a list), found ${describeToken(tok)}`, valueHint(tok));
    }
    if (tok.kind === "number") {
      this.next();
      return { type: "Literal", value: tok.value as number, kind: tok.isFloat === true ? "float" : "int", loc };
    }
    if (tok.kind === "string") {
      this.next();
      return { type: "Literal", value: tok.value as string, kind: "string", loc };
    }
    if (tok.kind === "eof") {
      throw this.error(tok, "Unexpected end of the condition: expected a value (a path such as event.x, a number, a string, true/false/null or a list)");
    }
    const word = tok.text;
    if (word === "true" || word === "True" || word === "false" || word === "False") {
      this.next();
      return { type: "Literal", value: word.toLowerCase() === "true", kind: "boolean", loc };
    }
    if (word === "null") {
      this.next();
      return { type: "Literal", value: null, kind: "null", loc };
    }
    if ((PREFIXES as readonly string[]).includes(word)) return this.parsePath(word as PathRoot);
    if (RESERVED.has(word)) {
      throw this.error(tok, `Expected a value (a path such as event.x, a number, a string, true/false/null or a list), found the keyword '${word}'`);
    }
    const after = this.peek(1);
    if (after.offset === tok.end && (after.text === "." || after.text === "[")) {
      const prefix = didYouMean(word, PREFIXES);
      throw this.error(tok, `Unknown prefix '${word}': ${PREFIX_MESSAGE}`, prefix ? `did you mean '${prefix}'?` : undefined);
    }
    if (after.text === "(" && after.offset === tok.end) {
      throw this.error(tok, `'${word}(…)' is not supported: conditions have no function calls`, "use 'is match(…)', 'is search(…)', 'is select(…)' or 'is selectattr(…)' after a value");
    }
    this.next();
    const literal: LiteralNode = { type: "Literal", value: word, kind: "bareword", loc };
    return literal;
  }

  private parseList(): CondNode {
    const open = this.next();
    const items: CondNode[] = [];
    if (!this.isPunct("]")) {
      items.push(this.parseArith());
      while (this.isPunct(",")) {
        this.next();
        items.push(this.parseArith());
      }
    }
    const close = this.peek();
    if (!this.isPunct("]")) {
      const o = this.loc(open);
      throw this.error(close, `Expected ',' or ']' to close the list opened at line ${o.line} col ${o.col}, found ${describeToken(close)}`);
    }
    this.next();
    return { type: "List", items, loc: this.loc(open) };
  }

  private parsePath(root: PathRoot): PathNode {
    const first = this.next();
    const segments: PathSegment[] = [];
    let last = first;
    for (;;) {
      const tok = this.peek();
      if (tok.offset !== last.end) break;
      if (tok.text === ".") {
        this.next();
        const name = this.peek();
        if (name.kind !== "word" || name.offset !== tok.end) {
          const hint = name.kind === "number" ? `use ${root}[${name.text}] for a list index` : "keys with other characters need brackets: event[\"my-key\"]";
          throw this.error(name, `Expected an attribute name after '.', found ${describeToken(name)}`, hint);
        }
        this.next();
        segments.push(name.text);
        last = name;
      } else if (tok.text === "[") {
        this.next();
        const key = this.peek();
        let seg: PathSegment;
        if (key.kind === "string") {
          this.next();
          seg = key.value as string;
        } else if (key.kind === "number" || ((key.text === "-" || key.text === "+") && this.peek(1).kind === "number" && this.peek(1).offset === key.end)) {
          const numTok = key.kind === "number" ? key : this.peek(1);
          if (numTok.isFloat === true) {
            throw this.error(key, `A list index must be an integer, found ${numTok.text}`);
          }
          if (key.kind !== "number") this.next();
          this.next();
          seg = key.text === "-" ? -(numTok.value as number) : (numTok.value as number);
        } else {
          throw this.error(key, `Expected a quoted key or an integer index inside [ ], found ${describeToken(key)}`, "e.g. event[\"my-key\"] or event.list[0]");
        }
        const close = this.peek();
        if (!this.isPunct("]")) throw this.error(close, `Expected ']' after the index, found ${describeToken(close)}`);
        this.next();
        segments.push(seg);
        last = close;
      } else {
        break;
      }
    }
    if (segments.length === 0) {
      throw this.error(
        first,
        `'${root}' alone is not a valid reference: name an attribute, e.g. ${root}.status`,
        root === "event" ? "to test for any event use 'condition: true'" : undefined,
      );
    }
    return { type: "Path", root, segments, loc: this.loc(first) };
  }
}
