import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { formatDiagnostic, loadRulebookText } from "../../src/rulebook/load.js";

function errors(text: string, vars: Record<string, unknown> = {}) {
  return loadRulebookText("rb.yml", text, { vars }).diagnostics.filter((d) => d.severity === "error");
}

const VALID = `- name: gpu
  hosts: all
  sources:
    - name: alerts
      hookbook.alertmanager: {}
  rules:
    - name: deep queue
      condition: event.alert.labels.alertname == "GPUJobQueueDepthHigh" and event.alert.status == "firing"
      throttle: {once_within: 10 minutes, group_by_attributes: [event.alert.labels.queue]}
      actions:
        - debug: {msg: "hi {{ event.alert.labels.queue }}"}
        - run_command: {command: echo, args: ["{{ event.alert.labels.queue }}"], timeout: 30 seconds}
    - name: off
      enabled: false
      condition: true
      action:
        none:
`;

describe("loadRulebookText", () => {
  test("a valid rulebook becomes the typed model", () => {
    const r = loadRulebookText("rb.yml", VALID);
    assert.deepEqual(r.diagnostics, []);
    const rs = r.rulebook?.rulesets[0];
    assert.ok(rs);
    assert.equal(rs.name, "gpu");
    assert.deepEqual(rs.hosts, ["all"]);
    assert.equal(rs.sources[0]?.name, "alerts");
    assert.equal(rs.sources[0]?.plugin, "hookbook.alertmanager");
    assert.equal(rs.rules.length, 1, "disabled rule removed");
    assert.equal(rs.disabledRules, 1);
    const rule = rs.rules[0]!;
    assert.equal(rule.condition.kind, "all");
    assert.equal(rule.condition.items.length, 1);
    assert.equal(rule.throttle?.kind, "once_within");
    assert.equal(rule.throttle?.windowMs, 600_000);
    assert.deepEqual(rule.actions.map((a) => a.name), ["debug", "run_command"]);
    assert.equal(rs.defaultEventsTtlMs, 2 * 3_600_000);
    assert.match(r.rulebook!.version, /^[0-9a-f]{16}$/);
  });

  test("YAML syntax error points at the line", () => {
    const e = errors("- name: x\n  hosts: [all\n");
    assert.equal(e[0]?.code, "HB_ERR_RULEBOOK_YAML");
    assert.ok((e[0]?.line ?? 0) >= 2);
  });

  test("unknown ruleset key with a did-you-mean hint, at its line and column", () => {
    const e = errors(VALID.replace("  hosts: all", "  hosts: all\n  match_multiple_rule: true"));
    assert.equal(e.length, 1);
    assert.equal(e[0]!.code, "HB_ERR_RULEBOOK_SCHEMA");
    assert.equal(e[0]!.line, 3);
    assert.equal(e[0]!.col, 3);
    assert.match(e[0]!.hint ?? "", /match_multiple_rules/);
    assert.match(formatDiagnostic(e[0]!), /^rb\.yml:3:3: error HB_ERR_RULEBOOK_SCHEMA /);
  });

  test("unknown action name", () => {
    const e = errors(VALID.replace("- debug:", "- debugg:"));
    assert.equal(e[0]?.code, "HB_ERR_RULEBOOK_UNKNOWN_ACTION");
    assert.equal(e[0]?.line, 11);
    assert.match(e[0]?.hint ?? "", /debug/);
  });

  test("bad action arguments are named", () => {
    const e = errors(VALID.replace("run_command: {command: echo,", "run_command: {cmd: echo,"));
    assert.equal(e[0]?.code, "HB_ERR_RULEBOOK_SCHEMA");
    assert.equal(e[0]?.line, 12);
  });

  test("duplicate rule and ruleset names", () => {
    const dupRule = VALID.replace("    - name: off", "    - name: deep queue");
    assert.equal(errors(dupRule)[0]?.code, "HB_ERR_RULEBOOK_DUPLICATE_NAME");
    const twice = VALID + VALID.replace(/^- name: gpu/, "- name: gpu");
    const secondLine = VALID.split("\n").length;
    assert.ok(errors(twice).some((d) => d.code === "HB_ERR_RULEBOOK_DUPLICATE_NAME" && d.line === secondLine));
  });

  test("rule names are rendered with vars before the uniqueness check", () => {
    const text = VALID.replace("    - name: deep queue", "    - name: \"scale {{ pool }}\"").replace("    - name: off", "    - name: scale a100");
    assert.equal(errors(text, { pool: "h100" }).length, 0);
    assert.equal(loadRulebookText("rb.yml", text, { vars: { pool: "h100" } }).rulebook?.rulesets[0]?.rules[0]?.name, "scale h100");
    assert.equal(errors(text, { pool: "a100" })[0]?.code, "HB_ERR_RULEBOOK_DUPLICATE_NAME");
    assert.equal(errors(text, {})[0]?.code, "HB_ERR_TEMPLATE_UNDEFINED");
  });

  test("empty names", () => {
    assert.equal(errors(VALID.replace("- name: gpu", "- name: '  '"))[0]?.code, "HB_ERR_RULEBOOK_EMPTY_NAME");
  });

  test("bad durations", () => {
    assert.equal(errors(VALID.replace("once_within: 10 minutes", "once_within: 10 minits"))[0]?.code, "HB_ERR_RULEBOOK_BAD_DURATION");
    assert.equal(errors(VALID.replace("  hosts: all", "  hosts: all\n  default_events_ttl: soon"))[0]?.code, "HB_ERR_RULEBOOK_BAD_DURATION");
  });

  test("throttle without group_by_attributes says so (not 'throttle was unexpected')", () => {
    const e = errors(VALID.replace("throttle: {once_within: 10 minutes, group_by_attributes: [event.alert.labels.queue]}", "throttle: {once_within: 10 minutes}"));
    assert.equal(e.length, 1);
    assert.match(e[0]!.message, /group_by_attributes/);
  });

  test("condition syntax error points inside the condition string", () => {
    const text = VALID.replace('event.alert.status == "firing"', 'event.alert.status == == "firing"');
    const e = errors(text);
    assert.equal(e[0]?.code, "HB_ERR_CONDITION_SYNTAX");
    assert.equal(e[0]?.line, 8);
    const lineText = text.split("\n")[7]!;
    const at = lineText.indexOf("== ==") + 3;
    assert.ok(Math.abs((e[0]?.col ?? 0) - (at + 1)) <= 1, `col ${e[0]?.col} near ${at + 1}`);
  });

  test("vars referenced but missing", () => {
    const text = VALID.replace('"GPUJobQueueDepthHigh"', "vars.alertname");
    assert.equal(errors(text)[0]?.code, "HB_ERR_VARS_MISSING");
    assert.deepEqual(errors(text, { alertname: "GPUJobQueueDepthHigh" }), []);
  });

  test("and/or mixed without parentheses is a warning in ansible precedence, not in conventional", () => {
    const mixed = VALID.replace('event.alert.status == "firing"', 'event.alert.status == "firing" or event.x == 1');
    const r = loadRulebookText("rb.yml", mixed);
    assert.ok(r.rulebook, "still loads");
    assert.ok(r.diagnostics.some((d) => d.severity === "warning" && d.code === "HB_WARN_AND_OR_PRECEDENCE" && d.line === 8));
    const conv = loadRulebookText("rb.yml", mixed.replace("  hosts: all", "  hosts: all\n  condition_precedence: conventional"));
    assert.ok(!conv.diagnostics.some((d) => d.code === "HB_WARN_AND_OR_PRECEDENCE"));
  });

  test("condition forms: true, any, all with timeout, not_all needs timeout", () => {
    const noThrottle = VALID.replace(/ {6}throttle: [^\n]*\n/, "");
    const any = noThrottle.replace(/condition: event.alert[^\n]*/, "condition:\n        any:\n          - event.i == 1\n          - event.j == 2");
    const r = loadRulebookText("rb.yml", any);
    assert.deepEqual(r.diagnostics, []);
    assert.ok(errors(VALID.replace(/condition: event.alert[^\n]*/, "condition:\n        any:\n          - event.i == 1\n          - event.j == 2")).some((d) => /single-condition/.test(d.message)), "throttle needs a single condition");
    assert.equal(r.rulebook?.rulesets[0]?.rules[0]?.condition.kind, "any");
    const notAll = VALID.replace(/condition: event.alert[^\n]*/, "condition:\n        not_all:\n          - event.i == 1\n          - event.j == 2");
    assert.ok(errors(notAll).some((d) => /timeout/.test(d.message)));
  });

  test("a rulebook must be a list; action needs exactly one name", () => {
    assert.equal(errors("name: x\n")[0]?.code, "HB_ERR_RULEBOOK_SCHEMA");
    assert.equal(errors(VALID.replace("- debug: {msg:", "- none: {}\n          debug: {msg:"))[0]?.code, "HB_ERR_RULEBOOK_SCHEMA");
  });
});
