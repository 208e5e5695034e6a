import type { ActualAction, TestFailure, TestRun } from "./compare.js";
import { renderDiff } from "./diff.js";
import type { DiffLine } from "./diff.js";
import type { RulebookTestCase } from "./model.js";
import { formatMismatch } from "./subset-match.js";

const INDENT = "    ";
const MAX_PAD = 72;

/** `+0s`, `+11m`, `+1h30m`, `+2d`, `+1500ms`: a virtual-time offset from the test's start. */
export function formatOffset(ms: number): string {
  if (ms % 1000 !== 0) return `+${ms}ms`;
  let s = ms / 1000;
  const parts: string[] = [];
  for (const [unit, size] of [["d", 86_400], ["h", 3600], ["m", 60]] as const) {
    if (s >= size) {
      parts.push(`${Math.floor(s / size)}${unit}`);
      s %= size;
    }
  }
  if (s > 0 || parts.length === 0) parts.push(`${s}s`);
  return `+${parts.join("")}`;
}

/** Where an action came from: `input line 12, +11m` (or `after the input` for timers). */
export function actualNote(test: RulebookTestCase, a: ActualAction): string {
  const item = a.inputIndex === undefined ? undefined : test.input[a.inputIndex];
  const from = item ? (item.label.startsWith("line ") ? `input ${item.label}` : item.label) : "after the input";
  return `${from}, ${formatOffset(a.offsetMs)}${a.status === "failed" ? `, failed: ${a.message ?? ""}` : ""}`;
}

function withNotes(lines: readonly DiffLine[], indent: string): string[] {
  const width = Math.min(MAX_PAD, Math.max(0, ...lines.map((l) => l.text.length)));
  return lines.map((l) => `${indent}${l.marker} ${l.note ? `${l.text.padEnd(width)}  # ${l.note}` : l.text}`.trimEnd());
}

/** The actions a run produced, each with where it came from and what it printed (for --verbose). */
export function formatActualActions(test: RulebookTestCase, run: TestRun): string[] {
  if (run.actions.length === 0) return [`${INDENT}(no actions)`];
  const lines = withNotes(run.actions.map((a) => ({ marker: " ", text: a.key, note: actualNote(test, a) })), INDENT.slice(2));
  const out: string[] = [];
  let first = 0;
  lines.forEach((line, i) => {
    out.push(line);
    if (run.actions[i + 1]?.firing === run.actions[i]?.firing) return;
    // Last action of its firing: what the firing printed.
    for (const o of run.output) if (o.action === first) for (const l of o.text.split("\n")) out.push(`${INDENT}  | ${l}`);
    first = i + 1;
  });
  for (const o of run.output) if (o.action >= run.actions.length) for (const l of o.text.split("\n")) out.push(`${INDENT}| ${l}`);
  return out;
}

/** Readable lines for the failures of one test (indented under its `not ok` line). */
export function formatFailures(test: RulebookTestCase, failures: readonly TestFailure[]): string[] {
  const out: string[] = [];
  for (const f of failures) {
    switch (f.kind) {
      case "error":
        out.push(`${INDENT}the run failed: ${f.message.split("\n").join(`\n${INDENT}  `)}`);
        break;
      case "actions": {
        out.push(`${INDENT}expect_actions: the fired actions differ (- expected, + actual)`);
        const lines = renderDiff(f.ops, (op): DiffLine => {
          if (op.kind === "delete") {
            const e = f.expected[op.a]!;
            return { marker: "-", text: e.key, note: `expected at line ${e.pos.line}` };
          }
          const a = f.actual[op.b]!;
          return { marker: op.kind === "insert" ? "+" : " ", text: a.key, note: actualNote(test, a) };
        });
        out.push(...withNotes(lines, `${INDENT}  `));
        break;
      }
      case "action-detail":
        out.push(`${INDENT}expect_actions[${f.index}] ${f.expected.key} (line ${f.expected.pos.line}), from ${actualNote(test, f.actual)}:`);
        for (const m of f.mismatches) out.push(`${INDENT}  ${formatMismatch(m)}`);
        break;
      case "fired":
        out.push(`${INDENT}expect_fired: ${f.rule.key} did not fire (line ${f.rule.pos.line})`);
        break;
      case "not-fired": {
        const where = [...new Set(f.firings.map((a) => actualNote(test, { ...a, status: "successful" })))];
        out.push(`${INDENT}expect_not_fired: ${f.rule.key} fired (line ${f.rule.pos.line})${where.length > 0 ? `: ${where.join("; ")}` : ""}`);
        break;
      }
      case "shutdown":
        out.push(
          f.expected
            ? `${INDENT}expect_shutdown: expected a shutdown, there was none`
            : `${INDENT}expect_shutdown: expected no shutdown, got: ${f.actual.map((s) => `${s.ruleset} (${s.kind}${s.message ? `: ${s.message}` : ""})`).join(", ")}`,
        );
        break;
    }
  }
  return out;
}

/** Runner warnings (failed actions, template errors), for --verbose. */
export function formatWarnings(run: TestRun): string[] {
  return run.warnings.map((w) => `${INDENT}warning: ${w}`);
}
