/**
 * Compiles a condition AST to the IR (json-rules-engine condition JSON with hb_* operators; the
 * operators and value forms are documented in ir.ts).
 *
 * - `vars.` paths are replaced by their typed values now (missing → HB_ERR_VARS_MISSING).
 * - Constant sub-conditions are folded (`vars.level > 3` becomes true or false).
 * - `not` is pushed down to the leaves (De Morgan + complementary operators), so a negated test
 *   still requires its attribute to be present, as in Drools.
 * - A literal on the left is moved to the right when the operator has a mirror (`73 != event.x`
 *   → `event.x != 73`, `"a" in event.tags` → `event.tags contains "a"`).
 * - `events.NAME…` / `facts.NAME…` refer to the binding NAME of a multi-condition rule when NAME is
 *   in `ctx.bindings`; otherwise to the current object. Without `ctx.bindings`, NAME is taken as
 *   a binding when it looks like m_<n> or when more path follows it (`events.first.i`), and as an
 *   attribute of the current object otherwise (`events.my_bool`).
 */
import type { CondNode, PathNode, SelectAttrNode, SelectNode } from "./ast.js";
import type { IrExpr, IrLeaf, IrNode, IrOperator, IrRef, IrTopLevel, SelectOperator } from "./ir.js";
import { IR_COMPLEMENT, IR_MIRROR, SELECT_OPERATORS, SELECTATTR_OPERATORS } from "./ir.js";
import { formatIrPath, resolveSegments } from "./ir-path.js";
import { arithmetic, buildRegex, OPERATOR_FNS } from "./semantics.js";
import type { SearchKindName } from "./semantics.js";
import { conditionSemanticError } from "./location.js";
import { HookbookError } from "../../core/errors.js";
import { didYouMean } from "../../core/suggest.js";

export interface CompileContext {
  readonly vars: Readonly<Record<string, unknown>>;
  /** Binding names a condition may join on (m_0, m_1, …, aliases). See the header comment. */
  readonly bindings?: readonly string[];
}

export interface CompiledCondition {
  readonly ir: IrTopLevel;
  /** NAME of `events.NAME << …` / `facts.NAME << …`. */
  readonly alias?: string;
}

type Operand =
  | { readonly kind: "const"; readonly value: unknown }
  | { readonly kind: "ref"; readonly ref: IrRef }
  | { readonly kind: "expr"; readonly expr: IrExpr };

type B =
  | { readonly t: "const"; readonly v: boolean }
  | { readonly t: "leaf"; readonly leaf: IrLeaf }
  | { readonly t: "all" | "any"; readonly items: readonly B[] };

const COMPARE_OPS: Readonly<Record<string, IrOperator>> = {
  "==": "hb_eq",
  "!=": "hb_ne",
  ">": "hb_gt",
  ">=": "hb_ge",
  "<": "hb_lt",
  "<=": "hb_le",
  in: "hb_in",
  "not in": "hb_not_in",
  contains: "hb_contains",
  "not contains": "hb_not_contains",
};

const TRUE: B = { t: "const", v: true };
const FALSE: B = { t: "const", v: false };

export function compileCondition(node: CondNode, ctx: CompileContext): CompiledCondition {
  const compiler = new Compiler(ctx);
  let body = node;
  let alias: string | undefined;
  if (node.type === "Assign") {
    alias = node.alias.name;
    body = node.condition;
  }
  const b = simplify(compiler.bool(body, false));
  let ir: IrTopLevel;
  if (b.t === "const") ir = b.v ? { all: [] } : { not: { all: [] } };
  else if (b.t === "leaf") ir = { all: [b.leaf] };
  else ir = emit(b) as IrTopLevel;
  return alias === undefined ? { ir } : { ir, alias };
}

class Compiler {
  constructor(private readonly ctx: CompileContext) {}

  /** The condition `node`, negated when `neg`. */
  bool(node: CondNode, neg: boolean): B {
    switch (node.type) {
      case "Logical": {
        const l = this.bool(node.left, neg);
        const r = this.bool(node.right, neg);
        const conj = node.op === "and" ? !neg : neg;
        return { t: conj ? "all" : "any", items: [l, r] };
      }
      case "Not":
        return this.bool(node.operand, !neg);
      case "Compare":
      case "Membership":
        return this.binary(COMPARE_OPS[node.op] as IrOperator, neg, this.operand(node.left), this.operand(node.right));
      case "IsDefined":
        return this.isDefined(node.operand, node.negated !== neg);
      case "Search":
        return this.search(node, neg);
      case "Select":
      case "SelectAttr":
        return this.select(node, neg);
      case "Path": {
        if (node.root === "vars") {
          const v = this.varValue(node);
          if (typeof v !== "boolean") {
            throw conditionSemanticError(node.loc, `${pathText(node)} is ${describeValue(v)}, not a boolean, so it cannot be a condition on its own`, "compare it, e.g. vars.x == \"value\"");
          }
          return v !== neg ? TRUE : FALSE;
        }
        return this.leaf(neg ? "hb_is_falsy" : "hb_is_true", { kind: "ref", ref: this.ref(node) }, null);
      }
      case "Literal":
        if (typeof node.value === "boolean") return node.value !== neg ? TRUE : FALSE;
        throw conditionSemanticError(
          node.loc,
          `A condition must be a test, found ${describeValue(node.value)}`,
          node.kind === "bareword" ? `unquoted words are strings; did you mean event.${String(node.value)}?` : undefined,
        );
      case "Assign":
        throw conditionSemanticError(node.loc, "'<<' is only allowed at the start of a condition");
      case "List":
      case "Arithmetic":
        throw conditionSemanticError(node.loc, `A ${node.type === "List" ? "list" : "computed value"} is not a condition on its own`, "compare it with ==, !=, <, >, in, contains …");
    }
  }

  private binary(op: IrOperator, neg: boolean, left: Operand, right: Operand): B {
    const irOp = neg ? IR_COMPLEMENT[op] : op;
    if (left.kind === "const" && right.kind === "const") return OPERATOR_FNS[irOp](left.value, right.value) ? TRUE : FALSE;
    const mirror = IR_MIRROR[irOp];
    if (mirror !== undefined && left.kind !== "ref" && (right.kind === "ref" || left.kind === "const")) {
      return this.leaf(mirror, right, left);
    }
    return this.leaf(irOp, left, right);
  }

  private isDefined(operandNode: CondNode, negative: boolean): B {
    if (operandNode.type !== "Path") {
      throw conditionSemanticError(operandNode.loc, "'is defined' needs a path such as event.x");
    }
    if (operandNode.root === "vars") {
      const present = resolveSegments(this.ctx.vars, operandNode.segments) !== undefined;
      return present !== negative ? TRUE : FALSE;
    }
    return this.leaf(negative ? "hb_not_defined" : "hb_defined", { kind: "ref", ref: this.ref(operandNode) }, null);
  }

  private search(node: Extract<CondNode, { type: "Search" }>, neg: boolean): B {
    const left = this.operand(node.operand);
    const pattern = this.operand(node.pattern);
    if (pattern.kind === "const") this.checkPattern(node.pattern, pattern.value, node.kind);
    const ignorecase = node.options.ignorecase === true;
    const multiline = node.options.multiline === true;
    const spec: Operand =
      pattern.kind === "const"
        ? { kind: "const", value: { kind: node.kind, pattern: pattern.value, ignorecase, multiline } }
        : {
            kind: "expr",
            expr: { object: { kind: { const: node.kind }, pattern: toExpr(pattern), ignorecase: { const: ignorecase }, multiline: { const: multiline } } },
          };
    const op: IrOperator = node.negated === neg ? "hb_search" : "hb_not_search";
    if (left.kind === "const" && spec.kind === "const") return OPERATOR_FNS[op](left.value, spec.value) ? TRUE : FALSE;
    return this.leaf(op, left, spec);
  }

  private select(node: SelectNode | SelectAttrNode, neg: boolean): B {
    const attr = node.type === "SelectAttr";
    const allowed: readonly string[] = attr ? SELECTATTR_OPERATORS : SELECT_OPERATORS;
    const fn = attr ? "selectattr" : "select";
    const opNode = node.operator;
    if (opNode.type !== "Literal" || typeof opNode.value !== "string" || !allowed.includes(opNode.value)) {
      const shown = opNode.type === "Literal" ? String(opNode.value) : "a non-literal";
      throw conditionSemanticError(opNode.loc, `Operator ${shown} is not supported by ${fn}(); use one of ${allowed.join(", ")}`, opNode.type === "Literal" ? didYouMean(String(opNode.value), allowed) : undefined);
    }
    const selOp = opNode.value as SelectOperator;
    let key: string | undefined;
    if (node.type === "SelectAttr") {
      if (node.key.type !== "Literal" || typeof node.key.value !== "string" || node.key.value === "") {
        throw conditionSemanticError(node.key.loc, "selectattr() needs the attribute key as a string, e.g. selectattr('person.age', '>', 30)");
      }
      key = node.key.value;
    }
    const value = this.operand(node.value);
    if ((selOp === "regex" || selOp === "search" || selOp === "match") && value.kind === "const") {
      this.checkPattern(node.value, value.value, "search");
    }
    const base: Record<string, unknown> = key === undefined ? { op: selOp } : { key, op: selOp };
    const spec: Operand =
      value.kind === "const"
        ? { kind: "const", value: { ...base, value: value.value } }
        : {
            kind: "expr",
            expr: { object: { ...Object.fromEntries(Object.entries(base).map(([k, v]) => [k, { const: v }])), value: toExpr(value) } },
          };
    const positive = node.negated ? "hb_not_" : "hb_";
    let op = `${positive}${fn}` as IrOperator;
    if (neg) op = IR_COMPLEMENT[op];
    const left = this.operand(node.operand);
    if (left.kind === "const" && spec.kind === "const") return OPERATOR_FNS[op](left.value, spec.value) ? TRUE : FALSE;
    return this.leaf(op, left, spec);
  }

  private checkPattern(node: CondNode, value: unknown, kind: SearchKindName): void {
    if (typeof value !== "string") {
      throw conditionSemanticError(node.loc, `A regular expression pattern must be a string, found ${describeValue(value)}`);
    }
    if (buildRegex(kind, value, false, false) === null) {
      throw conditionSemanticError(node.loc, `Invalid regular expression: ${JSON.stringify(value)}`);
    }
  }

  private leaf(op: IrOperator, left: Operand, value: Operand | null): B {
    const valueJson = value === null ? null : valueToJson(value);
    const leaf: IrLeaf =
      left.kind === "ref"
        ? { fact: left.ref.fact, path: left.ref.path, operator: op, value: valueJson }
        : { fact: "hb_expr", params: { expr: toExpr(left) }, operator: op, value: valueJson };
    return { t: "leaf", leaf };
  }

  // ---- operands -----------------------------------------------------------------------------

  operand(node: CondNode): Operand {
    switch (node.type) {
      case "Literal":
        return { kind: "const", value: node.value };
      case "List": {
        const items = node.items.map((i) => this.operand(i));
        if (items.every((i) => i.kind === "const")) {
          return { kind: "const", value: items.map((i) => (i as { value: unknown }).value) };
        }
        return { kind: "expr", expr: { list: items.map(toExpr) } };
      }
      case "Path":
        if (node.root === "vars") return { kind: "const", value: this.varValue(node) };
        return { kind: "ref", ref: this.ref(node) };
      case "Arithmetic": {
        const a = this.operand(node.left);
        const b = this.operand(node.right);
        if (a.kind === "const" && b.kind === "const") {
          const r = arithmetic(node.op, a.value, b.value);
          if (r === undefined) {
            throw conditionSemanticError(node.loc, `Cannot compute ${describeValue(a.value)} ${node.op} ${describeValue(b.value)}`);
          }
          return { kind: "const", value: r };
        }
        return { kind: "expr", expr: { op: node.op, args: [toExpr(a), toExpr(b)] } };
      }
      default:
        throw conditionSemanticError(node.loc, "A test (comparison, is, in, not, and/or) cannot be used as a value here", "add parentheses or split the condition with 'and'");
    }
  }

  private ref(node: PathNode): IrRef {
    const path = formatIrPath(node.segments);
    if (node.root === "event" || node.root === "fact") return { fact: "event", path };
    const first = node.segments[0];
    const bindings = this.ctx.bindings;
    const isBinding =
      typeof first === "string" &&
      (bindings !== undefined ? bindings.includes(first) : /^m_\d+$/.test(first) || node.segments.length >= 2);
    return { fact: isBinding ? "events" : "event", path };
  }

  private varValue(node: PathNode): unknown {
    const v = resolveSegments(this.ctx.vars, node.segments);
    if (v === undefined) {
      throw new HookbookError("HB_ERR_VARS_MISSING", `vars does not contain key: ${formatIrPath(node.segments)}`, {
        location: { line: node.loc.line, col: node.loc.col },
        hint: "pass it with --vars FILE or --env-vars NAME",
      });
    }
    return v;
  }
}

function toExpr(op: Operand): IrExpr {
  if (op.kind === "const") return { const: op.value };
  if (op.kind === "ref") return op.ref;
  return op.expr;
}

function valueToJson(op: Operand): unknown {
  if (op.kind === "ref") return { fact: op.ref.fact, path: op.ref.path };
  if (op.kind === "expr") return { fact: "hb_expr", params: { expr: op.expr } };
  const v = op.value;
  // json-rules-engine reads any object with a "fact" key as a fact reference: keep such constants literal.
  if (typeof v === "object" && v !== null && !Array.isArray(v) && Object.prototype.hasOwnProperty.call(v, "fact")) {
    return { fact: "hb_expr", params: { expr: { const: v } } };
  }
  return v;
}

function simplify(b: B): B {
  if (b.t !== "all" && b.t !== "any") return b;
  const conj = b.t === "all";
  const items: B[] = [];
  for (const raw of b.items) {
    const item = simplify(raw);
    if (item.t === "const") {
      if (item.v === conj) continue; // true in all / false in any
      return conj ? FALSE : TRUE;
    }
    if (item.t === b.t) items.push(...item.items);
    else items.push(item);
  }
  if (items.length === 0) return conj ? TRUE : FALSE;
  if (items.length === 1) return items[0] as B;
  return { t: b.t, items };
}

function emit(b: B): IrNode {
  if (b.t === "leaf") return b.leaf;
  if (b.t === "const") return b.v ? { all: [] } : { not: { all: [] } };
  return b.t === "all" ? { all: b.items.map(emit) } : { any: b.items.map(emit) };
}

function pathText(node: PathNode): string {
  return `${node.root}.${formatIrPath(node.segments)}`.replace(".[", "[");
}

function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (typeof v === "string") return `the string ${JSON.stringify(v)}`;
  if (typeof v === "number") return `the number ${v}`;
  if (typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return "a list";
  return "an object";
}
