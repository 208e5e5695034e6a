/** Expression evaluator over the AST, with Python/Jinja semantics and chainable strict undefined. */
import type { Arguments, CompareOp, Expr } from "./ast.js";
import type { CallArgs } from "./call-args.js";
import { applyFilter, filterTakesUndefinedArgs } from "./filters.js";
import { runTest } from "./jinja-tests.js";
import { callGlobal, callMethod } from "./methods.js";
import { binaryOp, unaryOp } from "./operators.js";
import { pyRepr, pyStr } from "./py-format.js";
import { Undefined, strict } from "./undefined.js";
import { getAttr, getItem, hasOwnKey, isMapping, pyCompare, pyContains, pyEquals, setOwn, sliceValue, truthy } from "./values.js";

/** Variable scope: the caller's variables at the root, `set` and loop variables in nested frames. */
export class Frame {
  private readonly locals = new Map<string, unknown>();

  constructor(
    private readonly vars: Readonly<Record<string, unknown>>,
    private readonly parent: Frame | null = null,
  ) {}

  lookup(name: string): unknown {
    if (this.locals.has(name)) return this.locals.get(name);
    if (this.parent !== null) return this.parent.lookup(name);
    const vars = this.vars as Record<string, unknown>;
    if (isMapping(vars) && hasOwnKey(vars, name)) return vars[name];
    return new Undefined(`'${name}' is undefined`);
  }

  set(name: string, value: unknown): void {
    this.locals.set(name, value);
  }

  child(): Frame {
    return new Frame(this.vars, this);
  }
}

/** Source-like text of an expression, for messages ("'event.payload' has no attribute 'x'"). */
export function describe(e: Expr): string {
  switch (e.kind) {
    case "name":
      return e.name;
    case "attr":
      return `${describe(e.target)}.${e.name}`;
    case "item":
      return `${describe(e.target)}[${e.index.kind === "const" ? pyRepr(e.index.value) : describe(e.index)}]`;
    case "const": {
      const text = pyRepr(e.value);
      return text.length > 40 ? `${text.slice(0, 37)}...` : text;
    }
    case "method":
      return `${describe(e.target)}.${e.name}(…)`;
    case "filter":
      return `${describe(e.target)} | ${e.name}`;
    case "slice":
      return `${describe(e.target)}[…:…]`;
    case "global":
      return `${e.name}(…)`;
    default:
      return "expression";
  }
}

function evalArgs(args: Arguments, frame: Frame, strictArgs: boolean): CallArgs {
  const get = (e: Expr): unknown => (strictArgs ? strict(evaluate(e, frame)) : evaluate(e, frame));
  return {
    positional: args.positional.map(get),
    keyword: new Map(args.keyword.map(([k, e]) => [k, get(e)] as const)),
  };
}

function compare(op: CompareOp, a: unknown, b: unknown): boolean {
  switch (op) {
    case "==":
      return pyEquals(a, b);
    case "!=":
      return !pyEquals(a, b);
    case "in":
      return pyContains(b, a);
    case "not in":
      return !pyContains(b, a);
    case "<":
      return pyCompare(a, b, op) < 0;
    case "<=":
      return pyCompare(a, b, op) <= 0;
    case ">":
      return pyCompare(a, b, op) > 0;
    case ">=":
      return pyCompare(a, b, op) >= 0;
  }
}

export function evaluate(e: Expr, frame: Frame): unknown {
  switch (e.kind) {
    case "const":
      return e.value;
    case "name":
      return frame.lookup(e.name);
    case "list":
      return e.items.map((item) => strict(evaluate(item, frame)));
    case "dict": {
      const out: Record<string, unknown> = {};
      for (const [k, v] of e.entries) {
        const key = strict(evaluate(k, frame));
        setOwn(out, typeof key === "string" ? key : pyStr(key), strict(evaluate(v, frame)));
      }
      return out;
    }
    case "attr":
      return getAttr(evaluate(e.target, frame), e.name, () => describe(e.target));
    case "item":
      return getItem(evaluate(e.target, frame), strict(evaluate(e.index, frame)), () => describe(e.target));
    case "slice": {
      const bound = (b: Expr | null): unknown => (b === null ? null : strict(evaluate(b, frame)));
      return sliceValue(evaluate(e.target, frame), bound(e.start), bound(e.stop), bound(e.step));
    }
    case "method":
      return callMethod(e.name, evaluate(e.target, frame), evalArgs(e.args, frame, true), () => describe(e.target));
    case "global":
      return callGlobal(e.name, evalArgs(e.args, frame, true));
    case "filter":
      return applyFilter(e.name, evaluate(e.target, frame), evalArgs(e.args, frame, !filterTakesUndefinedArgs(e.name)));
    case "test": {
      const result = runTest(e.name, evaluate(e.target, frame), evalArgs(e.args, frame, true));
      return e.negated ? !result : result;
    }
    case "unary":
      if (e.op === "not") return !truthy(evaluate(e.operand, frame));
      return unaryOp(e.op, strict(evaluate(e.operand, frame)));
    case "binary": {
      const left = evaluate(e.left, frame);
      const right = evaluate(e.right, frame);
      if (e.op === "~") return pyStr(left) + pyStr(right);
      return binaryOp(e.op, strict(left), strict(right));
    }
    case "and": {
      const left = evaluate(e.left, frame);
      return truthy(left) ? evaluate(e.right, frame) : left;
    }
    case "or": {
      const left = evaluate(e.left, frame);
      return truthy(left) ? left : evaluate(e.right, frame);
    }
    case "compare": {
      let left = strict(evaluate(e.first, frame));
      for (const [op, expr] of e.rest) {
        const right = strict(evaluate(expr, frame));
        if (!compare(op, left, right)) return false;
        left = right;
      }
      return true;
    }
    case "cond":
      if (truthy(evaluate(e.test, frame))) return evaluate(e.then, frame);
      if (e.otherwise !== null) return evaluate(e.otherwise, frame);
      return new Undefined("the inline if-expression evaluated to false and has no else section", true);
  }
}
