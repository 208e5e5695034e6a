/** Syntax tree of a compiled template. `offset` is the node's position in the normalised source. */

export interface Arguments {
  readonly positional: readonly Expr[];
  readonly keyword: readonly (readonly [string, Expr])[];
}

export type Expr =
  | { readonly kind: "const"; readonly value: unknown; readonly offset: number }
  | { readonly kind: "name"; readonly name: string; readonly offset: number }
  | { readonly kind: "list"; readonly items: readonly Expr[]; readonly offset: number }
  | { readonly kind: "dict"; readonly entries: readonly (readonly [Expr, Expr])[]; readonly offset: number }
  | { readonly kind: "attr"; readonly target: Expr; readonly name: string; readonly offset: number }
  | { readonly kind: "item"; readonly target: Expr; readonly index: Expr; readonly offset: number }
  | {
      readonly kind: "slice";
      readonly target: Expr;
      readonly start: Expr | null;
      readonly stop: Expr | null;
      readonly step: Expr | null;
      readonly offset: number;
    }
  | { readonly kind: "method"; readonly target: Expr; readonly name: string; readonly args: Arguments; readonly offset: number }
  | { readonly kind: "global"; readonly name: string; readonly args: Arguments; readonly offset: number }
  | { readonly kind: "filter"; readonly target: Expr; readonly name: string; readonly args: Arguments; readonly offset: number }
  | {
      readonly kind: "test";
      readonly target: Expr;
      readonly name: string;
      readonly negated: boolean;
      readonly args: Arguments;
      readonly offset: number;
    }
  | { readonly kind: "unary"; readonly op: "-" | "+" | "not"; readonly operand: Expr; readonly offset: number }
  | { readonly kind: "binary"; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr; readonly offset: number }
  | { readonly kind: "and" | "or"; readonly left: Expr; readonly right: Expr; readonly offset: number }
  | {
      readonly kind: "compare";
      readonly first: Expr;
      readonly rest: readonly (readonly [CompareOp, Expr])[];
      readonly offset: number;
    }
  | { readonly kind: "cond"; readonly test: Expr; readonly then: Expr; readonly otherwise: Expr | null; readonly offset: number };

export type BinaryOp = "+" | "-" | "*" | "/" | "//" | "%" | "**" | "~";
export type CompareOp = "==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not in";

/** An assignment target: one name or a tuple of names (`for k, v in …`). */
export type Target = { readonly kind: "name"; readonly name: string } | { readonly kind: "tuple"; readonly names: readonly string[] };

export type Node =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "output"; readonly expr: Expr }
  | {
      readonly kind: "if";
      readonly branches: readonly { readonly test: Expr; readonly body: readonly Node[] }[];
      readonly otherwise: readonly Node[];
    }
  | {
      readonly kind: "for";
      readonly target: Target;
      readonly iter: Expr;
      readonly filter: Expr | null;
      readonly body: readonly Node[];
      readonly otherwise: readonly Node[];
      readonly offset: number;
    }
  | { readonly kind: "set"; readonly target: Target; readonly value: Expr; readonly offset: number };
