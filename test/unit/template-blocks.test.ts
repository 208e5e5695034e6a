import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { renderString, renderValue } from "../../src/rulebook/template/index.js";
import { assertThrowsCode } from "../helpers/errors.js";

const vars = {
  x: 2,
  l: [3, 1, 2],
  d: { a: 1, b: 2 },
  hosts: [{ name: "gpu-1", ok: true }, { name: "gpu-2", ok: false }],
};
const s = (t: string, extra: Record<string, unknown> = {}): string => renderString(t, { ...vars, ...extra });

const throwsCode = assertThrowsCode;

describe("if blocks", () => {
  it("selects the first true branch", () => {
    const t = "{% if x > 5 %}big{% elif x > 1 %}medium{% else %}small{% endif %}";
    assert.equal(s(t), "medium");
    assert.equal(s(t, { x: 9 }), "big");
    assert.equal(s(t, { x: 0 }), "small");
    assert.equal(s("{% if x == 3 %}three{% endif %}"), "");
  });

  it("nests and uses Python truthiness", () => {
    assert.equal(s("{% if l %}{% if not d.c is defined %}no c{% endif %}{% endif %}"), "no c");
    assert.equal(s("{% if [] or {} or '' or 0 or none %}t{% else %}f{% endif %}"), "f");
  });

  it("guards undefined values with is defined", () => {
    assert.equal(s("{% if event is defined and event.x %}x{% else %}none{% endif %}"), "none");
  });
});

describe("for loops", () => {
  it("iterates lists with the loop object", () => {
    const t = "{% for h in hosts %}{{ loop.index }}/{{ loop.length }}:{{ h.name }}{% if not loop.last %}, {% endif %}{% endfor %}";
    assert.equal(s(t), "1/2:gpu-1, 2/2:gpu-2");
    assert.equal(s("{% for i in l %}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{% endfor %}"), "032True121False210False");
    assert.equal(s("{% for i in l %}{{ loop.cycle('odd', 'even') }} {% endfor %}"), "odd even odd ");
    assert.equal(s("{% for i in l %}{{ loop.previtem | default('-') }}{{ loop.nextitem | default('-') }} {% endfor %}"), "-1 32 1- ");
  });

  it("iterates mappings (keys), items() and strings", () => {
    assert.equal(s("{% for k in d %}{{ k }}{% endfor %}"), "ab");
    assert.equal(s("{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}"), "a=1;b=2;");
    assert.equal(s("{% for (k, v) in d | dictsort %}{{ k }}{{ v }}{% endfor %}"), "a1b2");
    assert.equal(s("{% for c in 'ab' %}[{{ c }}]{% endfor %}"), "[a][b]");
  });

  it("supports else and an inline filter", () => {
    assert.equal(s("{% for i in [] %}x{% else %}empty{% endfor %}"), "empty");
    assert.equal(s("{% for h in hosts if h.ok %}{{ h.name }}{{ loop.length }}{% endfor %}"), "gpu-11");
    assert.equal(s("{% for h in hosts if h.name == 'zz' %}x{% else %}none{% endfor %}"), "none");
  });

  it("nests loops with their own loop objects", () => {
    assert.equal(s("{% for a in [[1, 2], [3]] %}{% for b in a %}{{ loop.index }}{{ b }}{% endfor %};{% endfor %}"), "1122;13;");
  });

  it("scopes set inside a loop like Jinja", () => {
    assert.equal(s("{% set y = 5 %}{% for i in [1] %}{% set y = 7 %}{{ y }}{% endfor %}{{ y }}"), "75");
    assert.equal(s("{% set a, b = [1, 2] %}{{ a }}{{ b }}"), "12");
  });

  it("fails on unpacking mismatches and non-iterables", () => {
    throwsCode(() => s("{% for a, b in [[1, 2, 3]] %}{% endfor %}"), "HB_ERR_TEMPLATE_RUNTIME");
    throwsCode(() => s("{% for a in x %}{% endfor %}"), "HB_ERR_TEMPLATE_RUNTIME");
    throwsCode(() => s("{% for a in nope %}{% endfor %}"), "HB_ERR_TEMPLATE_UNDEFINED");
  });

  it("builds a native list only through an expression, not through loop text", () => {
    assert.equal(renderValue("{% for i in l %}{{ i }}{% endfor %}", vars), "312");
    assert.deepEqual(renderValue("{{ l | map('string') | list }}", vars), ["3", "1", "2"]);
  });
});

describe("comments, raw blocks and whitespace control", () => {
  it("drops comments", () => {
    assert.equal(s("a{# comment {{ x }} #}b"), "ab");
    assert.equal(s("a {#- trim -#} b"), "ab");
  });

  it("outputs raw blocks verbatim", () => {
    assert.equal(s("{% raw %}{{ not rendered }}{% endraw %}"), "{{ not rendered }}");
  });

  it("strips whitespace with - markers", () => {
    assert.equal(s("  {%- if true -%}  yes  {%- endif -%}  |  {{- x -}}  |"), "yes|2|");
    assert.equal(s("{% for i in l -%}\n  {{ i }}\n{%- endfor %}"), "312");
  });

  it("keeps newlines after block tags (trim_blocks is off, as in Jinja)", () => {
    assert.equal(s("{% for i in [1, 2] %}\n{{ i }}\n{% endfor %}"), "\n1\n\n2\n");
  });
});

describe("unsupported tags", () => {
  it("reports them as syntax errors", () => {
    for (const t of [
      "{% macro m() %}{% endmacro %}",
      "{% include 'x' %}",
      "{% extends 'x' %}",
      "{% set x %}block{% endset %}",
      "{% for i in l recursive %}{% endfor %}",
      "{% for i in l %}{% break %}{% endfor %}",
    ]) {
      throwsCode(() => s(t), "HB_ERR_TEMPLATE_SYNTAX");
    }
  });
});
