/**
 * Golden IR snapshots for representative conditions: test/golden/condition/ir.json maps each
 * condition (prefixed "[conventional] " when compiled in that mode) to its IR.
 * Regenerate with UPDATE_GOLDEN=1 after an intended change, and review the diff.
 */
import { it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseCondition } from "../../src/rulebook/condition/parser.js";
import { compileCondition } from "../../src/rulebook/condition/compile.js";

const GOLDEN = fileURLToPath(new URL("../golden/condition/ir.json", import.meta.url));

const VARS = {
  universe_meaning: 42,
  mixed: [4, 2.7182, "Vhagar", true],
  person: { age: 30, name: "Fred" },
  pat: "^a",
  flag: true,
};

const CASES: readonly string[] = [
  'event.alert.labels.alertname == "GPUJobQueueDepthHigh" and event.alert.status == "firing"',
  "event.i == 1",
  "event.x != 'GET'",
  "73 != event.x",
  "event.x >= 1.41421356237",
  "event.x < 200.001",
  "5 < event.x",
  "event.best_number > vars.universe_meaning",
  "event.x == null",
  "event.nullable == false",
  "event.flag",
  "not event.nullified",
  "not not event.flag",
  "not (event.i > 50 or event.i < 10)",
  'not event.a and not (event.b == "Goodbye" or event.b != "Hello there")',
  "event.a or event.b and event.c",
  "[conventional] event.a or event.b and event.c",
  "not (event.a == 1 and (event.b == 2 or not event.c))",
  "event.x is defined",
  "event.x is not defined",
  "not (event.x is defined)",
  'event.data not in ["2", "3", "one", null]',
  "event.value in vars.mixed",
  'event.mylist contains "jon"',
  "[1, 2] contains event.x",
  '"a" in event.tags',
  "event.l not contains null",
  "event.x in [1, event.y, vars.universe_meaning]",
  'event.x == [1, "two"]',
  'event.u is match("ab+", ignorecase=true)',
  'event.u is not search("x", multiline=true)',
  "event.u is regex(vars.pat)",
  "event.u is search(events.m_0.pattern)",
  'event.x is select(">", 25)',
  'event.x is not select(">", 25)',
  'not (event.x is not select(">=", vars.universe_meaning))',
  'event.people is selectattr("person.age", "in", [55, 25])',
  'event.people is not selectattr("person.age", ">", vars.person.age)',
  'event.friend_list.names is select("search", events.m_0.request.friend_name)',
  "event.i == events.m_0.i + 1",
  "event.x == event.y",
  "event.a * 2 + 1 > event.b / 4",
  "events.first << event.i == 1",
  'facts.host << fact.meta.hosts == "localhost"',
  'event["http://x"].urls["a.b"][-1] == vars.person.name',
  "vars.flag and event.i == 1",
  "vars.universe_meaning > 50 or event.i == 1",
  "true",
  "false",
  "events.my_bool in [true, false]",
];

function compileCase(key: string): unknown {
  const conventional = key.startsWith("[conventional] ");
  const text = conventional ? key.slice("[conventional] ".length) : key;
  const compiled = compileCondition(parseCondition(text, { precedence: conventional ? "conventional" : "ansible" }), { vars: VARS });
  return compiled.alias === undefined ? { ir: compiled.ir } : { ir: compiled.ir, alias: compiled.alias };
}

it("condition IR matches the golden snapshots", () => {
  const actual: Record<string, unknown> = {};
  for (const key of CASES) actual[key] = compileCase(key);
  if (process.env.UPDATE_GOLDEN === "1") {
    writeFileSync(GOLDEN, `${JSON.stringify(actual, null, 2)}\n`);
    return;
  }
  const expected = JSON.parse(readFileSync(GOLDEN, "utf8")) as Record<string, unknown>;
  for (const key of CASES) {
    assert.ok(key in expected, `no golden entry for ${key}; run with UPDATE_GOLDEN=1`);
    assert.deepEqual(actual[key], expected[key], `IR changed for: ${key}`);
  }
  assert.deepEqual(Object.keys(expected).sort(), [...CASES].sort(), "golden file has stale entries; run with UPDATE_GOLDEN=1");
});
