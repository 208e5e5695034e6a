import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { compileTemplate, hasTemplateSyntax, renderString, renderValue } from "../../src/rulebook/template/index.js";

const vars = {
  my_int: 2,
  my_bool: true,
  my_float: 3.123,
  my_null: null,
  my_str: "hello",
  my_list: [1, "a", null, true, 1.5],
  my_dict: { a: 1, b: "two", c: [false] },
  event: { name: "host1.net", payload: { id: 7, tags: ["x", "y"] } },
};

describe("renderValue: native types for a single expression", () => {
  it("keeps int, bool, float and null (test 72)", () => {
    assert.equal(renderValue("{{ my_int }}", vars), 2);
    assert.equal(renderValue("{{ my_bool }}", vars), true);
    assert.equal(renderValue("{{ my_float }}", vars), 3.123);
    assert.equal(renderValue("{{ my_null }}", vars), null);
  });

  it("keeps lists and mappings", () => {
    assert.deepEqual(renderValue("{{ my_list }}", vars), [1, "a", null, true, 1.5]);
    assert.deepEqual(renderValue("{{ event.payload }}", vars), { id: 7, tags: ["x", "y"] });
    assert.deepEqual(renderValue("{{ {'k': my_int, 'l': [1, 2]} }}", vars), { k: 2, l: [1, 2] });
  });

  it("computes native values of expressions", () => {
    assert.equal(renderValue("{{ my_int + 1 }}", vars), 3);
    assert.equal(renderValue("{{ my_int > 1 }}", vars), true);
    assert.equal(renderValue("{{ event.payload.tags | length }}", vars), 2);
    assert.equal(renderValue("{{ '42' | int }}", vars), 42);
  });

  it("allows whitespace around the single expression", () => {
    assert.equal(renderValue("  {{ my_int }}  ", vars), 2);
    assert.equal(renderValue("{{ my_int }}\n", vars), 2);
    assert.equal(renderValue("\n {{ my_bool }}\t", vars), true);
  });

  it("a string value keeps the surrounding text (as Jinja prints it)", () => {
    assert.equal(renderValue("{{ my_str }}", vars), "hello");
    assert.equal(renderValue(" {{ my_str }} ", vars), " hello ");
    assert.equal(renderValue(" {{ event.name | replace('.com', '') }} ", vars), " host1.net ");
  });

  it("does not literal_eval string results (digits stay a string)", () => {
    assert.equal(renderValue("{{ s }}", { s: "1234567" }), "1234567");
    assert.equal(renderValue("{{ s }}", { s: "True" }), "True");
  });

  it("a single native value produced inside a block is native too", () => {
    assert.equal(renderValue("{% if my_bool %}{{ my_int }}{% else %}{{ my_str }}{% endif %}", vars), 2);
  });

  it("a template with no output renders as null", () => {
    assert.equal(renderValue("{% if false %}x{% endif %}", vars), null);
    assert.equal(renderValue("{# only a comment #}", vars), null);
  });
});

describe("renderValue: mixed text", () => {
  it("formats values like Python str()", () => {
    assert.equal(renderValue("b={{ my_bool }} n={{ my_null }} i={{ my_int }} f={{ my_float }}", vars), "b=True n=None i=2 f=3.123");
    assert.equal(renderValue("l={{ my_list }}", vars), "l=[1, 'a', None, True, 1.5]");
    assert.equal(renderValue("d={{ my_dict }}", vars), "d={'a': 1, 'b': 'two', 'c': [False]}");
  });

  it("formats floats like Python repr", () => {
    assert.equal(renderString("{{ 0.1 + 0.2 }}", {}), "0.30000000000000004");
    assert.equal(renderString("{{ 1e-5 }} {{ 0.0001 }} {{ 1.5e300 }} {{ 1e16 }} {{ 123456.5 }}", {}), "1e-05 0.0001 1.5e+300 1e+16 123456.5");
    assert.equal(renderString("{{ 7 / 2 }} {{ 2 ** -1 }} {{ -0.5 }}", {}), "3.5 0.5 -0.5");
  });

  it("prints integral numbers without .0 (documented difference from Python floats)", () => {
    assert.equal(renderString("{{ 4 / 2 }} {{ 3.0 }}", {}), "2 3");
  });

  it("quotes strings inside containers like Python repr", () => {
    assert.equal(renderString("{{ ['it\\'s', 'say \"hi\"', 'a\\nb', 'é'] }}", {}), `["it's", 'say "hi"', 'a\\nb', 'é']`);
    assert.equal(renderString("{{ {'q': \"both ' and \\\"\"} }}", {}), `{'q': 'both \\' and "'}`);
  });

  it("concatenation with ~ uses str()", () => {
    assert.equal(renderValue("{{ 'n' ~ my_int ~ my_bool ~ my_null }}", vars), "n2TrueNone");
  });

  it("two expressions make a string", () => {
    assert.equal(renderValue("{{ my_int }}{{ my_int }}", vars), "22");
  });

  it("drops one trailing newline and normalises CRLF like Jinja", () => {
    assert.equal(renderString("a {{ my_int }}\n", vars), "a 2");
    assert.equal(renderString("a\r\nb {{ my_int }}\n\n", vars), "a\nb 2\n");
  });
});

describe("renderValue: structures", () => {
  it("renders strings inside nested objects and arrays, leaving keys and other values alone", () => {
    const input = {
      "{{ key }}": "{{ my_int }}",
      nested: { list: ["{{ event.name }}", 5, true, null, { deep: "id={{ event.payload.id }}" }] },
      plain: "no template here",
      num: 1.5,
    };
    assert.deepEqual(renderValue(input, vars), {
      "{{ key }}": 2,
      nested: { list: ["host1.net", 5, true, null, { deep: "id=7" }] },
      plain: "no template here",
      num: 1.5,
    });
  });

  it("does not mutate the input", () => {
    const input = { a: ["{{ my_int }}"] };
    renderValue(input, vars);
    assert.deepEqual(input, { a: ["{{ my_int }}"] });
  });

  it("passes through non-string scalars", () => {
    assert.equal(renderValue(5, vars), 5);
    assert.equal(renderValue(false, vars), false);
    assert.equal(renderValue(null, vars), null);
    assert.equal(renderValue(undefined, vars), undefined);
  });

  it("only renders strings with a complete delimiter pair", () => {
    assert.equal(renderValue("50% off {", vars), "50% off {");
    assert.equal(renderValue("a {{ b", vars), "a {{ b");
    assert.equal(renderValue("text\n", vars), "text\n");
    assert.equal(hasTemplateSyntax("{{ x }}"), true);
    assert.equal(hasTemplateSyntax("{% if x %}y{% endif %}"), true);
    assert.equal(hasTemplateSyntax("{# c #}"), true);
    assert.equal(hasTemplateSyntax("{ x }"), false);
  });

  it("keeps a __proto__ key as plain data", () => {
    const input = JSON.parse('{"__proto__": {"polluted": "{{ my_int }}"}}') as Record<string, unknown>;
    const out = renderValue(input, vars) as Record<string, unknown>;
    assert.deepEqual(Object.keys(out), ["__proto__"]);
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.equal((Object.getOwnPropertyDescriptor(out, "__proto__")?.value as Record<string, unknown>).polluted, 2);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});

describe("compileTemplate", () => {
  it("caches compiled templates", () => {
    const a = compileTemplate("cache {{ x }}");
    const b = compileTemplate("cache {{ x }}");
    assert.equal(a, b);
    assert.equal(a.render({ x: 1 }), "cache 1");
    assert.equal(a.renderString({ x: [1] }), "cache [1]");
    assert.equal(a.source, "cache {{ x }}");
  });

  it("renders with different variables each time", () => {
    const t = compileTemplate("{{ n * 2 }}");
    assert.equal(t.render({ n: 2 }), 4);
    assert.equal(t.render({ n: 5 }), 10);
    assert.equal(t.renderString({ n: 5 }), "10");
  });

  it("renderString always returns text", () => {
    assert.equal(renderString("{{ my_int }}", vars), "2");
    assert.equal(renderString("{{ my_list }}", vars), "[1, 'a', None, True, 1.5]");
    assert.equal(renderString("plain", vars), "plain");
  });
});
