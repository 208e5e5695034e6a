/**
 * Engine matching benchmark: events/s for 10 / 100 / 1,000 realistic rules on
 *   - the compiled predicates behind the hash index (the hot path),
 *   - the compiled predicates evaluated linearly (no index),
 *   - json-rules-engine running the same IR (the reference evaluator, measured in the same run).
 * json-rules-engine is measured for a bounded time per size, not a fixed count. Numbers are
 * printed, never asserted; compare ratios, not absolute figures (they drift between runs).
 *
 *   node --import tsx bench/engine.ts [--seconds=1] [--jre-seconds=2.5]
 */
import { parseCondition } from "../src/rulebook/condition/parser.js";
import { compileCondition } from "../src/rulebook/condition/compile.js";
import { compilePredicate } from "../src/engine/match/predicate.js";
import type { MatchFacts, Predicate } from "../src/engine/match/predicate.js";
import { createCompiledMatcher } from "../src/engine/match/rule-index.js";
import { createJreMatcher } from "../src/engine/match/jre-evaluator.js";

const SIZES = [10, 100, 1000];
const arg = (name: string, dflt: number) => {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? Number(hit.slice(name.length + 3)) : dflt;
};
const FAST_SECONDS = arg("seconds", 1);
const JRE_SECONDS = arg("jre-seconds", 2.5);

let seed = 42;
function rnd(): number {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
}

/** Realistic rules: mostly alertname + status equality, some ranges and presence tests, 2 % unindexable. */
function ruleText(i: number): string {
  if (i % 50 === 49) return `event.alert.annotations.value > ${100_000 + i}`;
  if (i % 50 === 24) return `event.alert.labels.xid is defined and not (event.alert.status == "resolved")`;
  switch (i % 10) {
    case 7:
      return `event.alert.labels.alertname == "X${i}" and event.alert.annotations.value > ${i % 500}`;
    case 8:
      return `event.alert.labels.alertname == "X${i}" and event.alert.labels.gpu_type is defined`;
    case 9:
      return `event.alert.labels.alertname == "X${i}" and event.alert.labels.queue in ["train", "infer"] and event.alert.status == "firing"`;
    default:
      return `event.alert.labels.alertname == "X${i}" and event.alert.status == "firing"`;
  }
}

function makeEvent(n: number): Record<string, unknown> {
  const name = `X${Math.floor(rnd() * n * 1.2)}`;
  const labels: Record<string, unknown> = {
    alertname: name,
    severity: rnd() < 0.3 ? "critical" : "warning",
    instance: `gpu-node-${Math.floor(rnd() * 64)}:9400`,
    queue: rnd() < 0.5 ? "train" : "infer",
  };
  if (rnd() < 0.5) labels.gpu_type = rnd() < 0.5 ? "a100" : "h100";
  return {
    alert: {
      status: rnd() < 0.8 ? "firing" : "resolved",
      labels,
      annotations: { summary: `${name} on ${String(labels.instance)}`, value: Math.floor(rnd() * 1000) },
      startsAt: "2026-01-01T00:00:00Z",
      fingerprint: Math.floor(rnd() * 1e12).toString(16),
    },
    meta: { source: { name: "alerts", type: "hookbook.alertmanager" }, received_at: "2026-01-01T00:00:01Z", uuid: `u-${Math.floor(rnd() * 1e9)}` },
  };
}

function timeLoop(seconds: number, step: (i: number) => number): { perSec: number; n: number; hits: number } {
  const start = performance.now();
  const budget = seconds * 1000;
  let n = 0;
  let hits = 0;
  for (;;) {
    for (let k = 0; k < 256; k++) hits += step(n++);
    const elapsed = performance.now() - start;
    if (elapsed >= budget) return { perSec: (n / elapsed) * 1000, n, hits };
  }
}

async function timeLoopAsync(seconds: number, step: (i: number) => Promise<number>): Promise<{ perSec: number; n: number; hits: number }> {
  const start = performance.now();
  const budget = seconds * 1000;
  let n = 0;
  let hits = 0;
  for (;;) {
    hits += await step(n++);
    const elapsed = performance.now() - start;
    if (elapsed >= budget && n >= 3) return { perSec: (n / elapsed) * 1000, n, hits };
  }
}

const mib = () => Math.round(process.memoryUsage().rss / 1048576);
const fmt = (x: number) => (x >= 100 ? Math.round(x).toLocaleString("en-US") : x.toFixed(1));

interface Row {
  rules: number;
  indexed: number;
  unindexed: number;
  compiledIndexedPerSec: number;
  compiledLinearPerSec: number;
  jrePerSec: number;
  jreEvents: number;
  ratio: number;
  agree: boolean;
  rssMiB: number;
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  console.log(`engine bench — node ${process.version}, ${FAST_SECONDS}s per compiled measurement, ${JRE_SECONDS}s per json-rules-engine measurement`);
  for (const size of SIZES) {
    const rules = Array.from({ length: size }, (_, i) => ({ id: `r${i}`, ir: compileCondition(parseCondition(ruleText(i)), { vars: {} }).ir }));
    const events: MatchFacts[] = Array.from({ length: 4096 }, () => ({ event: makeEvent(size) }));
    const mask = events.length - 1;
    const indexed = createCompiledMatcher(rules);
    const preds: Predicate[] = rules.map((r) => compilePredicate(r.ir));
    const jre = createJreMatcher(rules);

    // sanity: both evaluators agree on a sample
    let agree = true;
    for (let i = 0; i < 50; i++) {
      const facts = events[i] as MatchFacts;
      if ((await jre.match(facts)).join() !== indexed.match(facts).join()) agree = false;
    }

    timeLoop(0.2, (i) => indexed.match(events[i & mask] as MatchFacts).length); // warm-up
    const fast = timeLoop(FAST_SECONDS, (i) => indexed.match(events[i & mask] as MatchFacts).length);
    const linear = timeLoop(FAST_SECONDS, (i) => {
      const facts = events[i & mask] as MatchFacts;
      let h = 0;
      for (let r = 0; r < preds.length; r++) if ((preds[r] as Predicate)(facts)) h++;
      return h;
    });
    const slow = await timeLoopAsync(JRE_SECONDS, async (i) => (await jre.match(events[i & mask] as MatchFacts)).length);
    const row: Row = {
      rules: size,
      indexed: indexed.stats.indexed,
      unindexed: indexed.stats.unindexed,
      compiledIndexedPerSec: Math.round(fast.perSec),
      compiledLinearPerSec: Math.round(linear.perSec),
      jrePerSec: Number(slow.perSec.toFixed(1)),
      jreEvents: slow.n,
      ratio: Math.round(fast.perSec / slow.perSec),
      agree,
      rssMiB: mib(),
    };
    rows.push(row);
    if (fast.hits < 0 || linear.hits < 0 || slow.hits < 0) console.log("unreachable");
  }

  const header = ["rules", "indexed/always", "compiled+index ev/s", "compiled linear ev/s", "json-rules-engine ev/s", "index÷jre", "agree", "RSS MiB"];
  const table = rows.map((r) => [
    String(r.rules),
    `${r.indexed}/${r.unindexed}`,
    fmt(r.compiledIndexedPerSec),
    fmt(r.compiledLinearPerSec),
    `${fmt(r.jrePerSec)} (${r.jreEvents} ev)`,
    `${r.ratio.toLocaleString("en-US")}×`,
    r.agree ? "yes" : "NO",
    String(r.rssMiB),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...table.map((row) => (row[c] as string).length)));
  const line = (cells: readonly string[]) => cells.map((cell, c) => cell.padStart(widths[c] as number)).join("  ");
  console.log(line(header));
  for (const row of table) console.log(line(row));
  console.log(JSON.stringify({ bench: "engine", node: process.version, fastSeconds: FAST_SECONDS, jreSeconds: JRE_SECONDS, results: rows }));
}

await main();
