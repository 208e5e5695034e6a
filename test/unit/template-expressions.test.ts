import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { renderString, renderValue } from "../../src/rulebook/template/index.js";
import { assertThrowsCode } from "../helpers/errors.js";

const vars = {
  x: 2,
  s: "hello World",
  l: [3, 1, 2],
  d: { a: 1, b: "two" },
  event: { name: "host1.example.com", payload: { id: 7, list: ["a", "b", "c"] }, _id: "es-1" },
};

const v = (t: string, extra: Record<string, unknown> = {}): unknown => renderValue(t, { ...vars, ...extra });
const s = (t: string, extra: Record<string, unknown> = {}): string => renderString(t, { ...vars, ...extra });

const throwsCode = assertThrowsCode;

describe("template literals", () => {
  it("parses strings, numbers, booleans, none and containers", () => {
    assert.equal(v("{{ 'single' }}"), "single");
    assert.equal(v('{{ "double" }}'), "double");
    assert.equal(v("{{ 'a' 'b' }}"), "ab");
    assert.equal(v("{{ 42 }}"), 42);
    assert.equal(v("{{ 1_000 }}"), 1000);
    assert.equal(v("{{ 0x1f }}"), 31);
    assert.equal(v("{{ 1.5 }}"), 1.5);
    assert.equal(v("{{ 1e3 }}"), 1000);
    for (const t of ["true", "True"]) assert.equal(v(`{{ ${t} }}`), true);
    for (const f of ["false", "False"]) assert.equal(v(`{{ ${f} }}`), false);
    for (const n of ["none", "None", "null"]) assert.equal(v(`{{ ${n} }}`), null);
    assert.deepEqual(v("{{ [1, 'a', [none],] }}"), [1, "a", [null]]);
    assert.deepEqual(v("{{ {'a': 1, \"b\": [true], 'c': {'d': none},} }}"), { a: 1, b: [true], c: { d: null } });
    assert.deepEqual(v("{{ (1, 2) }}"), [1, 2]);
    assert.deepEqual(v("{{ () }}"), []);
  });

  it("decodes Python string escapes", () => {
    assert.equal(v("{{ 'a\\nb\\t\\x41\\u00e9' }}"), "a\nb\tAé");
    assert.equal(v("{{ 'it\\'s' }}"), "it's");
    assert.equal(v("{{ '\\d+' }}"), "\\d+");
    assert.equal(v("{{ '\\\\1' }}"), "\\1");
    assert.equal(v("{{ '\\1' }}"), "\u0001");
  });

  it("finds the closing braces only outside brackets and strings", () => {
    assert.deepEqual(v("{{ {'a': {'b': 1}} }}"), { a: { b: 1 } });
    assert.equal(v("{{ '}}' }}"), "}}");
  });
});

describe("template names and lookups", () => {
  it("reads attributes and items", () => {
    assert.equal(v("{{ event.name }}"), "host1.example.com");
    assert.equal(v("{{ event['name'] }}"), "host1.example.com");
    assert.equal(v("{{ event.payload['id'] }}"), 7);
    assert.equal(v("{{ event._id }}"), "es-1");
    assert.equal(v("{{ event.payload.list[0] }}"), "a");
    assert.equal(v("{{ event.payload.list.1 }}"), "b");
    assert.equal(v("{{ event.payload.list[-1] }}"), "c");
    assert.equal(v("{{ s[0] }}{{ s[-1] }}"), "hd");
    assert.equal(v("{{ d[key] }}", { key: "b" }), "two");
  });

  it("reads keys that are not identifiers through brackets", () => {
    assert.equal(v("{{ e['x-header'] }} {{ e['ключ'] }}", { e: { "x-header": 1, ключ: 2 } }), "1 2");
  });

  it("slices lists and strings like Python", () => {
    assert.equal(v("{{ sha[:7] }}", { sha: "0123456789abcdef" }), "0123456");
    assert.deepEqual(v("{{ l[1:] }}"), [1, 2]);
    assert.deepEqual(v("{{ l[::-1] }}"), [2, 1, 3]);
    assert.deepEqual(v("{{ l[-2:] }}"), [1, 2]);
    assert.deepEqual(v("{{ l[5:] }}"), []);
    assert.equal(v("{{ 'abcdef'[1:5:2] }}"), "bd");
  });

  it("resolves variables from vars, set and loops", () => {
    assert.equal(s("{% set y = x * 10 %}{{ y }}"), "20");
  });
});

describe("template operators", () => {
  it("does Python arithmetic", () => {
    assert.equal(v("{{ 1 + 2 * 3 }}"), 7);
    assert.equal(v("{{ (1 + 2) * 3 }}"), 9);
    assert.equal(v("{{ 7 / 2 }}"), 3.5);
    assert.equal(v("{{ 7 // 2 }}"), 3);
    assert.equal(v("{{ -7 // 2 }}"), -4);
    assert.equal(v("{{ -7 % 3 }}"), 2);
    assert.equal(v("{{ 7 % -3 }}"), -2);
    assert.equal(v("{{ 2 ** 10 }}"), 1024);
    assert.equal(v("{{ -x }}"), -2);
    assert.equal(v("{{ true + 1 }}"), 2);
    assert.equal(v("{{ 'ab' * 2 }}"), "abab");
    assert.deepEqual(v("{{ l + [4] }}"), [3, 1, 2, 4]);
    assert.equal(v("{{ 'a' + 'b' }}"), "ab");
  });

  it("formats strings with %", () => {
    assert.equal(v("{{ '%s-%03d|%.2f|%x' % ('a', 7, 3.14159, 255) }}"), "a-007|3.14|ff");
    assert.equal(v("{{ '%(n)s!' % {'n': 'hi'} }}"), "hi!");
  });

  it("compares like Python (including chains and numeric booleans)", () => {
    assert.equal(v("{{ x == 2 }}"), true);
    assert.equal(v("{{ x != 2 }}"), false);
    assert.equal(v("{{ 1 < x <= 2 }}"), true);
    assert.equal(v("{{ 1 < x < 2 }}"), false);
    assert.equal(v("{{ x == 2.0 }}"), true);
    assert.equal(v("{{ true == 1 }}"), true);
    assert.equal(v("{{ 'a' < 'b' }}"), true);
    assert.equal(v("{{ [1, 2] < [1, 3] }}"), true);
    assert.equal(v("{{ d == {'b': 'two', 'a': 1} }}"), true);
    assert.equal(v("{{ [1, [2]] == [1, [2]] }}"), true);
  });

  it("tests membership", () => {
    assert.equal(v("{{ 'ell' in s }}"), true);
    assert.equal(v("{{ 2 in l }}"), true);
    assert.equal(v("{{ 'a' in d }}"), true);
    assert.equal(v("{{ 'z' not in d }}"), true);
    assert.equal(v("{{ 1 in [1.0] }}"), true);
  });

  it("short-circuits and returns operands like Python", () => {
    assert.equal(v("{{ x or 5 }}"), 2);
    assert.equal(v("{{ 0 or 'b' }}"), "b");
    assert.equal(v("{{ x and 'y' }}"), "y");
    assert.equal(v("{{ '' and missing }}"), "");
    assert.equal(v("{{ x or missing }}"), 2);
    assert.equal(v("{{ not x }}"), false);
    assert.equal(v("{{ not [] and not {} and not '' and not 0 and not none }}"), true);
  });

  it("has inline if/else", () => {
    assert.equal(v("{{ 'big' if x > 1 else 'small' }}"), "big");
    assert.equal(v("{{ 1 if x == 3 else 2 if x == 2 else 3 }}"), 2);
    assert.equal(s("[{{ 'a' if false }}]"), "[]");
  });

  it("uses Jinja precedence for ~, filters and tests", () => {
    // `~` binds tighter than `+` in Jinja: 1 + (2 ~ 'x') is a TypeError, as in Jinja.
    throwsCode(() => v("{{ 1 + 2 ~ 'x' }}"), "HB_ERR_TEMPLATE_RUNTIME");
    assert.equal(v("{{ (1 + 2) ~ 'x' }}"), "3x");
    assert.equal(v("{{ 2 * 3 ~ 'x' }}"), "6x");
    assert.equal(v("{{ -3 | abs }}"), 3);
    assert.equal(v("{{ x is number and x is not string }}"), true);
    assert.equal(v("{{ not x is defined }}"), false);
    assert.equal(v("{{ 2 ** 3 ** 2 }}"), 64);
  });
});

describe("template methods", () => {
  it("supports the allow-listed str methods", () => {
    assert.deepEqual(v("{{ event.name.split('.') }}"), ["host1", "example", "com"]);
    assert.deepEqual(v("{{ event.name.split('.', 1) }}"), ["host1", "example.com"]);
    assert.deepEqual(v("{{ ' a  b '.split() }}"), ["a", "b"]);
    assert.deepEqual(v("{{ 'a.b.c'.rsplit('.', 1) }}"), ["a.b", "c"]);
    assert.equal(v("{{ s.lower() }}|{{ s.upper() }}|{{ s.capitalize() }}|{{ s.title() }}"), "hello world|HELLO WORLD|Hello world|Hello World");
    assert.equal(v("{{ '  x  '.strip() }}|{{ 'xxaxx'.strip('x') }}|{{ '  x'.lstrip() }}|{{ 'x  '.rstrip() }}"), "x|a|x|x");
    assert.equal(v("{{ s.startswith('hell') }} {{ s.endswith(('x', 'ld')) }}"), "True True");
    assert.equal(v("{{ 'aaa'.replace('a', 'b') }} {{ 'aaa'.replace('a', 'b', 1) }}"), "bbb baa");
    assert.equal(v("{{ ', '.join(['a', 'b']) }}"), "a, b");
    assert.equal(v("{{ 'banana'.count('a') }} {{ 'banana'.find('n') }} {{ 'x'.find('q') }}"), "3 2 -1");
    assert.deepEqual(v("{{ 'a\\nb\\r\\nc'.splitlines() }}"), ["a", "b", "c"]);
    assert.equal(v("{{ '42'.isdigit() }} {{ '7'.zfill(3) }}"), "True 007");
  });

  it("supports mapping methods", () => {
    assert.equal(v("{{ d.get('a') }}"), 1);
    assert.equal(v("{{ d.get('zz') }}"), null);
    assert.equal(v("{{ d.get('zz', 'dflt') }}"), "dflt");
    assert.deepEqual(v("{{ d.keys() | list }}"), ["a", "b"]);
    assert.deepEqual(v("{{ d.values() | list }}"), [1, "two"]);
    assert.deepEqual(v("{{ d.items() | list }}"), [["a", 1], ["b", "two"]]);
  });

  it("supports list methods and globals", () => {
    assert.equal(v("{{ [1, 2, 1].count(1) }} {{ l.index(1) }}"), "2 1");
    assert.deepEqual(v("{{ range(3) | list }}"), [0, 1, 2]);
    assert.deepEqual(v("{{ range(1, 10, 4) | list }}"), [1, 5, 9]);
    assert.deepEqual(v("{{ dict(a=1, b='x') }}"), { a: 1, b: "x" });
  });

  it("fails with UNDEFINED when the value has no such method", () => {
    throwsCode(() => v("{{ l.split(',') }}"), "HB_ERR_TEMPLATE_UNDEFINED");
    throwsCode(() => v("{{ event.missing.split(',') }}"), "HB_ERR_TEMPLATE_UNDEFINED");
  });

  it("rejects methods outside the allow-list at compile time", () => {
    throwsCode(() => v("{{ s.format(1) }}"), "HB_ERR_TEMPLATE_SYNTAX");
    throwsCode(() => v("{{ s.toUpperCase() }}"), "HB_ERR_TEMPLATE_SYNTAX");
    throwsCode(() => v("{{ x(1) }}"), "HB_ERR_TEMPLATE_SYNTAX");
  });
});

describe("template tests and undefined values", () => {
  it("supports `is defined` / `is not defined` without raising", () => {
    assert.equal(v("{{ x is defined }}"), true);
    assert.equal(v("{{ missing is defined }}"), false);
    assert.equal(v("{{ missing is not defined }}"), true);
    assert.equal(v("{{ missing is undefined }}"), true);
    assert.equal(v("{{ event.nope is defined }}"), false);
    assert.equal(v("{{ event.nope.deeper[0] is defined }}"), false);
    assert.equal(v("{{ event.payload.list[9] is defined }}"), false);
  });

  it("supports default / d without raising", () => {
    assert.equal(v("{{ missing | default('dflt') }}"), "dflt");
    assert.equal(v("{{ missing | d(5) }}"), 5);
    assert.deepEqual(v("{{ event.nope.deeper | default([]) }}"), []);
    assert.equal(v("{{ x | default(missing) }}"), 2);
    assert.equal(v("{{ '' | default('empty', true) }}"), "empty");
    assert.equal(v("{{ none | default('n') }}"), null);
    assert.equal(v("{{ missing | default }}"), "");
  });

  it("type tests answer false for undefined values", () => {
    assert.equal(v("{{ missing is string }}"), false);
    assert.equal(v("{{ missing is none }}"), false);
  });

  it("supports the type and value tests", () => {
    const t = (expr: string): unknown => v(`{{ ${expr} }}`);
    assert.equal(t("none is none"), true);
    assert.equal(t("s is string"), true);
    assert.equal(t("x is number and 1.5 is number"), true);
    assert.equal(t("x is integer and 1.5 is float"), true);
    assert.equal(t("d is mapping and not (l is mapping)"), true);
    assert.equal(t("l is sequence and s is sequence and l is iterable"), true);
    assert.equal(t("true is boolean and true is true and false is false"), true);
    assert.equal(t("3 is odd and 4 is even and 9 is divisibleby 3 and 9 is divisibleby(3)"), true);
    assert.equal(t("x is eq 2 and x is equalto(2) and x is ne 3 and x is gt 1 and x is lt(3) and x is ge 2 and x is le 2"), true);
    assert.equal(t("'a' is in 'abc' and 'ab' is lower and 'AB' is upper"), true);
    assert.equal(t("'host42' is match('host\\\\d+') and 'xhost' is search('host') and not ('xhost' is match('host'))"), true);
  });

  it("raises HB_ERR_TEMPLATE_UNDEFINED when an undefined value is used", () => {
    for (const t of [
      "{{ missing }}",
      "{{ event.foo }}",
      "{{ event.foo.bar }}",
      "{{ event['foo'] }}",
      "{{ event.payload.list[9] }}",
      "{{ missing + 1 }}",
      "{{ missing ~ 'a' }}",
      "{{ missing == 1 }}",
      "{{ missing | upper }}",
      "{{ missing is eq 1 }}",
      "{{ [missing] }}",
      "x {{ missing }} y",
      "{% if missing %}a{% endif %}",
      "{% for i in missing %}{% endfor %}",
      "{{ x | default(missing) if false else missing }}",
    ]) {
      throwsCode(() => v(t), "HB_ERR_TEMPLATE_UNDEFINED");
    }
  });

  it("names the missing step in the message", () => {
    assert.throws(() => v("{{ event.foo }}"), /'event' has no attribute 'foo'/);
    assert.throws(() => v("{{ event.payload.nope.deeper }}"), /'event\.payload' has no attribute 'nope'/);
    assert.throws(() => v("{{ missing.a }}"), /'missing' is undefined/);
    assert.throws(() => v("{{ event.payload.list[9] }}"), /'event\.payload\.list' has no element 9/);
  });

  it("raises HB_ERR_TEMPLATE_RUNTIME for Python TypeErrors and ValueErrors", () => {
    for (const t of ["{{ 'a' - 1 }}", "{{ 1 / 0 }}", "{{ 'a' < 1 }}", "{{ 1 in 5 }}", "{{ 'a' + 1 }}", "{{ x | length }}"]) {
      throwsCode(() => v(t), "HB_ERR_TEMPLATE_RUNTIME");
    }
  });
});
