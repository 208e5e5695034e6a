/** Source event filters (src/engine/filters): semantics per the reference §5.5, tests 60 and 93. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isHookbookError } from "../../src/core/errors.js";
import {
  applyFilters,
  CANONICAL_FILTER_NAMES,
  checkFilterArgs,
  compileFilters,
  FILTER_NAMES,
  filterArgNames,
  fnmatch,
  resolveFilterName,
  type EventFilterSpec,
} from "../../src/engine/filters/apply.js";

type Obj = Record<string, unknown>;

const f = (name: string, args: Obj = {}): EventFilterSpec => ({ name, args });
/** Apply one filter and expect exactly one resulting event. */
function one(event: Obj, name: string, args: Obj = {}): Obj {
  const out = applyFilters(event, [f(name, args)]);
  assert.equal(out.length, 1);
  return out[0] as Obj;
}

function deepFreeze<T>(v: T): T {
  if (typeof v === "object" && v !== null) {
    for (const k of Object.keys(v)) deepFreeze((v as Obj)[k]);
    Object.freeze(v);
  }
  return v;
}

function hasCode(code: string): (err: unknown) => boolean {
  return (err) => {
    assert.ok(isHookbookError(err), `expected a HookbookError, got ${String(err)}`);
    assert.equal(err.code, code);
    return true;
  };
}

// ---------------------------------------------------------------------------------------------

describe("fnmatch (Python fnmatch.fnmatchcase)", () => {
  // expected values produced by CPython's fnmatch.fnmatchcase
  const cases: [string, string, boolean][] = [
    ["f_use_1", "f_use*", true],
    ["key10", "key?", false],
    ["key1", "key?", true],
    ["a/b.c", "*", true],
    ["", "*", true],
    ["", "?", false],
    ["é", "?", true],
    ["😀", "?", true],
    ["😀x", "?x", true],
    ["A", "a", false],
    ["ab", "a**b", true],
    ["a", "[z-a]", false],
    ["b", "[!z-a]", true],
    ["]", "[]]", true],
    ["x", "[!]]", true],
    ["]", "[!]]", false],
    ["[!]", "[!]", true],
    ["x", "[!]", false],
    ["[ab", "[ab", true],
    ["-", "[a-]", true],
    ["a", "[a-]", true],
    ["-", "[-a]", true],
    ["b", "[a--]", false],
    ["a", "[a--]", false],
    ["-", "[a--]", false],
    ["^", "[^a]", true],
    ["b", "[^a]", false],
    ["\\", "[\\]", true],
    ["c", "[a-cx-z]", true],
    ["y", "[a-cx-z]", true],
    ["d", "[a-cx-z]", false],
    ["-", "[a-c-z]", true],
    ["z", "[a-c-z]", true],
    ["d", "[a-c-z]", false],
    ["-", "[c-a-z]", true],
    ["z", "[c-a-z]", true],
    ["b", "[c-a-z]", false],
    ["a]", "a]", true],
    ["[]", "[]", true],
    ["[]a", "[]a", true],
    ["x", "[!a-]", true],
    ["-", "[!a-]", false],
    ["server-1.example", "server-[0-9].*", true],
    ["server-x.example", "server-[0-9].*", false],
  ];
  for (const [name, pattern, want] of cases) {
    test(`${JSON.stringify(name)} ~ ${JSON.stringify(pattern)} → ${want}`, () => {
      assert.equal(fnmatch(name, pattern), want);
    });
  }

  test("pathological patterns do not backtrack exponentially", () => {
    const name = "a".repeat(5000);
    const started = performance.now();
    assert.equal(fnmatch(name, "*a*a*a*a*a*a*a*a*a*a*b"), false);
    assert.equal(fnmatch(name, "*a*a*a*a*a*a*a*a*a*a"), true);
    assert.ok(performance.now() - started < 2000);
  });
});

// ---------------------------------------------------------------------------------------------

describe("filter names", () => {
  const builtins = ["json_filter", "dashes_to_underscores", "normalize_keys", "insert_hosts_to_meta", "event_splitter", "noop"];

  test("every spelling of every builtin resolves to eda.builtin.<f>", () => {
    for (const b of builtins) {
      for (const spelling of [`eda.builtin.${b}`, `ansible.eda.${b}`, b]) {
        assert.equal(resolveFilterName(spelling), `eda.builtin.${b}`, spelling);
        assert.ok(FILTER_NAMES.includes(spelling), spelling);
      }
      assert.ok(CANONICAL_FILTER_NAMES.includes(`eda.builtin.${b}`));
    }
  });

  test("insert_meta_info is accepted by FQCN only", () => {
    assert.equal(resolveFilterName("eda.builtin.insert_meta_info"), "eda.builtin.insert_meta_info");
    assert.equal(resolveFilterName("ansible.eda.insert_meta_info"), "eda.builtin.insert_meta_info");
    assert.equal(resolveFilterName("insert_meta_info"), undefined);
  });

  test("unknown names are undefined", () => {
    for (const n of ["upcase", "ansible.eda.upcase", "eda.builtin.json_filtr", "", "constructor", "__proto__", "EDA.BUILTIN.NOOP"]) {
      assert.equal(resolveFilterName(n), undefined, n);
    }
  });

  test("FILTER_NAMES lists canonical spellings first, without duplicates", () => {
    assert.equal(new Set(FILTER_NAMES).size, FILTER_NAMES.length);
    assert.equal(FILTER_NAMES.length, builtins.length * 3 + 2);
    const firstNonCanonical = FILTER_NAMES.findIndex((n) => !n.startsWith("eda.builtin."));
    assert.equal(firstNonCanonical, CANONICAL_FILTER_NAMES.length);
  });

  test("filterArgNames", () => {
    assert.deepEqual(filterArgNames("ansible.eda.json_filter"), ["exclude_keys", "include_keys"]);
    assert.deepEqual(filterArgNames("noop"), []);
    assert.equal(filterArgNames("nope"), undefined);
  });
});

// ---------------------------------------------------------------------------------------------

describe("checkFilterArgs", () => {
  const valid: [string, unknown][] = [
    ["ansible.eda.json_filter", { include_keys: ["a", "b*"], exclude_keys: ["*"] }],
    ["json_filter", { include_keys: null, exclude_keys: [] }],
    ["json_filter", {}],
    ["json_filter", null],
    ["dashes_to_underscores", { overwrite: false }],
    ["eda.builtin.normalize_keys", { overwrite: true }],
    ["insert_hosts_to_meta", { host_path: "app.target", path_separator: "/", host_separator: ";", raise_error: true, log_error: false }],
    ["insert_hosts_to_meta", { host_path: null, host_separator: null }],
    ["eda.builtin.event_splitter", { splitter_key: "a.b", attributes_key_map: { id: "a.id" }, extras: { region: "us" }, raise_error: false }],
    ["event_splitter", { splitter_key: "a.b", attribute_key_map: { id: "a.id" } }],
    ["event_splitter", { splitter_key: "a.b", attributes_key_map: null, extras: null }],
    ["noop", {}],
    ["ansible.eda.insert_meta_info", {}],
    ["eda.builtin.insert_meta_info", { source_name: "s", source_type: "t" }],
  ];
  for (const [name, args] of valid) {
    test(`valid: ${name} ${JSON.stringify(args)}`, () => {
      assert.equal(checkFilterArgs(name, args), undefined);
    });
  }

  const invalid: [string, unknown, RegExp][] = [
    ["json_filter", { exclude_key: ["x"] }, /unknown argument 'exclude_key' \(did you mean 'exclude_keys'\?\)/],
    ["json_filter", { zzz: 1 }, /unknown argument 'zzz' \(accepted: exclude_keys, include_keys\)/],
    ["json_filter", { exclude_keys: "key1" }, /argument 'exclude_keys' must be a list of strings/],
    ["json_filter", { include_keys: ["a", 1] }, /argument 'include_keys' must be a list of strings/],
    ["json_filter", ["exclude_keys"], /arguments must be a mapping/],
    ["dashes_to_underscores", { overwrite: "no" }, /argument 'overwrite' must be true or false/],
    ["normalize_keys", { overwrite: null }, /argument 'overwrite' must be true or false/],
    ["normalize_keys", { override: true }, /did you mean 'overwrite'/],
    ["insert_hosts_to_meta", { host_path: 3 }, /argument 'host_path' must be a string/],
    ["insert_hosts_to_meta", { path_separator: "" }, /argument 'path_separator' must be a non-empty string/],
    ["insert_hosts_to_meta", { raise_error: "yes" }, /argument 'raise_error' must be true or false/],
    ["event_splitter", {}, /missing required argument 'splitter_key'/],
    ["event_splitter", { splitter_key: "" }, /argument 'splitter_key' must be a non-empty string/],
    ["event_splitter", { splitter_key: "a", extras: [1] }, /argument 'extras' must be a mapping/],
    ["event_splitter", { splitter_key: "a", attributes_key_map: { id: 5 } }, /entry 'id' must be a non-empty dotted path string/],
    ["event_splitter", { splitter_key: "a", attributes_key_map: { x: "a" }, attribute_key_map: { y: "a" } }, /not both/],
    ["noop", { x: 1 }, /takes no arguments/],
    ["ansible.eda.upcase", {}, /unknown event filter 'ansible.eda.upcase'/],
    ["ansible.eda.json_filtr", {}, /did you mean 'ansible.eda.json_filter'\?/],
  ];
  for (const [name, args, re] of invalid) {
    test(`invalid: ${name} ${JSON.stringify(args)}`, () => {
      const msg = checkFilterArgs(name, args);
      assert.ok(msg !== undefined, "expected a message");
      assert.match(msg, re);
    });
  }
});

// ---------------------------------------------------------------------------------------------

describe("json_filter", () => {
  test("reference test 60: include [key3,key4,f_use*] + exclude ['*'] keeps only key3.key4.f_use_1/2", () => {
    const event = {
      key1: { key2: { f_ignore_1: 1, f_ignore_2: 2 } },
      key3: { key4: { f_use_1: 42, f_use_2: 45 } },
    };
    const out = one(event, "ansible.eda.json_filter", { include_keys: ["key3", "key4", "f_use*"], exclude_keys: ["*"] });
    // r1 `event.key3.key4.f_use_1 == 42` can fire; r2 `event.key1.key2.f_ignore_1 == 1` never
    assert.equal((out as { key3: { key4: { f_use_1: number } } }).key3.key4.f_use_1, 42);
    assert.equal(out.key1, undefined);
    assert.deepEqual(out, { key3: { key4: { f_use_1: 42, f_use_2: 45 } } });
  });

  test("collection docs example: exclude listed keys, include f_use*", () => {
    const event = {
      key1: { key2: { f_ignore_1: 1, f_ignore_2: 2 } },
      key3: { key4: { f_use_1: 42, f_use_2: 45 } },
    };
    const out = one(event, "json_filter", { include_keys: ["key3", "key4", "f_use*"], exclude_keys: ["key1", "key2", "f_ignore_1"] });
    assert.deepEqual(out, { key3: { key4: { f_use_1: 42, f_use_2: 45 } } });
  });

  // upstream tests/unit/event_filter/test_json_filter.py
  const table: [Obj, Obj, Obj][] = [
    [{ key1: "value1", key2: "value2", key3: "value3" }, { exclude_keys: ["key1"] }, { key2: "value2", key3: "value3" }],
    [{ key1: "value1", key2: "value2", key3: "value3" }, { include_keys: ["key1"] }, { key1: "value1", key2: "value2", key3: "value3" }],
    [{ key1: "value1", key2: "value2", key3: "value3" }, { exclude_keys: ["key1", "key2"], include_keys: ["key1"] }, { key1: "value1", key3: "value3" }],
    [{ key1: "value1", key2: "value2", key3: "value3" }, { exclude_keys: ["key*"] }, {}],
    [{ prefix_a: 1, prefix_b: 2, other: 3 }, { include_keys: ["prefix_*"] }, { prefix_a: 1, prefix_b: 2, other: 3 }],
    [{ key1: "value1", key2: "value2", key3: "value3" }, { exclude_keys: ["key*"], include_keys: ["key1"] }, { key1: "value1" }],
    [{ key1: { nested1: "val1", nested2: "val2" }, key2: "value2" }, { exclude_keys: ["nested1"] }, { key1: { nested2: "val2" }, key2: "value2" }],
    [{ key1: { nested1: "val1", nested2: "val2" }, key2: "value2" }, { exclude_keys: ["key1"] }, { key2: "value2" }],
    [{ remove_a: 1, remove_b: 2, keep_x: 3, keep_y: 4 }, { exclude_keys: ["remove_*"] }, { keep_x: 3, keep_y: 4 }],
    [{ key1: "value1", key2: "value2" }, { exclude_keys: [] }, { key1: "value1", key2: "value2" }],
    [{ key1: "value1", key2: "value2" }, { include_keys: [] }, { key1: "value1", key2: "value2" }],
    [
      { level1: { level2: { target: "keep", remove: "discard" }, other: "data" }, top: "level" },
      { exclude_keys: ["remove"] },
      { level1: { level2: { target: "keep" }, other: "data" }, top: "level" },
    ],
    [{ key1: "value1", key2: "value2" }, { exclude_keys: ["nonexistent"] }, { key1: "value1", key2: "value2" }],
    [{ key1: "value1", key2: "value2" }, {}, { key1: "value1", key2: "value2" }],
    [{ key1: "value1", key2: "value2", key10: "value10" }, { exclude_keys: ["key?"] }, { key10: "value10" }],
    [
      { app_config_dev: 1, app_config_prod: 2, app_settings: 3, db_config: 4, cache_config: 5 },
      { exclude_keys: ["*_config*"], include_keys: ["app_config_prod"] },
      { app_config_prod: 2, app_settings: 3 },
    ],
    [
      { level1: { level2: { level3: { level4: { target: "found", exclude_me: "gone" } } } } },
      { exclude_keys: ["exclude_me"] },
      { level1: { level2: { level3: { level4: { target: "found" } } } } },
    ],
  ];
  table.forEach(([event, args, expected], i) => {
    test(`upstream case ${i + 1}: ${JSON.stringify(args)}`, () => {
      assert.deepEqual(one(event, "eda.builtin.json_filter", args), expected);
    });
  });

  test("dicts inside lists are left alone, as upstream's code does (test_json_filter_nested_lists_with_dicts)", () => {
    const event = { items: [{ keep: "yes", remove: "no" }, [{ remove: 1, x: 2 }], "s", 3], other: "data", remove: 0 };
    assert.deepEqual(one(event, "json_filter", { exclude_keys: ["remove"] }), {
      items: [{ keep: "yes", remove: "no" }, [{ remove: 1, x: 2 }], "s", 3],
      other: "data",
    });
  });

  test("an included key is kept AND descended into (exclusions apply below it)", () => {
    const event = { keep: { secret: 1, x: { secret: 2, y: 3 } }, secret: 0 };
    assert.deepEqual(one(event, "json_filter", { include_keys: ["keep"], exclude_keys: ["secret"] }), { keep: { x: { y: 3 } } });
  });

  test("an included key below an excluded one is gone with its parent", () => {
    const event = { drop: { keep: 1 }, other: { keep: 2, drop: 3 } };
    assert.deepEqual(one(event, "json_filter", { include_keys: ["keep"], exclude_keys: ["drop"] }), { other: { keep: 2 } });
  });

  test("a key equal to a pattern matches even when the pattern contains glob characters", () => {
    const event = { "[x]": 1, x: 2, "a*": 3, ab: 4 };
    assert.deepEqual(one(event, "json_filter", { exclude_keys: ["[x]"] }), { "a*": 3, ab: 4 });
  });

  test("null arguments behave as empty lists", () => {
    assert.deepEqual(one({ a: 1 }, "json_filter", { exclude_keys: null, include_keys: null }), { a: 1 });
  });
});

// ---------------------------------------------------------------------------------------------

describe("dashes_to_underscores", () => {
  test("renames recursively, including dicts inside lists; values are kept", () => {
    const event = { "x-y": { "a-b-c": 1, plain: [{ "p-q": 2 }, "k-v", ["s-t"]] }, ok: "v-w" };
    assert.deepEqual(one(event, "ansible.eda.dashes_to_underscores"), {
      x_y: { a_b_c: 1, plain: [{ p_q: 2 }, "k-v", ["s-t"]] },
      ok: "v-w",
    });
  });

  test("collision, overwrite true (default): the renamed key's value wins, in either order", () => {
    assert.deepEqual(one({ "a-b": 1, a_b: 2 }, "dashes_to_underscores"), { a_b: 1 });
    assert.deepEqual(one({ a_b: 2, "a-b": 1 }, "dashes_to_underscores"), { a_b: 1 });
    assert.deepEqual(one({ a_b: 2, "a-b": 1 }, "dashes_to_underscores", { overwrite: true }), { a_b: 1 });
  });

  test("collision, overwrite false: the existing key wins and the dashed one is dropped", () => {
    assert.deepEqual(one({ "a-b": 1, a_b: 2 }, "dashes_to_underscores", { overwrite: false }), { a_b: 2 });
    assert.deepEqual(one({ a_b: 2, "a-b": 1 }, "dashes_to_underscores", { overwrite: false }), { a_b: 2 });
    // two dashed keys renaming to the same name: the first one renamed stays
    assert.deepEqual(one({ "x-_y": 1, "x_-y": 2 }, "dashes_to_underscores", { overwrite: false }), { x__y: 1 });
    assert.deepEqual(one({ "x-_y": 1, "x_-y": 2 }, "dashes_to_underscores", { overwrite: true }), { x__y: 2 });
  });

  test("a renamed key moves to the end of its dict (Python del + insert)", () => {
    assert.deepEqual(Object.keys(one({ "a-1": 1, b: 2, c: 3 }, "dashes_to_underscores")), ["b", "c", "a_1"]);
  });
});

// ---------------------------------------------------------------------------------------------

describe("normalize_keys", () => {
  test("every run of non-word characters (Unicode-aware, as Python 3's \\W) becomes one underscore", () => {
    const event = { "server.com/&abc": 1, "server-name": 2, "-lead": 3, "trail!!": 4, "café": 5, "a b\tc": 6, ok_1: 7, "gpu-ノード": 8 };
    assert.deepEqual(one(event, "ansible.eda.normalize_keys"), {
      server_com_abc: 1,
      server_name: 2,
      _lead: 3,
      trail_: 4,
      café: 5,
      a_b_c: 6,
      ok_1: 7,
      gpu_ノード: 8,
    });
  });

  test("recursive, including dicts inside lists; values are untouched", () => {
    const event = { "a.b": { "c/d": [{ "e:f": "g.h" }, ["i.j"]] } };
    assert.deepEqual(one(event, "normalize_keys"), { a_b: { c_d: [{ e_f: "g.h" }, ["i.j"]] } });
  });

  test("collision with an original key: overwrite true → renamed wins (either order)", () => {
    assert.deepEqual(one({ "a-b": 1, a_b: 2 }, "normalize_keys"), { a_b: 1 });
    assert.deepEqual(one({ a_b: 2, "a-b": 1 }, "normalize_keys"), { a_b: 1 });
  });

  test("collision with an original key: overwrite false → original wins (either order)", () => {
    assert.deepEqual(one({ "a-b": 1, a_b: 2 }, "normalize_keys", { overwrite: false }), { a_b: 2 });
    assert.deepEqual(one({ a_b: 2, "a-b": 1 }, "normalize_keys", { overwrite: false }), { a_b: 2 });
  });

  test("renamed keys colliding only with each other: the later one wins", () => {
    assert.deepEqual(one({ "a-b": 1, "a.b": 2 }, "normalize_keys"), { a_b: 2 });
    assert.deepEqual(one({ "a-b": 1, "a.b": 2 }, "normalize_keys", { overwrite: false }), { a_b: 2 });
  });

  test("key order follows the first appearance of each (new) name", () => {
    assert.deepEqual(Object.keys(one({ z: 1, "a-b": 2, m: 3 }, "normalize_keys")), ["z", "a_b", "m"]);
  });
});

// ---------------------------------------------------------------------------------------------

describe("insert_hosts_to_meta", () => {
  test("a string becomes a one-element list", () => {
    const out = one({ app: { target: "host1" }, meta: { keep: 1 } }, "ansible.eda.insert_hosts_to_meta", { host_path: "app.target" });
    assert.deepEqual(out, { app: { target: "host1" }, meta: { keep: 1, hosts: ["host1"] } });
  });

  test("host_separator splits a string", () => {
    const out = one({ app: { target: "h1;h2;h3" } }, "insert_hosts_to_meta", { host_path: "app.target", host_separator: ";" });
    assert.deepEqual(out.meta, { hosts: ["h1", "h2", "h3"] });
  });

  test("without host_separator a string with separators is one host", () => {
    const out = one({ app: { target: "h1;h2" } }, "insert_hosts_to_meta", { host_path: "app.target" });
    assert.deepEqual(out.meta, { hosts: ["h1;h2"] });
  });

  test("a list of strings is copied (not shared with the event)", () => {
    const out = one({ app: { targets: ["h1", "h2"] } }, "insert_hosts_to_meta", { host_path: "app.targets" });
    const meta = out.meta as { hosts: string[] };
    assert.deepEqual(meta.hosts, ["h1", "h2"]);
    meta.hosts.push("h3");
    assert.deepEqual((out.app as { targets: string[] }).targets, ["h1", "h2"]);
  });

  test("existing meta.hosts is replaced", () => {
    const out = one({ h: "new", meta: { hosts: ["old"] } }, "insert_hosts_to_meta", { host_path: "h" });
    assert.deepEqual(out.meta, { hosts: ["new"] });
  });

  test("path_separator, list indexes and a leading separator", () => {
    const event = { payload: { alerts: [{ labels: { instance: "node-a" } }, { labels: { instance: "node-b" } }] } };
    assert.deepEqual(one(event, "insert_hosts_to_meta", { host_path: "payload/alerts/1/labels/instance", path_separator: "/" }).meta, {
      hosts: ["node-b"],
    });
    assert.deepEqual(one(event, "insert_hosts_to_meta", { host_path: ".payload.alerts.0.labels.instance" }).meta, { hosts: ["node-a"] });
  });

  test("a glob segment that matches exactly one key is fine; an ambiguous one throws", () => {
    assert.deepEqual(one({ app: { target_1: "h" } }, "insert_hosts_to_meta", { host_path: "app.target*" }).meta, { hosts: ["h"] });
    assert.throws(
      () => applyFilters({ app: { t1: "a", t2: "b" } }, [f("insert_hosts_to_meta", { host_path: "app.t*" })]),
      hasCode("HB_ERR_INVALID_PAYLOAD"),
    );
  });

  test("missing path: the event passes unchanged and the miss is reported (log_error default true)", () => {
    const warnings: string[] = [];
    const event = { app: {} };
    const out = applyFilters(event, [f("insert_hosts_to_meta", { host_path: "app.target" })], { warn: (m) => warnings.push(m) });
    assert.deepEqual(out, [{ app: {} }]);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? "", /does not contain 'app.target'/);
  });

  test("missing path with log_error false: no report", () => {
    const warnings: string[] = [];
    applyFilters({ a: 1 }, [f("insert_hosts_to_meta", { host_path: "x", log_error: false })], { warn: (m) => warnings.push(m) });
    assert.deepEqual(warnings, []);
  });

  test("missing path with raise_error true throws HB_ERR_INVALID_PAYLOAD", () => {
    assert.throws(() => applyFilters({ a: 1 }, [f("insert_hosts_to_meta", { host_path: "x.y", raise_error: true })]), hasCode("HB_ERR_INVALID_PAYLOAD"));
  });

  test("no host_path: no-op", () => {
    assert.deepEqual(one({ a: 1 }, "insert_hosts_to_meta"), { a: 1 });
    assert.deepEqual(one({ a: 1 }, "insert_hosts_to_meta", { host_path: "" }), { a: 1 });
  });

  test("non-string hosts throw HB_ERR_INVALID_PAYLOAD", () => {
    for (const value of [["h1", 2], 42, { h: 1 }, null, true, [null]]) {
      assert.throws(() => applyFilters({ h: value }, [f("insert_hosts_to_meta", { host_path: "h" })]), hasCode("HB_ERR_INVALID_PAYLOAD"), JSON.stringify(value));
    }
  });

  test("meta that is not a mapping throws; null meta is replaced", () => {
    assert.throws(() => applyFilters({ h: "x", meta: "m" }, [f("insert_hosts_to_meta", { host_path: "h" })]), hasCode("HB_ERR_INVALID_PAYLOAD"));
    assert.deepEqual(one({ h: "x", meta: null }, "insert_hosts_to_meta", { host_path: "h" }).meta, { hosts: ["x"] });
  });
});

// ---------------------------------------------------------------------------------------------

describe("event_splitter", () => {
  test("reference test 93: a bundle with 2 employees → 2 events; the rule matches exactly one", () => {
    const event = {
      bundle: {
        employer: "Slate Rock & Gravel Company",
        owner: "George Slate",
        employees: [
          { name: "Fred Flintstone", age: 50, profession: "Crane Operator" },
          { name: "Barney Rubble", age: 45 },
        ],
      },
    };
    const out = applyFilters(event, [
      f("eda.builtin.event_splitter", {
        splitter_key: "bundle.employees",
        attributes_key_map: { employer: "bundle.employer", owner: "bundle.owner" },
        extras: { city: "Bedrock" },
      }),
    ]);
    assert.deepEqual(out, [
      { name: "Fred Flintstone", age: 50, profession: "Crane Operator", employer: "Slate Rock & Gravel Company", owner: "George Slate", city: "Bedrock" },
      { name: "Barney Rubble", age: 45, employer: "Slate Rock & Gravel Company", owner: "George Slate", city: "Bedrock" },
    ]);
    // condition: event.name == "Fred Flintstone" and event.city == "Bedrock" and event.owner == "George Slate" and event.profession == "Crane Operator"
    const fired = out.filter((e) => e.name === "Fred Flintstone" && e.city === "Bedrock" && e.owner === "George Slate" && e.profession === "Crane Operator");
    assert.equal(fired.length, 1);
  });

  // upstream tests/unit/event_filter/test_event_splitter.py
  const bundle = (): Obj => ({ myevent: { bundle: [{ name: "Fred" }, { name: "Barney" }], city: "Bedrock" } });
  test("upstream: plain split", () => {
    assert.deepEqual(applyFilters(bundle(), [f("event_splitter", { splitter_key: "myevent.bundle" })]), [{ name: "Fred" }, { name: "Barney" }]);
  });
  test("upstream: missing splitter_key leaves the event intact (and warns)", () => {
    const warnings: string[] = [];
    assert.deepEqual(applyFilters(bundle(), [f("event_splitter", { splitter_key: "myevent.missing" })], { warn: (m) => warnings.push(m) }), [bundle()]);
    assert.equal(warnings.length, 1);
  });
  test("upstream: attributes_key_map", () => {
    assert.deepEqual(applyFilters(bundle(), [f("event_splitter", { splitter_key: "myevent.bundle", attributes_key_map: { town: "myevent.city" } })]), [
      { name: "Fred", town: "Bedrock" },
      { name: "Barney", town: "Bedrock" },
    ]);
  });
  test("upstream: attributes_key_map + extras", () => {
    const out = applyFilters(bundle(), [
      f("event_splitter", { splitter_key: "myevent.bundle", attributes_key_map: { town: "myevent.city" }, extras: { zip: "07054" } }),
    ]);
    assert.deepEqual(out, [
      { name: "Fred", town: "Bedrock", zip: "07054" },
      { name: "Barney", town: "Bedrock", zip: "07054" },
    ]);
  });
  test("upstream: a missing attribute path is skipped (and warned about)", () => {
    const warnings: string[] = [];
    const out = applyFilters(bundle(), [f("event_splitter", { splitter_key: "myevent.bundle", attributes_key_map: { town: "myevent.village" } })], {
      warn: (m) => warnings.push(m),
    });
    assert.deepEqual(out, [{ name: "Fred" }, { name: "Barney" }]);
    assert.equal(warnings.length, 1);
  });
  test("upstream: raise_error with a missing key throws", () => {
    assert.throws(() => applyFilters(bundle(), [f("event_splitter", { splitter_key: "myevent.missing", raise_error: true })]), hasCode("HB_ERR_INVALID_PAYLOAD"));
  });

  test("the docs' spelling attribute_key_map is accepted", () => {
    assert.deepEqual(applyFilters(bundle(), [f("event_splitter", { splitter_key: "myevent.bundle", attribute_key_map: { town: "myevent.city" } })]), [
      { name: "Fred", town: "Bedrock" },
      { name: "Barney", town: "Bedrock" },
    ]);
  });

  test("precedence: extras over attributes_key_map over the element's own keys", () => {
    const event = { p: { id: "parent", items: [{ id: "child", k: 1 }] } };
    assert.deepEqual(applyFilters(event, [f("event_splitter", { splitter_key: "p.items", attributes_key_map: { id: "p.id", k: "p.id" }, extras: { k: "extra" } })]), [
      { id: "parent", k: "extra" },
    ]);
  });

  test("an empty list yields no events", () => {
    assert.deepEqual(applyFilters({ a: { list: [] } }, [f("event_splitter", { splitter_key: "a.list" })]), []);
  });

  test("a value that is not a list, or an element that is not a mapping, throws HB_ERR_INVALID_PAYLOAD", () => {
    assert.throws(() => applyFilters({ a: { list: { x: 1 } } }, [f("event_splitter", { splitter_key: "a.list" })]), hasCode("HB_ERR_INVALID_PAYLOAD"));
    assert.throws(() => applyFilters({ a: { list: "abc" } }, [f("event_splitter", { splitter_key: "a.list" })]), hasCode("HB_ERR_INVALID_PAYLOAD"));
    assert.throws(() => applyFilters({ a: { list: [{ x: 1 }, 2] } }, [f("event_splitter", { splitter_key: "a.list" })]), hasCode("HB_ERR_INVALID_PAYLOAD"));
  });

  test("the parent's meta is not carried into the split events (as upstream)", () => {
    const out = applyFilters({ payload: { alerts: [{ a: 1 }] }, meta: { endpoint: "x" } }, [f("event_splitter", { splitter_key: "payload.alerts" })]);
    assert.deepEqual(out, [{ a: 1 }]);
  });

  test("split events share nothing: attribute values and elements are deep copies", () => {
    const event = { p: { info: { tags: ["t"] }, items: [{ n: 1 }, { n: 2 }] } };
    const out = applyFilters(event, [f("event_splitter", { splitter_key: "p.items", attributes_key_map: { info: "p.info" }, extras: { x: { y: 1 } } })]);
    const [a, b] = out as [{ info: { tags: string[] }; x: { y: number } }, { info: { tags: string[] }; x: { y: number } }];
    a.info.tags.push("changed");
    a.x.y = 99;
    assert.deepEqual(b.info.tags, ["t"]);
    assert.equal(b.x.y, 1);
    assert.deepEqual(event.p.info.tags, ["t"]);
  });

  test("list indexes in splitter_key", () => {
    const event = { batches: [{ items: [{ i: 1 }, { i: 2 }] }] };
    assert.deepEqual(applyFilters(event, [f("event_splitter", { splitter_key: "batches.0.items" })]), [{ i: 1 }, { i: 2 }]);
  });
});

// ---------------------------------------------------------------------------------------------

describe("noop and insert_meta_info", () => {
  test("identity (but a copy)", () => {
    const event = { a: { b: 1 } };
    for (const name of ["noop", "ansible.eda.noop", "eda.builtin.noop", "eda.builtin.insert_meta_info", "ansible.eda.insert_meta_info"]) {
      const out = one(event, name);
      assert.deepEqual(out, event);
      assert.notEqual(out, event);
      assert.notEqual(out.a, event.a);
    }
  });

  test("insert_meta_info does not add meta here (the engine does it)", () => {
    assert.deepEqual(one({ i: 1 }, "eda.builtin.insert_meta_info"), { i: 1 });
  });
});

// ---------------------------------------------------------------------------------------------

describe("applyFilters pipeline", () => {
  test("no filters → one deep copy of the event", () => {
    const event = { a: [{ b: 1 }] };
    const out = applyFilters(event, []);
    assert.deepEqual(out, [event]);
    assert.notEqual(out[0], event);
    assert.notEqual((out[0] as { a: unknown }).a, event.a);
  });

  test("filters run in order: later filters apply to every fanned-out event", () => {
    const event = { "pay-load": { "the-alerts": [{ "alert-name": "A", "x-y": 1 }, { "alert-name": "B" }], "zone-id": "z1", noise: 1 } };
    const out = applyFilters(event, [
      f("ansible.eda.json_filter", { exclude_keys: ["noise"] }),
      f("dashes_to_underscores"),
      f("eda.builtin.event_splitter", { splitter_key: "pay_load.the_alerts", attributes_key_map: { "zone-id": "pay_load.zone_id" } }),
      f("normalize_keys"),
      f("insert_hosts_to_meta", { host_path: "alert_name" }),
    ]);
    assert.deepEqual(out, [
      { alert_name: "A", x_y: 1, zone_id: "z1", meta: { hosts: ["A"] } },
      { alert_name: "B", zone_id: "z1", meta: { hosts: ["B"] } },
    ]);
  });

  test("two splitters fan out multiplicatively", () => {
    const event = { groups: [{ g: "a", members: [{ m: 1 }, { m: 2 }] }, { g: "b", members: [{ m: 3 }] }] };
    const out = applyFilters(event, [
      f("event_splitter", { splitter_key: "groups" }),
      f("event_splitter", { splitter_key: "members", attributes_key_map: { group: "g" } }),
    ]);
    assert.deepEqual(out, [
      { m: 1, group: "a" },
      { m: 2, group: "a" },
      { m: 3, group: "b" },
    ]);
  });

  test("an event that fans out to zero stops the pipeline for it", () => {
    assert.deepEqual(applyFilters({ l: [] }, [f("event_splitter", { splitter_key: "l" }), f("noop")]), []);
  });

  test("the input is never mutated, by any filter", () => {
    const make = (): Obj => ({
      "a-b": { "c.d": [{ "e-f": 1, secret: 2 }], secret: 3 },
      app: { target: "h1;h2" },
      list: [{ "x-y": 1 }, { "x-y": 2 }],
      meta: { source: { name: "s" } },
    });
    const event = deepFreeze(make());
    const chains: EventFilterSpec[][] = [
      [f("json_filter", { exclude_keys: ["secret", "*-*"], include_keys: ["a-b"] })],
      [f("dashes_to_underscores")],
      [f("dashes_to_underscores", { overwrite: false })],
      [f("normalize_keys")],
      [f("insert_hosts_to_meta", { host_path: "app.target", host_separator: ";" })],
      [f("event_splitter", { splitter_key: "list", attributes_key_map: { t: "app" }, extras: { z: 1 } })],
      [f("event_splitter", { splitter_key: "list" }), f("dashes_to_underscores"), f("insert_hosts_to_meta", { host_path: "nothing" })],
      [f("noop"), f("eda.builtin.insert_meta_info")],
    ];
    for (const chain of chains) {
      const out = applyFilters(event, chain);
      assert.deepEqual(event, make(), JSON.stringify(chain));
      // outputs are writable copies
      for (const e of out) {
        e.added = true;
        assert.equal(Object.isFrozen(e), false);
      }
    }
  });

  test("keys named __proto__ stay data and never touch Object.prototype", () => {
    const event = JSON.parse('{"a-b": {"__proto__": {"polluted": 1}}, "__proto__": {"x-y": 1}, "l": [{"__proto__": {"p": 1}}]}') as Obj;
    for (const chain of [[f("dashes_to_underscores")], [f("normalize_keys")], [f("json_filter", { exclude_keys: ["nothing"] })], [f("event_splitter", { splitter_key: "l", extras: JSON.parse('{"__proto__": {"q": 1}}') as Obj })]]) {
      const out = applyFilters(event, chain);
      assert.equal(({} as Obj).polluted, undefined);
      assert.equal(({} as Obj).p, undefined);
      assert.equal(({} as Obj).q, undefined);
      for (const e of out) assert.equal(Object.getPrototypeOf(e), Object.prototype);
    }
    const [d] = applyFilters(event, [f("dashes_to_underscores")]) as [Obj];
    assert.ok(Object.prototype.hasOwnProperty.call(d, "__proto__"));
    assert.deepEqual(Object.getOwnPropertyDescriptor(d, "__proto__")?.value, { x_y: 1 });
    assert.deepEqual(Object.getOwnPropertyDescriptor(d.a_b, "__proto__")?.value, { polluted: 1 });
  });

  test("deeply nested events do not overflow the stack", () => {
    const depth = 50_000;
    const root: Obj = {};
    let node = root;
    for (let i = 0; i < depth; i++) {
      const child: Obj = {};
      node["k-ey"] = "v";
      node.drop = [{ drop: 1 }];
      node["next-level"] = child;
      node = child;
    }
    const out = applyFilters(root, [f("json_filter", { exclude_keys: ["drop"] }), f("dashes_to_underscores"), f("normalize_keys")]);
    assert.equal(out.length, 1);
    let n: unknown = out[0];
    let levels = 0;
    while (typeof n === "object" && n !== null && "next_level" in n) {
      assert.deepEqual(Object.keys(n), ["k_ey", "next_level"]);
      n = (n as Obj).next_level;
      levels++;
    }
    assert.equal(levels, depth);
  });

  test("unknown filter → HB_ERR_RULEBOOK_UNSUPPORTED; bad arguments → HB_ERR_RULEBOOK_SCHEMA", () => {
    assert.throws(() => applyFilters({ a: 1 }, [f("ansible.eda.upcase")]), hasCode("HB_ERR_RULEBOOK_UNSUPPORTED"));
    assert.throws(() => applyFilters({ a: 1 }, [f("json_filter", { exclude_keys: "a" })]), hasCode("HB_ERR_RULEBOOK_SCHEMA"));
    assert.throws(() => applyFilters({ a: 1 }, [f("event_splitter")]), hasCode("HB_ERR_RULEBOOK_SCHEMA"));
  });

  test("compileFilters validates once and can be reused across events", () => {
    const run = compileFilters([f("normalize_keys"), f("insert_hosts_to_meta", { host_path: "h_1" })]);
    assert.deepEqual(run({ "h-1": "x" }), [{ h_1: "x", meta: { hosts: ["x"] } }]);
    assert.deepEqual(run({ "h.1": "y" }), [{ h_1: "y", meta: { hosts: ["y"] } }]);
    assert.throws(() => compileFilters([f("noop", { x: 1 })]), hasCode("HB_ERR_RULEBOOK_SCHEMA"));
  });

  test("a non-object event throws HB_ERR_INVALID_PAYLOAD", () => {
    assert.throws(() => applyFilters([1] as unknown as Obj, [f("noop")]), hasCode("HB_ERR_INVALID_PAYLOAD"));
  });
});
