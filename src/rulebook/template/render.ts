/**
 * Rendering of action arguments the way ansible-rulebook does it (Jinja2 NativeEnvironment with
 * StrictUndefined), with compiled templates cached.
 *
 * Result type of a template (native rendering):
 *  - the output is exactly one `{{ … }}` value, optionally surrounded by whitespace-only text, and
 *    that value is not a string → the value itself (int, float, bool, null, list, mapping);
 *    e.g. "{{ my_int }}" → 2, "{{ event.tags }}" → the list. (Jinja would turn " {{ 2 }} " into the
 *    string " 2 "; we return 2, which is what the author means.)
 *  - no output at all (e.g. "{% if false %}x{% endif %}") → null, as Jinja's native mode does;
 *  - anything else → one string, each value converted with Python's str() (see py-format.ts), so a
 *    string value keeps its surrounding whitespace.
 * Deliberate difference from NativeEnvironment: the rendered *text* is never re-parsed with
 * ast.literal_eval, so "{{ event.sha }}" with the string "1234567" stays a string and "{{ a }}{{ b }}"
 * stays a string.
 *
 * renderValue only treats a string as a template when it contains a complete delimiter pair
 * (`{{`…`}}`, `{%`…`%}` or `{#`…`#}`); ansible-rulebook renders only `{{`…`}}` strings, so strings with
 * only block tags or comments are an extension. Other strings are returned unchanged (no trailing
 * newline stripping).
 */
import type { Node, Target } from "./ast.js";
import { Frame, evaluate } from "./evaluate.js";
import { normaliseSource } from "./lexer.js";
import { LOOP_INDEX } from "./methods.js";
import { pyStr } from "./py-format.js";
import { MAX_BUILD_SIZE, templateRuntimeError } from "./template-error.js";
import { parseTemplate } from "./template-parser.js";
import { Undefined } from "./undefined.js";
import { isMapping, iterate, setOwn, truthy } from "./values.js";

export type TemplateVars = Readonly<Record<string, unknown>>;

export interface CompiledTemplate {
  /** The template text as given. */
  readonly source: string;
  /** Renders with native types (see the module comment). */
  render(vars: TemplateVars): unknown;
  /** Renders to text (Python str() of every value). */
  renderString(vars: TemplateVars): string;
}

type Chunk = string | { readonly value: unknown };

const CACHE_LIMIT = 2000;
const cache = new Map<string, CompiledTemplate>();

export function hasTemplateSyntax(s: string): boolean {
  return (
    (s.includes("{{") && s.includes("}}")) || (s.includes("{%") && s.includes("%}")) || (s.includes("{#") && s.includes("#}"))
  );
}

/** Compiles (or fetches from the cache) a template. Throws HB_ERR_TEMPLATE_SYNTAX. */
export function compileTemplate(template: string): CompiledTemplate {
  const hit = cache.get(template);
  if (hit !== undefined) {
    cache.delete(template);
    cache.set(template, hit);
    return hit;
  }
  const nodes = parseTemplate(normaliseSource(template));
  const compiled: CompiledTemplate = {
    source: template,
    render: (vars) => finishNative(run(nodes, vars)),
    renderString: (vars) => join(run(nodes, vars)),
  };
  if (cache.size >= CACHE_LIMIT) {
    const oldest = cache.keys().next();
    if (oldest.done !== true) cache.delete(oldest.value);
  }
  cache.set(template, compiled);
  return compiled;
}

export function renderString(template: string, vars: TemplateVars): string {
  return compileTemplate(template).renderString(vars);
}

/** Renders every string inside `value` (objects and arrays recursively, keys untouched). */
export function renderValue(value: unknown, vars: TemplateVars): unknown {
  if (typeof value === "string") return hasTemplateSyntax(value) ? compileTemplate(value).render(vars) : value;
  if (Array.isArray(value)) return value.map((item) => renderValue(item, vars));
  if (isMapping(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) setOwn(out, key, renderValue(value[key], vars));
    return out;
  }
  return value;
}

interface Budget {
  /** Loop iterations left for this rendering. */
  iterations: number;
}

function run(nodes: readonly Node[], vars: TemplateVars): Chunk[] {
  const out: Chunk[] = [];
  execute(nodes, new Frame(vars), out, { iterations: MAX_BUILD_SIZE });
  return out;
}

function join(chunks: readonly Chunk[]): string {
  let s = "";
  for (const c of chunks) s += typeof c === "string" ? c : pyStr(c.value);
  return s;
}

function finishNative(chunks: readonly Chunk[]): unknown {
  if (chunks.length === 0) return null;
  let single: { readonly value: unknown } | undefined;
  let count = 0;
  for (const c of chunks) {
    if (typeof c === "string") {
      if (c.trim() !== "") return join(chunks);
    } else {
      single = c;
      count++;
    }
  }
  if (count === 1 && single !== undefined) {
    const v = single.value;
    if (typeof v !== "string" && !(v instanceof Undefined)) return v;
  }
  return join(chunks);
}

function assign(frame: Frame, target: Target, value: unknown): void {
  if (target.kind === "name") {
    frame.set(target.name, value);
    return;
  }
  const items = iterate(value);
  if (items.length !== target.names.length) {
    const what = items.length > target.names.length ? "too many" : "not enough";
    throw templateRuntimeError(`${what} values to unpack (expected ${target.names.length}, got ${items.length})`);
  }
  target.names.forEach((name, i) => frame.set(name, items[i]));
}

function loopObject(index: number, items: readonly unknown[]): Record<string, unknown> {
  const length = items.length;
  const loop: Record<string, unknown> & { [LOOP_INDEX]?: number } = Object.create(null) as Record<string, unknown>;
  Object.assign(loop, {
    index: index + 1,
    index0: index,
    revindex: length - index,
    revindex0: length - index - 1,
    first: index === 0,
    last: index === length - 1,
    length,
    depth: 1,
    depth0: 0,
  });
  if (index > 0) loop.previtem = items[index - 1];
  if (index < length - 1) loop.nextitem = items[index + 1];
  loop[LOOP_INDEX] = index;
  return loop;
}

function execute(nodes: readonly Node[], frame: Frame, out: Chunk[], budget: Budget): void {
  for (const node of nodes) {
    switch (node.kind) {
      case "text":
        out.push(node.text);
        break;
      case "output":
        out.push({ value: evaluate(node.expr, frame) });
        break;
      case "set":
        assign(frame, node.target, evaluate(node.value, frame));
        break;
      case "if": {
        const branch = node.branches.find((b) => truthy(evaluate(b.test, frame)));
        execute(branch === undefined ? node.otherwise : branch.body, frame, out, budget);
        break;
      }
      case "for": {
        let items = iterate(evaluate(node.iter, frame));
        const filter = node.filter;
        if (filter !== null) {
          items = items.filter((item) => {
            const f = frame.child();
            assign(f, node.target, item);
            return truthy(evaluate(filter, f));
          });
        }
        if (items.length === 0) {
          execute(node.otherwise, frame, out, budget);
          break;
        }
        budget.iterations -= items.length;
        if (budget.iterations < 0) throw templateRuntimeError(`loops may run at most ${MAX_BUILD_SIZE} iterations per rendering`);
        items.forEach((item, i) => {
          const f = frame.child();
          assign(f, node.target, item);
          f.set("loop", loopObject(i, items));
          execute(node.body, f, out, budget);
        });
        break;
      }
    }
  }
}
