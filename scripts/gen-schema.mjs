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

/** Runner-level retries of hookbook's own actions: attempts = 1 + retries; delay doubles each time. */
const retryArgs = {
  retries: { type: "integer", minimum: 0, description: "retry a failed action this many times (permanent errors never retry)" },
  delay: { type: "number", minimum: 0, description: "seconds before the first retry (default 1), doubling each time" },
};

/** `auth` of post/http: inline bearer/basic, or `{integration: name}` to use config secrets. */
const httpAuth = {
  oneOf: [
    { type: "object", additionalProperties: false, required: ["type", "token"], properties: { type: { const: "bearer" }, token: { type: "string" } } },
    { type: "object", additionalProperties: false, required: ["type", "username"], properties: { type: { const: "basic" }, username: { type: "string" }, password: { type: "string" } } },
    { type: "object", additionalProperties: false, required: ["integration"], properties: { integration: { type: "string" }, type: { enum: ["bearer", "basic"] } } },
  ],
};

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
    ...retryArgs,
  }, ["command"]),
  post: args({
    url: { type: "string", minLength: 1 },
    body: {},
    headers: { type: "object", additionalProperties: str },
    timeout: timeoutArg,
    expected_status: { oneOf: [int, { type: "array", items: int }] },
    auth: httpAuth,
    lock: str,
    ...retryArgs,
  }, ["url"]),
  http: args({
    method: { enum: ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "get", "post", "put", "patch", "delete", "head"] },
    url: { type: "string", minLength: 1 },
    body: {},
    headers: { type: "object", additionalProperties: str },
    timeout: timeoutArg,
    expected_status: { oneOf: [int, { type: "array", items: int }] },
    auth: httpAuth,
    lock: str,
    ...retryArgs,
  }, ["url"]),
  open_ticket: args({
    system: { enum: ["jira", "github", "pagerduty", "servicenow"] },
    dedup_key: { type: "string", minLength: 1, description: "one ticket per key (e.g. an alert fingerprint); later opens update it" },
    title: { type: "string", minLength: 1 },
    body: str,
    comment: { type: "string", description: "comment added when the ticket already exists (default: body, else title)" },
    severity: { type: "string", description: "critical|error|warning|info (mapped per system)" },
    labels: { oneOf: [strList, str], description: "list, or a template rendering to one" },
    fields: { type: "object", description: "system-specific extras: jira project/issue_type/…, github repo/assignees, pagerduty component/group/class/custom_details, servicenow assignment_group/…" },
    timeout: timeoutArg,
    lock: str,
    ...retryArgs,
  }, ["system", "dedup_key", "title"]),
  resolve_ticket: args({
    system: { enum: ["jira", "github", "pagerduty", "servicenow"] },
    dedup_key: { type: "string", minLength: 1 },
    comment: str,
    timeout: timeoutArg,
    lock: str,
    ...retryArgs,
  }, ["system", "dedup_key"]),
  notify: {
    ...args({
      channel: { enum: ["slack", "teams", "email"] },
      text: str,
      template: { type: "string", minLength: 1, description: "name in integrations.notify.templates" },
      to: { oneOf: [str, strList], description: "email recipients (default integrations.smtp.to)" },
      subject: str,
      blocks: { oneOf: [{ type: "array" }, str], description: "Slack Block Kit blocks, sent as given" },
      card: { oneOf: [obj, str], description: "Teams Adaptive Card / MessageCard, sent as given" },
      slack_channel: { type: "string", description: "chat.postMessage channel (needs integrations.slack.token)" },
      timeout: timeoutArg,
      lock: str,
    ...retryArgs,
    }, ["channel"]),
    anyOf: [{ required: ["text"] }, { required: ["template"] }, { required: ["blocks"] }, { required: ["card"] }],
  },
  provision_gpus: {
    ...args({
      provider: { enum: ["kubernetes", "aws", "http"] },
      pool: { type: "string", minLength: 1, description: "pool name; default for the Kubernetes object name and the AWS Auto Scaling group" },
      add: { oneOf: [{ type: "integer", minimum: 1 }, { type: "string", minLength: 1, description: "a template rendering to an integer" }], description: "replicas/instances to add" },
      remove: { oneOf: [{ type: "integer", minimum: 1 }, { type: "string", minLength: 1 }], description: "replicas/instances to remove (not below 0)" },
      set: { oneOf: [{ type: "integer", minimum: 0 }, { type: "string", minLength: 1 }], description: "desired total" },
      reason: str,
      dry_run: { oneOf: [bool, str], description: "read the pool, compute the target and check budgets; change nothing" },
      kind: { type: "string", description: "kubernetes: MachineDeployment (default) | MachineSet | MachinePool | Deployment | StatefulSet | ReplicaSet | any kind with a scale subresource (then api_group, api_version)" },
      namespace: { type: "string", description: "kubernetes: namespace (default integrations.kubernetes.namespace, else 'default')" },
      name: { type: "string", description: "kubernetes: object name (default: pool)" },
      api_group: { type: "string", description: "kubernetes: API group of a custom kind (default cluster.x-k8s.io for Cluster API kinds)" },
      api_version: { type: "string", description: "kubernetes: API version of a custom kind (default v1beta1 for Cluster API kinds)" },
      plural: { type: "string", description: "kubernetes: resource plural of a custom kind (default: lower-cased kind + 's')" },
      cluster_scoped: { oneOf: [bool, str], description: "kubernetes: the custom kind is cluster-scoped" },
      auto_scaling_group: { type: "string", description: "aws: Auto Scaling group name (default: pool)" },
      region: { type: "string", description: "aws: region (default integrations.aws.region)" },
      endpoint: { type: "string", description: "http: base URL of the provisioning API (default integrations.gpu_api.url)" },
      lock: str,
    ...retryArgs,
    }, ["provider", "pool"]),
    oneOf: [{ required: ["add"] }, { required: ["remove"] }, { required: ["set"] }],
  },
  drain_node: args({
    provider: { enum: ["kubernetes", "http"] },
    node: { type: "string", minLength: 1 },
    cordon_only: { oneOf: [bool, str], description: "only mark the node unschedulable" },
    grace_period_seconds: { oneOf: [{ type: "integer", minimum: 0 }, { type: "string", minLength: 1 }], description: "termination grace period of evicted pods (default: each pod's own)" },
    timeout: { ...timeoutArg, description: "whole drain incl. PodDisruptionBudget retries (default: the command timeout)" },
    delete_emptydir_data: { oneOf: [bool, str], description: "evict pods using emptyDir (their data is lost)" },
    ignore_daemonsets: { oneOf: [bool, str], description: "skip DaemonSet pods (default true); false: they block the drain" },
    force: { oneOf: [bool, str], description: "also evict pods without a controller" },
    wait_for_delete: { oneOf: [bool, str], description: "wait until evicted pods are gone (default true)" },
    reason: str,
    endpoint: { type: "string", description: "http: base URL of the provisioning API (default integrations.gpu_api.url)" },
    lock: str,
    ...retryArgs,
  }, ["provider", "node"]),
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
