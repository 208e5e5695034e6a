/**
 * The condition IR: json-rules-engine TopLevelCondition JSON with hookbook's custom operators.
 *
 * Shape
 *   top level      { all: [...] } | { any: [...] } | { not: {...} }   (never a bare leaf)
 *   constant true  { all: [] }          constant false  { not: { all: [] } }
 *   leaf           { fact, path, operator, value }   or   { fact: "hb_expr", params: { expr }, operator, value }
 *
 * Facts
 *   "event"    the object being matched (`event.` and `fact.` in the condition text).
 *   "events"   the bindings of a multi-condition rule: { m_0: obj, m_1: obj, <alias>: obj }
 *              (`events.NAME…` / `facts.NAME…` when NAME is a binding).
 *   "hb_expr"  a computed value; params.expr is an IrExpr (below). Used for arithmetic and for
 *              list/object values that contain paths.
 *
 * Paths are plain canonical strings, not JSONPath: identifier keys joined with ".", other keys
 * as ["json string"], list indexes as [n] (negative counts from the end), e.g.
 * `alert.labels["gpu-type"][0]`. See ir-path.ts.
 *
 * Values: a JSON literal; a reference { fact: "event"|"events", path }; or
 * { fact: "hb_expr", params: { expr } }.
 *
 * IrExpr: { const: v } | { fact, path } | { op: "+"|"-"|"*"|"/", args: [a, b] }
 *         | { list: [IrExpr…] } | { object: { key: IrExpr } }.
 * Arithmetic is numeric (`+` also joins two strings); any undefined part, a non-number operand or a
 * division by zero makes the whole expression undefined, and an undefined side never matches.
 *
 * Operators (Drools semantics: an undefined (missing) side makes every operator false, in both
 * polarities; only hb_not_defined matches absence; `not` is pushed down to the leaves using the
 * complementary operator, so a negated test still requires presence):
 *   hb_eq / hb_ne             equality: null equals only null; int/float numeric (3 == 3.0);
 *                             no string↔number or bool↔number coercion; lists/objects deep.
 *   hb_gt hb_ge hb_lt hb_le   ordering of two numbers or two strings; other pairs are false.
 *   hb_in / hb_not_in         left value is (not) an element of the right list (a non-list right
 *                             side is a one-element list).
 *   hb_contains / hb_not_contains  left list does (not) contain the right value (a non-list left
 *                             side is a one-element list).
 *   hb_defined / hb_not_defined    presence (null counts as defined). value: null.
 *   hb_is_true                left is boolean true (a bare path condition). value: null.
 *   hb_is_falsy               left is present and falsy: null, false, 0, "", [], {} (`not event.x`).
 *   hb_search / hb_not_search value { kind: "match"|"search"|"regex", pattern, ignorecase, multiline }.
 *                             match is anchored at the start (any line with multiline); search and
 *                             regex are unanchored. Non-string left values are stringified;
 *                             null/undefined left → false for both.
 *   hb_select                 value { op, value }: some element satisfies (`is select`).
 *   hb_not_select             not every element satisfies (`is not select`, as the code does).
 *   hb_select_all / hb_select_none  complements of the two above (negation push-down).
 *                             ops: == != > >= < <= regex search match (all unanchored).
 *   hb_selectattr / hb_not_selectattr / hb_selectattr_all / hb_selectattr_none
 *                             value { key: "dotted.path", op, value }; ops add in, not in,
 *                             contains, not contains; an element lacking the key never satisfies.
 *   For select/selectattr a non-list left value is a one-element list; null/undefined → false.
 */

export type IrFact = "event" | "events";

export interface IrRef {
  readonly fact: IrFact;
  readonly path: string;
}

export type IrExpr =
  | { readonly const: unknown }
  | IrRef
  | { readonly op: "+" | "-" | "*" | "/"; readonly args: readonly [IrExpr, IrExpr] }
  | { readonly list: readonly IrExpr[] }
  | { readonly object: Readonly<Record<string, IrExpr>> };

export interface IrExprFact {
  readonly fact: "hb_expr";
  readonly params: { readonly expr: IrExpr };
}

export const IR_OPERATORS = [
  "hb_eq",
  "hb_ne",
  "hb_gt",
  "hb_ge",
  "hb_lt",
  "hb_le",
  "hb_in",
  "hb_not_in",
  "hb_contains",
  "hb_not_contains",
  "hb_defined",
  "hb_not_defined",
  "hb_is_true",
  "hb_is_falsy",
  "hb_search",
  "hb_not_search",
  "hb_select",
  "hb_not_select",
  "hb_select_all",
  "hb_select_none",
  "hb_selectattr",
  "hb_not_selectattr",
  "hb_selectattr_all",
  "hb_selectattr_none",
] as const;

export type IrOperator = (typeof IR_OPERATORS)[number];

export interface IrPathLeaf {
  readonly fact: IrFact;
  readonly path: string;
  readonly operator: IrOperator;
  readonly value: unknown;
}

export interface IrExprLeaf {
  readonly fact: "hb_expr";
  readonly params: { readonly expr: IrExpr };
  readonly operator: IrOperator;
  readonly value: unknown;
}

export type IrLeaf = IrPathLeaf | IrExprLeaf;

export type IrTopLevel =
  | { readonly all: readonly IrNode[] }
  | { readonly any: readonly IrNode[] }
  | { readonly not: IrNode };

export type IrNode = IrTopLevel | IrLeaf;

/** The operator that holds exactly when the given one does not (for a present left side). */
export const IR_COMPLEMENT: Readonly<Record<IrOperator, IrOperator>> = {
  hb_eq: "hb_ne",
  hb_ne: "hb_eq",
  hb_gt: "hb_le",
  hb_le: "hb_gt",
  hb_lt: "hb_ge",
  hb_ge: "hb_lt",
  hb_in: "hb_not_in",
  hb_not_in: "hb_in",
  hb_contains: "hb_not_contains",
  hb_not_contains: "hb_contains",
  hb_defined: "hb_not_defined",
  hb_not_defined: "hb_defined",
  hb_is_true: "hb_is_falsy",
  hb_is_falsy: "hb_is_true",
  hb_search: "hb_not_search",
  hb_not_search: "hb_search",
  hb_select: "hb_select_none",
  hb_select_none: "hb_select",
  hb_not_select: "hb_select_all",
  hb_select_all: "hb_not_select",
  hb_selectattr: "hb_selectattr_none",
  hb_selectattr_none: "hb_selectattr",
  hb_not_selectattr: "hb_selectattr_all",
  hb_selectattr_all: "hb_not_selectattr",
};

/** Operators whose sides can be swapped: `a OP b` ⇔ `b MIRROR(OP) a`. */
export const IR_MIRROR: Readonly<Partial<Record<IrOperator, IrOperator>>> = {
  hb_eq: "hb_eq",
  hb_ne: "hb_ne",
  hb_gt: "hb_lt",
  hb_lt: "hb_gt",
  hb_ge: "hb_le",
  hb_le: "hb_ge",
  hb_in: "hb_contains",
  hb_contains: "hb_in",
  hb_not_in: "hb_not_contains",
  hb_not_contains: "hb_not_in",
};

export const SELECT_OPERATORS = ["==", "!=", ">", ">=", "<", "<=", "regex", "search", "match"] as const;
export const SELECTATTR_OPERATORS = [...SELECT_OPERATORS, "in", "not in", "contains", "not contains"] as const;
export type SelectOperator = (typeof SELECTATTR_OPERATORS)[number];

export function isIrRef(v: unknown): v is IrRef {
  return typeof v === "object" && v !== null && !Array.isArray(v) && ((v as { fact?: unknown }).fact === "event" || (v as { fact?: unknown }).fact === "events");
}

export function isIrExprFact(v: unknown): v is IrExprFact {
  return typeof v === "object" && v !== null && !Array.isArray(v) && (v as { fact?: unknown }).fact === "hb_expr";
}
