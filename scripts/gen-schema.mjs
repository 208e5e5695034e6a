// Generates src/rulebook/schema/rulebook.schema.json (draft-07, usable by yaml-language-server).
// Kept as a script so the action argument tables stay readable; run: node scripts/gen-schema.mjs
import { writeFileSync } from "node:fs";

const duration = { type: "string", pattern: "^\\d+\\s+(milliseconds?|seconds?|minutes?|hours?|days?)$", description: "'<int> <unit>', unit milliseconds|seconds|minutes|hours|days" };
const ttl = { type: "string", pattern: "^\\d+\\s+(seconds?|minutes?|hours?|days?)$", description: "'<int> <unit>', unit seconds|minutes|hours|days" };
const str = { type: "string" };
const bool = { type: "boolean" };
const int = { type: "integer" };
const num = { type: "number" };
const obj = { type: "object" };
const varRoot = { oneOf: [str, obj] };
const strList = { type: "array", items: str };
const timeoutArg = { oneOf: [{ type: "number", exclusiveMinimum: 0 }, duration], description: "seconds (number) or a duration string" };

function args(properties, required = []) {
  return { type: "object", additionalProperties: false, properties, ...(required.length ? { required } : {}) };
}
function nullable(schema) {
  return { oneOf: [{ type: "null" }, schema] };
}

const playbookCommon = { post_events: bool, set_facts: bool, ruleset: str, verbosity: int, var_root: varRoot, json_mode: bool, retry: bool, retries: int, delay: num, extra_vars: obj, lock: str };
const jobCommon = { name: str, organization: str, job_args: obj, post_events: bool, set_facts: bool, ruleset: str, var_root: str, retry: bool, retries: int, delay: int, include_events: bool, lock: str, labels: strList, add_event_uuid_label: bool };

const actionArgs = {
  run_playbook: args({ name: str, copy_files: bool, ...playbookCommon }, ["name"]),
  run_module: args({ name: str, module_args: { oneOf: [obj, str] }, ...playbookCommon }, ["name"]),
  run_job_template: args(jobCommon, ["name", "organization"]),
  run_workflow_template: args(jobCommon, ["name", "organization"]),
  post_event: args({ event: obj, ruleset: str }, ["event"]),
  set_fact: args({ fact: obj, ruleset: str }, ["fact"]),
  retract_fact: args({ fact: obj, ruleset: str, partial: bool }, ["fact"]),
  print_event: nullable(args({ var_root: varRoot, pretty: bool })),
  debug: nullable({ ...args({ msg: { oneOf: [str, strList] }, var: str }), not: { required: ["msg", "var"] } }),
  none: nullable(args({})),
  shutdown: nullable(args({ delay: num, message: str, kind: { enum: ["graceful", "now"] } })),
  // hookbook extensions
  run_command: args({
    command: { type: "string", minLength: 1, description: "program to run (never through a shell)" },
    args: { type: "array", items: { type: ["string", "number", "boolean"] }, description: "argv after the program; each item may use {{ }} templates" },
    env: { type: "object", additionalProperties: { type: ["string", "number", "boolean"] } },
    cwd: str,
    timeout: timeoutArg,
    max_output: { type: "integer", minimum: 0, description: "bytes of stdout/stderr kept in the outcome (default 65536)" },
    lock: { type: "string", description: "parallel rulesets: actions with the same lock name run one at a time" },
  }, ["command"]),
  post: args({
    url: { type: "string", minLength: 1 },
    body: {},
    headers: { type: "object", additionalProperties: str },
    timeout: timeoutArg,
    expected_status: { oneOf: [int, { type: "array", items: int }] },
    lock: str,
  }, ["url"]),
};

const actionNames = Object.keys(actionArgs);
const action = {
  type: "object",
  minProperties: 1,
  maxProperties: 1,
  propertyNames: { enum: actionNames },
  properties: Object.fromEntries(actionNames.map((n) => [n, { $ref: `#/definitions/action_args/${n}` }])),
  description: "exactly one action: { <action name>: <args> }",
};

const conditionString = { type: "string", minLength: 1 };
const condition = {
  oneOf: [
    conditionString,
    { type: "boolean" },
    { type: "object", additionalProperties: false, required: ["all"], properties: { all: { type: "array", minItems: 1, items: conditionString }, timeout: duration } },
    { type: "object", additionalProperties: false, required: ["any"], properties: { any: { type: "array", minItems: 1, items: conditionString } } },
    { type: "object", additionalProperties: false, required: ["not_all", "timeout"], properties: { not_all: { type: "array", minItems: 1, items: conditionString }, timeout: duration } },
  ],
};

const groupBy = { type: "array", items: str, minItems: 1 };
const throttle = {
  oneOf: [
    { type: "object", additionalProperties: false, required: ["once_within", "group_by_attributes"], properties: { once_within: duration, group_by_attributes: groupBy } },
    { type: "object", additionalProperties: false, required: ["once_after", "group_by_attributes"], properties: { once_after: duration, group_by_attributes: groupBy } },
    { type: "object", additionalProperties: false, required: ["accumulate_within", "threshold", "group_by_attributes"], properties: { accumulate_within: duration, threshold: { type: "integer", minimum: 1 }, group_by_attributes: groupBy } },
  ],
};

const rule = {
  type: "object",
  additionalProperties: false,
  required: ["name", "condition"],
  properties: {
    name: { type: "string", minLength: 1 },
    condition,
    action,
    actions: { type: "array", minItems: 1, items: action },
    enabled: bool,
    throttle,
  },
  oneOf: [{ required: ["action"] }, { required: ["actions"] }],
};

const filter = { type: "object", minProperties: 1, maxProperties: 1, additionalProperties: { oneOf: [{ type: "null" }, obj] } };
const source = {
  type: "object",
  properties: { name: str, filters: { type: "array", items: filter } },
  additionalProperties: { oneOf: [{ type: "null" }, obj] },
  description: "{ name?, filters?, <plugin name>: <args> } with exactly one plugin key",
};

const ruleset = {
  type: "object",
  additionalProperties: false,
  required: ["name", "hosts", "sources", "rules"],
  properties: {
    name: { type: "string", minLength: 1 },
    hosts: { oneOf: [str, strList] },
    sources: { type: "array", items: { $ref: "#/definitions/source" } },
    rules: { type: "array", items: { $ref: "#/definitions/rule" } },
    gather_facts: bool,
    default_events_ttl: ttl,
    execution_strategy: { enum: ["sequential", "parallel"] },
    match_multiple_rules: bool,
    condition_precedence: { enum: ["ansible", "conventional"], description: "hookbook extension: 'conventional' makes `and` bind tighter than `or`" },
  },
};

const schema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  $id: "https://hookbook.dev/schema/rulebook.schema.json",
  title: "hookbook / ansible-rulebook rulebook",
  type: "array",
  minItems: 1,
  items: { $ref: "#/definitions/ruleset" },
  definitions: { ruleset, source, rule, action, action_args: actionArgs },
};

writeFileSync(new URL("../src/rulebook/schema/rulebook.schema.json", import.meta.url), JSON.stringify(schema, null, 2) + "\n");
console.log("wrote src/rulebook/schema/rulebook.schema.json with actions:", actionNames.join(", "));
