import assert from "node:assert/strict";
import { test } from "node:test";
import { planIngestSources } from "../../src/runtime/ingest-sources.js";

test("rulebook-declared sources: ansible-style auth args, SNS verified by default, unauthenticated ones warned", () => {
  const plan = planIngestSources(
    [{ name: "configured", kind: "webhook", auth: { type: "none" }, bodyLimit: 10, options: {} }],
    [
      { name: "configured", plugin: "ansible.eda.webhook", args: { token: "ignored: config wins" } },
      { name: "hooks", plugin: "ansible.eda.webhook", args: { token: "{{ tok }}", hmac_secret: "s", hmac_header: "X-Sig", hmac_format: "base64" } },
      { name: "sns", plugin: "hookbook.sns", args: { topic_arns: ["arn:aws:sns:us-east-1:1:t"] } },
      { name: "open", plugin: "hookbook.alertmanager", args: {} },
      { name: "kafka", plugin: "ansible.eda.kafka", args: {} },
    ],
    { tok: "rendered-token" },
    1024,
  );
  const byName = new Map(plan.sources.map((s) => [s.name, s]));
  assert.deepEqual([...byName.keys()], ["configured", "hooks", "sns", "open"]);
  assert.deepEqual(byName.get("configured")?.auth, { type: "none" }, "the config's source wins");
  assert.deepEqual(byName.get("hooks")?.auth, [
    { type: "bearer", token: "rendered-token" },
    { type: "hmac", secret: "s", header: "x-sig", algorithm: "sha256", encoding: "base64", prefix: "sha256=" },
  ]);
  const sns = byName.get("sns")?.auth as unknown as { type: string; topicArnAllowlist: string[] }[];
  assert.equal(sns[0]?.type, "sns");
  assert.deepEqual(sns[0]?.topicArnAllowlist, ["arn:aws:sns:us-east-1:1:t"]);
  assert.deepEqual(byName.get("open")?.auth, { type: "none" });
  assert.ok(plan.warnings.some((w) => w.includes("'open'") && w.includes("unauthenticated")));
  assert.ok(plan.warnings.some((w) => w.includes("ansible.eda.kafka")));
  assert.ok(!plan.warnings.some((w) => w.includes("'sns'")));
});
