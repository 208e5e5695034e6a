import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { filterNames, renderString, renderValue } from "../../src/rulebook/template/index.js";
import { assertThrowsCode } from "../helpers/errors.js";

const vars = {
  s: "hello World",
  l: [3, 1, 2],
  d: { b: 1, a: "two" },
  people: [
    { name: "Ann", age: 40, team: { id: "t1" } },
    { name: "Bob", age: 25, team: { id: "t2" } },
    { name: "Cy", age: 33 },
  ],
};

const v = (t: string, extra: Record<string, unknown> = {}): unknown => renderValue(t, { ...vars, ...extra });
const s = (t: string, extra: Record<string, unknown> = {}): string => renderString(t, { ...vars, ...extra });

const throwsCode = assertThrowsCode;

describe("string filters", () => {
  it("changes case and trims", () => {
    assert.equal(s("{{ s | lower }}|{{ s | upper }}|{{ s | capitalize }}|{{ 'they\\'re here-now' | title }}"), "hello world|HELLO WORLD|Hello world|They're Here-Now");
    assert.equal(s("{{ '  x  ' | trim }}|{{ 'xxaxx' | trim('x') }}"), "x|a");
    assert.equal(s("{{ 123 | upper }} {{ none | lower }}"), "123 none");
  });

  it("replaces text", () => {
    assert.equal(v("{{ 'aaa' | replace('a', 'b') }}"), "bbb");
    assert.equal(v("{{ 'aaa' | replace('a', 'b', 2) }}"), "bba");
    assert.equal(v("{{ 'abc' | replace('', '-') }}"), "-a-b-c-");
    assert.equal(v("{{ 'host1.net' | replace('.com', '') }}"), "host1.net");
  });

  it("converts to string with Python str()", () => {
    assert.equal(v("{{ 12 | string }}"), "12");
    assert.equal(v("{{ true | string }}"), "True");
    assert.equal(v("{{ l | string }}"), "[3, 1, 2]");
  });

  it("formats text blocks", () => {
    assert.equal(v("{{ 'a\\nb\\n\\nc' | indent(2) }}"), "a\n  b\n\n  c");
    assert.equal(v("{{ 'a\\nb' | indent(2, true) }}"), "  a\n  b");
    assert.equal(v("{{ 'a\\n\\nb' | indent(2, true, true) }}"), "  a\n  \n  b");
    assert.equal(v("{{ 'hi' | center(6) }}"), "  hi  ");
    assert.equal(v("{{ 'hello world foo bar' | truncate(12) }}"), "hello...");
    assert.equal(v("{{ 'hello world foo bar' | truncate(12, true) }}"), "hello wor...");
    assert.equal(v("{{ 'one two  three' | wordcount }}"), 3);
    assert.equal(v("{{ '%s=%d' | format('a', 1) }}"), "a=1");
    assert.equal(v("{{ '<a href=\"x\">&\\'' | escape }}"), "&lt;a href=&#34;x&#34;&gt;&amp;&#39;");
  });

  it("url-encodes", () => {
    assert.equal(v("{{ 'a b/é?' | urlencode }}"), "a%20b/%C3%A9%3F");
    assert.equal(v("{{ {'a b': 'c&d', 'e': 1} | urlencode }}"), "a+b=c%26d&e=1");
  });

  it("base64-encodes and decodes UTF-8 text", () => {
    assert.equal(v("{{ 'héllo' | b64encode }}"), "aMOpbGxv");
    assert.equal(v("{{ 'aMOpbGxv' | b64decode }}"), "héllo");
    throwsCode(() => v("{{ 'abc' | b64decode }}"), "HB_ERR_TEMPLATE_RUNTIME");
  });
});

describe("regex filters", () => {
  it("regex_replace with Python backreferences", () => {
    assert.equal(v("{{ 'host1.net' | regex_replace('host1', 'host195') }}"), "host195.net");
    assert.equal(v("{{ 'ab12cd34' | regex_replace('(\\\\d+)', '<\\\\1>') }}"), "ab<12>cd<34>");
    assert.equal(v("{{ 'ab12' | regex_replace('(?P<first>\\\\d)(\\\\d)', '\\\\g<first>-\\\\g<2>') }}"), "ab1-2");
    assert.equal(v("{{ 'a$b' | regex_replace('\\\\$', '$$') }}"), "a$$b");
    assert.equal(v("{{ 'abc' | regex_replace('(a)(x)?', '[\\\\2]') }}"), "[]bc");
    assert.equal(v("{{ 'a.b' | regex_replace('\\\\.', '\\\\n') }}"), "a\nb");
  });

  it("regex_replace count, flags and mandatory_count", () => {
    assert.equal(v("{{ 'Bamm Bamm Rubble' | regex_replace('Bamm', 'Betty', count=1) }}"), "Betty Bamm Rubble");
    assert.equal(v("{{ 'aaa' | regex_replace('a', 'b', 2) }}"), "bba");
    assert.equal(v("{{ 'ABC abc' | regex_replace('abc', 'x', ignore_case=true) }}"), "x x");
    assert.equal(v("{{ 'l1\\nl2' | regex_replace('^l', 'L', multiline=true) }}"), "L1\nL2");
    assert.equal(v("{{ 'l1\\nl2' | regex_replace('^l', 'L') }}"), "L1\nl2");
    assert.equal(v("{{ 'foo' | regex_replace('(?i)FOO', 'bar') }}"), "bar");
    assert.equal(v("{{ 'aXa' | regex_replace('\\\\Aa', 'S') ~ ' ' ~ 'aXa' | regex_replace('a\\\\Z', 'E') }}"), "SXa aXE");
    assert.equal(v("{{ none | regex_replace('a', 'b') }}"), "");
    assert.equal(v("{{ 'abxd' | regex_replace('x*', '-') }}"), "-a-b--d-");
    throwsCode(() => v("{{ 'abc' | regex_replace('b', 'x', mandatory_count=2) }}"), "HB_ERR_TEMPLATE_RUNTIME");
    throwsCode(() => v("{{ 'abc' | regex_replace('(b)', '\\\\2') }}"), "HB_ERR_TEMPLATE_RUNTIME");
    throwsCode(() => v("{{ 'abc' | regex_replace('(', 'x') }}"), "HB_ERR_TEMPLATE_RUNTIME");
  });

  it("regex_search, regex_findall and regex_escape", () => {
    assert.equal(v("{{ 'server-42-east' | regex_search('\\\\d+') }}"), "42");
    assert.deepEqual(v("{{ 'server-42-east' | regex_search('(\\\\w+)-(?P<n>\\\\d+)', '\\\\1', '\\\\g<n>') }}"), ["server", "42"]);
    assert.equal(v("{{ 'abc' | regex_search('\\\\d') }}"), null);
    assert.deepEqual(v("{{ 'a1b22c333' | regex_findall('\\\\d+') }}"), ["1", "22", "333"]);
    assert.deepEqual(v("{{ 'k1=v1,k2=v2' | regex_findall('(\\\\w+)=(\\\\w+)') }}"), [["k1", "v1"], ["k2", "v2"]]);
    assert.equal(v("{{ 'a.b*c' | regex_escape }}"), "a\\.b\\*c");
  });
});

describe("path filters (Python posixpath)", () => {
  it("basename", () => {
    assert.equal(v("{{ '/etc/certs/cert.pem' | basename }}"), "cert.pem");
    assert.equal(v("{{ '/a/' | basename }}"), "");
    assert.equal(v("{{ 'file' | basename }}"), "file");
    assert.equal(v("{{ none | basename }}"), "");
  });

  it("dirname", () => {
    assert.equal(v("{{ '/a/b/c.txt' | dirname }}"), "/a/b");
    assert.equal(v("{{ 'file' | dirname }}"), "");
    assert.equal(v("{{ '/' | dirname }}"), "/");
    assert.equal(v("{{ '//a' | dirname }}"), "//");
    assert.equal(v("{{ 'a//b' | dirname }}"), "a");
  });

  it("normpath", () => {
    assert.equal(v("{{ 'a//b/../c/' | normpath }}"), "a/c");
    assert.equal(v("{{ '/abc//def//jhk/test.txt' | normpath }}"), "/abc/def/jhk/test.txt");
    assert.equal(v("{{ '' | normpath }}"), ".");
    assert.equal(v("{{ '//a/./b' | normpath }}"), "//a/b");
    assert.equal(v("{{ '///a' | normpath }}"), "/a");
    assert.equal(v("{{ '../../a' | normpath }}"), "../../a");
    assert.equal(v("{{ '/../a' | normpath }}"), "/a");
    assert.equal(v("{{ 'a/..' | normpath }}"), ".");
  });

  it("chains like test 98", () => {
    const f = { filename: "/abc//def//jhk/test.txt" };
    assert.equal(v("{{ filename | normpath | dirname }}", f), "/abc/def/jhk");
    assert.equal(v("{{ filename | normpath | basename }}", f), "test.txt");
  });
});

describe("conversion filters", () => {
  it("int and float", () => {
    assert.equal(v("{{ '42' | int }}"), 42);
    assert.equal(v("{{ '4.7' | int }}"), 4);
    assert.equal(v("{{ ' 42 ' | int }}"), 42);
    assert.equal(v("{{ 'x' | int }}"), 0);
    assert.equal(v("{{ 'x' | int(7) }}"), 7);
    assert.equal(v("{{ '0x1A' | int(0, 16) }}"), 26);
    assert.equal(v("{{ none | int }}"), 0);
    assert.equal(v("{{ true | int }}"), 1);
    assert.equal(v("{{ -3.9 | int }}"), -3);
    assert.equal(v("{{ '1e3' | float }}"), 1000);
    assert.equal(v("{{ ' 2.5 ' | float }}"), 2.5);
    assert.equal(v("{{ 'abc' | float }}"), 0);
    assert.equal(v("{{ 'abc' | float(1.5) }}"), 1.5);
  });

  it("bool follows ansible-rulebook", () => {
    for (const t of ["yes", "True", " on ", "1", "t", "Y"]) assert.equal(v(`{{ '${t}' | bool }}`), true, t);
    for (const f of ["no", "False", "off", "0", "f", "n", ""]) assert.equal(v(`{{ '${f}' | bool }}`), false, f);
    assert.equal(v("{{ none | bool }}"), false);
    assert.equal(v("{{ 0 | bool }}"), false);
    assert.equal(v("{{ [1] | bool }}"), true);
    throwsCode(() => v("{{ 'maybe' | bool }}"), "HB_ERR_TEMPLATE_RUNTIME");
  });

  it("abs and round (Python rounding)", () => {
    assert.equal(v("{{ -3 | abs }}"), 3);
    assert.equal(v("{{ 2.5 | round }}"), 2);
    assert.equal(v("{{ 3.5 | round }}"), 4);
    assert.equal(v("{{ 2.675 | round(2) }}"), 2.67);
    assert.equal(v("{{ 1234.5678 | round(2) }}"), 1234.57);
    assert.equal(v("{{ 7.3 | round(0, 'ceil') }}"), 8);
    assert.equal(v("{{ 7.7 | round(0, 'floor') }}"), 7);
  });

  it("JSON output like Python json.dumps", () => {
    assert.equal(v("{{ d | tojson }}"), '{"a": "two", "b": 1}');
    assert.equal(v("{{ {'x': '<é>'} | tojson }}"), '{"x": "\\u003c\\u00e9\\u003e"}');
    assert.equal(v("{{ d | to_json }}"), '{"b": 1, "a": "two"}');
    assert.equal(v("{{ {'b': [1, {}], 'a': none} | to_nice_json }}"), '{\n    "a": null,\n    "b": [\n        1,\n        {}\n    ]\n}');
    assert.equal(v("{{ [1.5, true] | to_nice_json(indent=2) }}"), "[\n  1.5,\n  true\n]");
    assert.deepEqual(v("{{ '{\"a\": [1, 2]}' | from_json }}"), { a: [1, 2] });
    throwsCode(() => v("{{ '{bad' | from_json }}"), "HB_ERR_TEMPLATE_RUNTIME");
  });

  it("ternary", () => {
    assert.equal(v("{{ (1 > 0) | ternary('yes', 'no') }}"), "yes");
    assert.equal(v("{{ none | ternary('yes', 'no', 'null') }}"), "null");
  });
});

describe("collection filters", () => {
  it("length, first, last, join, list", () => {
    assert.equal(v("{{ l | length }} {{ s | count }} {{ d | length }}"), "3 11 2");
    assert.equal(v("{{ l | first }}"), 3);
    assert.equal(v("{{ l | last }}"), 2);
    assert.equal(v("{{ 'abc' | first }}"), "a");
    assert.equal(v("{{ l | join(',') }}"), "3,1,2");
    assert.equal(v("{{ people | join(', ', attribute='name') }}"), "Ann, Bob, Cy");
    assert.deepEqual(v("{{ 'ab' | list }}"), ["a", "b"]);
    assert.deepEqual(v("{{ d | list }}"), ["b", "a"]);
    assert.equal(v("{{ [] | first is defined }}"), false);
  });

  it("sort, unique, reverse, min, max, sum", () => {
    assert.deepEqual(v("{{ l | sort }}"), [1, 2, 3]);
    assert.deepEqual(v("{{ l | sort(reverse=true) }}"), [3, 2, 1]);
    assert.deepEqual(v("{{ ['b', 'A', 'a', 'C'] | sort }}"), ["A", "a", "b", "C"]);
    assert.deepEqual(v("{{ ['b', 'A', 'a', 'C'] | sort(case_sensitive=true) }}"), ["A", "C", "a", "b"]);
    assert.deepEqual(v("{{ people | sort(attribute='age') | map(attribute='name') | list }}"), ["Bob", "Cy", "Ann"]);
    assert.deepEqual(v("{{ [1, 2, 1, 3, 2] | unique | list }}"), [1, 2, 3]);
    assert.deepEqual(v("{{ ['a', 'A', 'b'] | unique }}"), ["a", "b"]);
    assert.deepEqual(v("{{ l | reverse | list }}"), [2, 1, 3]);
    assert.equal(v("{{ 'abc' | reverse }}"), "cba");
    assert.equal(v("{{ l | min }} {{ l | max }}"), "1 3");
    assert.equal(v("{{ (people | max(attribute='age')).name }}"), "Ann");
    assert.equal(v("{{ l | sum }}"), 6);
    assert.equal(v("{{ people | sum(attribute='age') }}"), 98);
    assert.deepEqual(v("{{ [[1], [2]] | sum(start=[]) }}"), [1, 2]);
  });

  it("dict helpers", () => {
    assert.deepEqual(v("{{ d | dictsort }}"), [["a", "two"], ["b", 1]]);
    assert.deepEqual(v("{{ d | items | list }}"), [["b", 1], ["a", "two"]]);
    assert.deepEqual(v("{{ d | dict2items }}"), [{ key: "b", value: 1 }, { key: "a", value: "two" }]);
    assert.deepEqual(v("{{ d | dict2items(key_name='k', value_name='v') }}"), [{ k: "b", v: 1 }, { k: "a", v: "two" }]);
    assert.deepEqual(v("{{ [{'key': 'a', 'value': 1}, {'key': 'b', 'value': 2}] | items2dict }}"), { a: 1, b: 2 });
  });

  it("map, select, reject, selectattr, rejectattr", () => {
    assert.deepEqual(v("{{ people | map(attribute='name') | list }}"), ["Ann", "Bob", "Cy"]);
    assert.deepEqual(v("{{ people | map(attribute='team.id', default='none') | list }}"), ["t1", "t2", "none"]);
    assert.deepEqual(v("{{ ['a', 'b'] | map('upper') | list }}"), ["A", "B"]);
    assert.deepEqual(v("{{ ['a,b', 'c'] | map('replace', ',', ';') | list }}"), ["a;b", "c"]);
    assert.deepEqual(v("{{ [0, 1, 2, 3] | select('odd') | list }}"), [1, 3]);
    assert.deepEqual(v("{{ [0, 1, '', none, 'a'] | select | list }}"), [1, "a"]);
    assert.deepEqual(v("{{ [0, 1, 2] | reject('odd') | list }}"), [0, 2]);
    assert.deepEqual(v("{{ people | selectattr('age', 'gt', 30) | map(attribute='name') | list }}"), ["Ann", "Cy"]);
    assert.deepEqual(v("{{ people | selectattr('name', 'equalto', 'Bob') | map(attribute='age') | list }}"), [25]);
    assert.deepEqual(v("{{ people | selectattr('team', 'defined') | map(attribute='name') | list }}"), ["Ann", "Bob"]);
    assert.deepEqual(v("{{ people | rejectattr('age', '>', 30) | map(attribute='name') | list }}"), ["Bob"]);
    assert.deepEqual(v("{{ people | selectattr('team', 'defined') | selectattr('team.id', 'in', ['t2']) | map(attribute='name') | list }}"), ["Bob"]);
    // As in Jinja (StrictUndefined), comparing a missing attribute fails.
    assert.throws(() => v("{{ people | selectattr('team.id', 'in', ['t2']) | list }}"), /'item' has no attribute 'team'/);
  });

  it("batch", () => {
    assert.deepEqual(v("{{ [1, 2, 3, 4, 5] | batch(2, 0) | list }}"), [[1, 2], [3, 4], [5, 0]]);
  });
});

describe("filter names", () => {
  it("rejects unknown filters at compile time, including ansible.builtin names", () => {
    throwsCode(() => v("{{ x | nope }}"), "HB_ERR_TEMPLATE_SYNTAX");
    throwsCode(() => v("{{ x | ansible.builtin.to_json }}"), "HB_ERR_TEMPLATE_SYNTAX");
    assert.throws(() => v("{{ x | nope }}"), /unknown filter 'nope'/);
  });

  it("rejects an unknown test name given to select at run time", () => {
    throwsCode(() => v("{{ l | select('nope') | list }}"), "HB_ERR_TEMPLATE_SYNTAX");
  });

  it("rejects wrong arguments", () => {
    throwsCode(() => v("{{ l | join(',', 'x', 'y') }}"), "HB_ERR_TEMPLATE_RUNTIME");
    throwsCode(() => v("{{ l | sort(bogus=true) }}"), "HB_ERR_TEMPLATE_RUNTIME");
  });

  it("lists the documented filters", () => {
    const names = filterNames();
    for (const n of ["default", "d", "regex_replace", "basename", "dirname", "normpath", "bool", "tojson", "selectattr", "map"]) {
      assert.ok(names.includes(n), n);
    }
  });
});
