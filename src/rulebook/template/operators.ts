/** Python arithmetic for `+ - * / // % **` and unary minus/plus (booleans count as 0/1). */
import type { BinaryOp } from "./ast.js";
import { percentFormat } from "./py-percent.js";
import { checkSize, templateRuntimeError } from "./template-error.js";
import { numeric, typeName } from "./values.js";

function unsupported(op: string, a: unknown, b: unknown): never {
  throw templateRuntimeError(`unsupported operand type(s) for ${op}: '${typeName(a)}' and '${typeName(b)}'`);
}

function repeat(seq: string | readonly unknown[], times: number): string | unknown[] {
  const n = Math.max(0, times);
  checkSize(n * seq.length, "repetition");
  if (typeof seq === "string") return seq.repeat(n);
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) out.push(...seq);
  return out;
}

export function pyAdd(a: unknown, b: unknown): unknown {
  const na = numeric(a);
  const nb = numeric(b);
  if (na !== undefined && nb !== undefined) return na + nb;
  if (typeof a === "string" && typeof b === "string") return a + b;
  if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  if (typeof a === "string") throw templateRuntimeError(`can only concatenate str (not "${typeName(b)}") to str`);
  if (Array.isArray(a)) throw templateRuntimeError(`can only concatenate list (not "${typeName(b)}") to list`);
  return unsupported("+", a, b);
}

export function binaryOp(op: BinaryOp, a: unknown, b: unknown): unknown {
  if (op === "+") return pyAdd(a, b);
  const na = numeric(a);
  const nb = numeric(b);
  if (op === "*") {
    if (na !== undefined && nb !== undefined) return na * nb;
    if ((typeof a === "string" || Array.isArray(a)) && nb !== undefined && Number.isInteger(nb)) return repeat(a, nb);
    if ((typeof b === "string" || Array.isArray(b)) && na !== undefined && Number.isInteger(na)) return repeat(b, na);
    return unsupported("*", a, b);
  }
  if (op === "%" && typeof a === "string") return percentFormat(a, b);
  if (na === undefined || nb === undefined) return unsupported(op === "**" ? "** or pow()" : op, a, b);
  switch (op) {
    case "-":
      return na - nb;
    case "/":
      if (nb === 0) throw templateRuntimeError("division by zero");
      return na / nb;
    case "//":
      if (nb === 0) throw templateRuntimeError("integer division or modulo by zero");
      return Math.floor(na / nb);
    case "%": {
      if (nb === 0) throw templateRuntimeError("integer division or modulo by zero");
      const r = na % nb;
      return r !== 0 && r < 0 !== nb < 0 ? r + nb : r;
    }
    case "**":
      if (na === 0 && nb < 0) throw templateRuntimeError("0.0 cannot be raised to a negative power");
      return na ** nb;
    default:
      throw templateRuntimeError(`unknown operator ${op}`);
  }
}

export function unaryOp(op: "-" | "+", v: unknown): number {
  const n = numeric(v);
  if (n === undefined) throw templateRuntimeError(`bad operand type for unary ${op}: '${typeName(v)}'`);
  return op === "-" ? -n : n;
}
