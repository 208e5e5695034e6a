import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { loadRulebookText } from "../../src/rulebook/load.js";

function errors(actions: string): string[] {
  const text = `- name: gpu
  hosts: all
  sources:
    - name: alerts
      hookbook.alertmanager: {}
  rules:
    - name: r
      condition: event.x == 1
      actions:
${actions}`;
  return loadRulebookText("rb.yml", text).diagnostics.filter((d) => d.severity === "error").map((d) => d.message);
}

describe("rulebook schema: provision_gpus and drain_node", () => {
  test("valid arguments, templates in counts", () => {
    assert.deepEqual(errors(`        - provision_gpus: {provider: kubernetes, pool: "{{ event.gpu }}", add: 2}
        - provision_gpus: {provider: aws, pool: a100, auto_scaling_group: gpu-a100, region: us-east-1, set: "{{ event.n }}", reason: queue, dry_run: true}
        - provision_gpus: {provider: kubernetes, pool: h100, kind: MachineDeployment, namespace: capi, api_version: v1beta2, remove: 1}
        - provision_gpus: {provider: http, pool: a100, endpoint: "https://gpu.example/api", add: 1}
        - drain_node: {provider: kubernetes, node: "{{ event.node }}", grace_period_seconds: 30, timeout: 10 minutes, delete_emptydir_data: true, ignore_daemonsets: true}
        - drain_node: {provider: http, node: n1, cordon_only: true}
`), []);
  });

  test("invalid arguments are load errors", () => {
    assert.equal(errors("        - provision_gpus: {provider: kubernetes, pool: a100}\n").length, 1, "no add/remove/set");
    assert.equal(errors("        - provision_gpus: {provider: kubernetes, pool: a100, add: 1, set: 2}\n").length, 1, "two of them");
    assert.equal(errors("        - provision_gpus: {provider: gcp, pool: a100, add: 1}\n").length, 1);
    assert.equal(errors("        - provision_gpus: {provider: aws, pool: a100, add: 0}\n").length, 1);
    assert.equal(errors("        - provision_gpus: {provider: aws, pool: a100, add: 1, size: 3}\n").length, 1);
    assert.equal(errors("        - drain_node: {provider: kubernetes}\n").length, 1);
    assert.equal(errors("        - drain_node: {provider: kubernetes, node: n1, timeout: soon}\n").length, 1);
  });
});
