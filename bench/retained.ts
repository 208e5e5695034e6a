// Memory and speed with 100k retained partial matches (issue 3 §6): a multi-event `all` rule
// whose first condition every event satisfies and whose second none does, so each event stays
// in working memory until default_events_ttl. Baseline: the same process before the run.
import { VirtualClock } from "../src/core/clock.js";
import { Engine } from "../src/engine/engine.js";
import { loadRulebookText } from "../src/rulebook/load.js";

const N = Number(process.argv.find((a) => a.startsWith("--events="))?.slice(9) ?? 100_000);
const gc = (globalThis as { gc?: () => void }).gc;
const heap = () => {
  gc?.();
  return process.memoryUsage();
};

const r = loadRulebookText(
  "bench.yml",
  `- name: retained
  hosts: all
  default_events_ttl: 2 hours
  sources: [{name: s, hookbook.webhook: {}}]
  rules:
    - name: pair
      condition:
        all:
          - event.alert.labels.alertname == "GPUXidError"
          - event.alert.labels.alertname == "NodeRecovered" and event.alert.labels.node == events.m_0.alert.labels.node
      action: {debug: {}}
`,
);
if (!r.rulebook) throw new Error(JSON.stringify(r.diagnostics));
const clock = new VirtualClock(Date.UTC(2026, 4, 12));
const engine = new Engine({ rulebooks: [r.rulebook], clock, evaluator: "compiled" });
const session = engine.sessions[0]!;

const before = heap();
const t0 = performance.now();
for (let i = 0; i < N; i++) {
  await engine.process({
    data: { alert: { status: "firing", labels: { alertname: "GPUXidError", node: `gpu-node-${i}`, xid: "79" }, startsAt: "2026-05-12T14:00:00Z" } },
    uuid: `e${i}`,
    receivedAt: clock.now(),
  });
}
const insertMs = performance.now() - t0;
const after = heap();
// One completing event at the end: the join must find its partner among N retained events.
const t1 = performance.now();
const fired = await engine.process({ data: { alert: { labels: { alertname: "NodeRecovered", node: `gpu-node-${N - 1}` } } }, uuid: "done", receivedAt: clock.now() });
const joinMs = performance.now() - t1;

const perEvent = (after.heapUsed - before.heapUsed) / N;
console.log(`retained partial matches: ${session.retained.toLocaleString("en-US")} (events in: ${N.toLocaleString("en-US")}${gc ? "" : "; run with --expose-gc for exact heap figures"})`);
console.log(`heap used: ${(before.heapUsed / 1048576).toFixed(1)} MiB before → ${(after.heapUsed / 1048576).toFixed(1)} MiB after (+${((after.heapUsed - before.heapUsed) / 1048576).toFixed(1)} MiB, ${Math.round(perEvent)} B per retained event)`);
console.log(`RSS: ${(before.rss / 1048576).toFixed(0)} → ${(after.rss / 1048576).toFixed(0)} MiB`);
console.log(`insert rate while retaining: ${Math.round(N / (insertMs / 1000)).toLocaleString("en-US")} events/s; completing join over ${N.toLocaleString("en-US")} partials: ${joinMs.toFixed(1)} ms, fired ${fired.length}`);
console.log(JSON.stringify({ bench: "retained", events: N, retained: session.retained, heapBeforeMiB: before.heapUsed / 1048576, heapAfterMiB: after.heapUsed / 1048576, bytesPerRetained: Math.round(perEvent), rssAfterMiB: after.rss / 1048576, insertPerSec: Math.round(N / (insertMs / 1000)), joinMs, fired: fired.length }));
