/**
 * AST of the ansible-rulebook condition language (reference §2). Produced by parseCondition(),
 * consumed by compileCondition() and printCondition().
 *
 * Every node carries `loc`: where it starts in the condition text (0-based offset, 1-based
 * line/col). `parens` is set when the node was written inside parentheses (used by the
 * and/or lint and by the printer).
 */

export interface SourceLoc {
  /** 0-based character offset in the condition text. */
  readonly offset: number;
  /** 1-based line within the condition text. */
  readonly line: number;
  /** 1-based column within the line. */
  readonly col: number;
}

export type PathRoot = "event" | "events" | "fact" | "facts" | "vars";

/** A `.ident` / `["key"]` segment is a string; an `[int]` index is a number (negative counts from the end). */
export type PathSegment = string | number;

export type ScalarValue = string | number | boolean | null;

interface NodeBase {
  readonly loc: SourceLoc;
  readonly parens?: boolean;
}

export interface LiteralNode extends NodeBase {
  readonly type: "Literal";
  readonly value: ScalarValue;
  /** "int" | "float" for numbers, "bareword" for unquoted words parsed as strings (ansible quirk). */
  readonly kind: "int" | "float" | "string" | "bareword" | "boolean" | "null";
}

export interface ListNode extends NodeBase {
  readonly type: "List";
  readonly items: readonly CondNode[];
}

export interface PathNode extends NodeBase {
  readonly type: "Path";
  readonly root: PathRoot;
  readonly segments: readonly PathSegment[];
}

export type ArithmeticOp = "+" | "-" | "*" | "/";
export interface ArithmeticNode extends NodeBase {
  readonly type: "Arithmetic";
  readonly op: ArithmeticOp;
  readonly left: CondNode;
  readonly right: CondNode;
}

export type CompareOp = "==" | "!=" | "<" | "<=" | ">" | ">=";
export interface CompareNode extends NodeBase {
  readonly type: "Compare";
  readonly op: CompareOp;
  readonly left: CondNode;
  readonly right: CondNode;
}

export type MembershipOp = "in" | "not in" | "contains" | "not contains";
export interface MembershipNode extends NodeBase {
  readonly type: "Membership";
  readonly op: MembershipOp;
  readonly left: CondNode;
  readonly right: CondNode;
}

export interface IsDefinedNode extends NodeBase {
  readonly type: "IsDefined";
  readonly negated: boolean;
  readonly operand: CondNode;
}

export type SearchKind = "match" | "search" | "regex";
export interface SearchOptions {
  readonly ignorecase?: boolean;
  readonly multiline?: boolean;
}
export interface SearchNode extends NodeBase {
  readonly type: "Search";
  readonly kind: SearchKind;
  readonly negated: boolean;
  readonly operand: CondNode;
  readonly pattern: CondNode;
  readonly options: SearchOptions;
}

export interface SelectNode extends NodeBase {
  readonly type: "Select";
  readonly negated: boolean;
  readonly operand: CondNode;
  /** Validated by the compiler: a string literal naming the operator. */
  readonly operator: CondNode;
  readonly value: CondNode;
}

export interface SelectAttrNode extends NodeBase {
  readonly type: "SelectAttr";
  readonly negated: boolean;
  readonly operand: CondNode;
  /** Validated by the compiler: a string literal, a dotted path inside each element. */
  readonly key: CondNode;
  readonly operator: CondNode;
  readonly value: CondNode;
}

export interface NotNode extends NodeBase {
  readonly type: "Not";
  readonly operand: CondNode;
}

export type LogicalOp = "and" | "or";
export interface LogicalNode extends NodeBase {
  readonly type: "Logical";
  readonly op: LogicalOp;
  readonly left: CondNode;
  readonly right: CondNode;
  /** Location of the `and`/`or` keyword itself. */
  readonly opLoc: SourceLoc;
}

export interface AssignNode extends NodeBase {
  readonly type: "Assign";
  /** `events.NAME << …` or `facts.NAME << …`. */
  readonly alias: { readonly root: "events" | "facts"; readonly name: string };
  readonly condition: CondNode;
}

export type CondNode =
  | LiteralNode
  | ListNode
  | PathNode
  | ArithmeticNode
  | CompareNode
  | MembershipNode
  | IsDefinedNode
  | SearchNode
  | SelectNode
  | SelectAttrNode
  | NotNode
  | LogicalNode
  | AssignNode;
