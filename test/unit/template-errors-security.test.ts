import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { isHookbookError } from "../../src/core/errors.js";
import { compileTemplate, renderString, renderValue } from "../../src/rulebook/template/index.js";

function syntaxErrorAt(template: string, col: number, line = 1, message?: RegExp): void {
  assert.throws(
    () => compileTemplate(template),
    (err: unknown) => {
      assert.ok(isHookbookError(err), `expected a HookbookError for ${template}`);
      assert.equal(err.code, "HB_ERR_TEMPLATE_SYNTAX", `${template}: ${err.message}`);
      assert.deepEqual({ line: err.location?.line, col: err.location?.col }, { line, col }, `${template}: ${err.message}`);
      assert.match(err.message, new RegExp(`line ${line}, column ${col}`));
      if (message !== undefined) assert.match(err.message, message);
      return true;
    },
  );
}

function undefinedError(template: string, vars: Record<string, unknown>): void {
  assert.throws(
    () => renderValue(template, vars),
    (err: unknown) => {
      assert.ok(isHookbookError(err), `expected a HookbookError for ${template}`);
      assert.equal(err.code, "HB_ERR_TEMPLATE_UNDEFINED", `${template}: ${err.message}`);
      return true;
    },
  );
}

describe("template syntax errors", () => {
  it("reports the column of the offending token", () => {
    syntaxErrorAt("{{ x + }}", 8, 1, /unexpected end of print statement/);
    syntaxErrorAt("{{ }}", 4, 1, /expected an expression/);
    syntaxErrorAt("hello {{ x | nope }}", 14, 1, /unknown filter 'nope'/);
    syntaxErrorAt("{{ x is nope }}", 9, 1, /unknown test 'nope'/);
    syntaxErrorAt("{{ 'abc }}", 4, 1, /unterminated string/);
    syntaxErrorAt("{{ (1 }}", 7, 1, /expected '\)'/);
    syntaxErrorAt("{{ a ] }}", 6);
    syntaxErrorAt("{{ a $ b }}", 6, 1, /unexpected char/);
    syntaxErrorAt("{{ nope(1) }}", 4, 1, /not callable/);
    syntaxErrorAt("{{ x.toString() }}", 6, 1, /method 'toString\(\)'/);
    syntaxErrorAt("{{ x", 4, 1, /expected '}}'/);
    syntaxErrorAt("{# open", 1, 1, /comment/);
  });

  it("reports the line for multi-line templates", () => {
    syntaxErrorAt("line one\nline two {{ x +\n }}", 2, 3);
    syntaxErrorAt("{% if x %}\n  ok\n", 5, 2, /'endif'/);
    syntaxErrorAt("a\r\n{{ b c }}", 6, 2);
  });

  it("reports stray and unknown tags", () => {
    syntaxErrorAt("{% endif %}", 4, 1, /'endif'/);
    syntaxErrorAt("{% foo %}", 4, 1, /unknown or unsupported tag 'foo'/);
    syntaxErrorAt("{% if x %}{% endfor %}", 14, 1, /'endfor'/);
    syntaxErrorAt("{% for x y %}{% endfor %}", 10, 1, /expected 'in'/);
  });
});

describe("template security", () => {
  const vars = { event: { name: "n", list: [1] }, s: "str" };

  it("never resolves prototype members or dunder names", () => {
    for (const t of [
      "{{ event.__proto__ }}",
      "{{ event.constructor }}",
      "{{ event['constructor'] }}",
      "{{ event['__proto__'] }}",
      "{{ event.prototype }}",
      "{{ event.hasOwnProperty }}",
      "{{ event.toString }}",
      "{{ event.list.map }}",
      "{{ event.list.length }}",
      "{{ s.length }}",
      "{{ s.constructor }}",
      "{{ event.__class__ }}",
      "{{ constructor }}",
      "{{ toString }}",
      "{{ __proto__ }}",
      "{{ loop }}",
    ]) {
      undefinedError(t, vars);
    }
    assert.equal(renderValue("{{ event.constructor is defined }}", vars), false);
    assert.equal(renderValue("{{ event.__proto__ | default('blocked') }}", vars), "blocked");
  });

  it("does not expose blocked own keys either", () => {
    const evil = JSON.parse('{"__proto__": {"x": 1}, "constructor": "c", "ok": 1}') as Record<string, unknown>;
    undefinedError("{{ e.__proto__ }}", { e: evil });
    undefinedError("{{ e.constructor }}", { e: evil });
    assert.equal(renderValue("{{ e.get('constructor', 'no') }}", { e: evil }), "no");
    assert.deepEqual(renderValue("{{ e.keys() | list }}", { e: evil }), ["ok"]);
    assert.deepEqual(renderValue("{{ e | list }}", { e: evil }), ["ok"]);
  });

  it("cannot call anything outside the method allow-list", () => {
    for (const t of [
      "{{ event.constructor.constructor('return process')() }}",
      "{{ s.constructor('x') }}",
      "{{ event.list.map('x') }}",
      "{{ event.list.push(1) }}",
      "{{ (s)() }}",
      "{{ s | upper() () }}",
      "{{ Function('x') }}",
    ]) {
      assert.throws(
        () => compileTemplate(t),
        (err: unknown) => isHookbookError(err) && err.code === "HB_ERR_TEMPLATE_SYNTAX",
        t,
      );
    }
  });

  it("does not pollute prototypes through dict literals, dict() or filters", () => {
    renderValue("{{ {'__proto__': {'polluted': 1}} }}", {});
    renderValue("{{ dict(__proto__={'polluted': 1}) }}", {});
    renderValue("{{ [{'key': '__proto__', 'value': {'polluted': 1}}] | items2dict }}", {});
    renderValue("{{ '{\"__proto__\": {\"polluted\": 1}}' | from_json }}", {});
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    const out = renderValue("{{ {'__proto__': 1} }}", {}) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.equal(Object.getOwnPropertyDescriptor(out, "__proto__")?.value, 1);
  });

  it("cannot assign to reserved names", () => {
    assert.throws(() => compileTemplate("{% set __proto__ = 1 %}"), (err: unknown) => isHookbookError(err) && err.code === "HB_ERR_TEMPLATE_SYNTAX");
    assert.throws(() => compileTemplate("{% set loop = 1 %}"), (err: unknown) => isHookbookError(err) && err.code === "HB_ERR_TEMPLATE_SYNTAX");
  });

  it("ignores non-plain objects passed as variables", () => {
    undefinedError("{{ when.getTime }}", { when: new Date(0) });
    assert.equal(renderString("{{ m.size is defined }}", { m: new Map([["size", 1]]) }), "False");
  });

  it("bounds repetition, range(), padding and loop iterations", () => {
    assert.throws(() => renderString("{{ 'x' * 100000000 }}", {}), (err: unknown) => isHookbookError(err) && err.code === "HB_ERR_TEMPLATE_RUNTIME");
    assert.throws(() => renderString("{{ range(100000000) | length }}", {}), (err: unknown) => isHookbookError(err) && err.code === "HB_ERR_TEMPLATE_RUNTIME");
    const nested = "{% for a in range(2000) %}{% for b in range(2000) %}{% endfor %}{% endfor %}";
    assert.throws(() => renderString(nested, {}), (err: unknown) => isHookbookError(err) && err.code === "HB_ERR_TEMPLATE_RUNTIME");
    assert.throws(() => renderString("{{ 'x' | center(100000000) }}", {}), (err: unknown) => isHookbookError(err) && err.code === "HB_ERR_TEMPLATE_RUNTIME");
    assert.throws(() => renderString("{{ '%100000000s' % 'x' }}", {}), (err: unknown) => isHookbookError(err) && err.code === "HB_ERR_TEMPLATE_RUNTIME");
  });
});
