/**
 * Evaluation of IrExpr (the params of the "hb_expr" fact; see ir.ts). Any undefined part makes
 * the result undefined, which no operator matches.
 */
import type { IrExpr, IrRef } from "./ir.js";
import { arithmetic } from "./semantics.js";

export function evalIrExpr(expr: IrExpr, resolve: (ref: IrRef) => unknown): unknown {
  if ("const" in expr) return expr.const;
  if ("fact" in expr) return resolve(expr);
  if ("op" in expr) {
    const a = evalIrExpr(expr.args[0], resolve);
    if (a === undefined) return undefined;
    const b = evalIrExpr(expr.args[1], resolve);
    if (b === undefined) return undefined;
    return arithmetic(expr.op, a, b);
  }
  if ("list" in expr) {
    const out: unknown[] = [];
    for (const item of expr.list) {
      const v = evalIrExpr(item, resolve);
      if (v === undefined) return undefined;
      out.push(v);
    }
    return out;
  }
  const obj: Record<string, unknown> = {};
  for (const [k, e] of Object.entries(expr.object)) {
    const v = evalIrExpr(e, resolve);
    if (v === undefined) return undefined;
    obj[k] = v;
  }
  return obj;
}
