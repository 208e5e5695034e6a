import { isMap, isScalar, isSeq } from "yaml";
import type { Node } from "yaml";
import { parseEventsLine } from "../../cli/events-file.js";
import { isHookbookError } from "../../core/errors.js";
import { didYouMean } from "../../core/suggest.js";
import { childNode, keyNode } from "../../rulebook/yaml-doc.js";
import { ACTION_STATUSES } from "./model.js";
import type { ActionStatus, ExpectedAction, RuleRef, RulebookTestCase, TestInputItem } from "./model.js";
import { inputFileLabel } from "./test-file-parser.js";
import type { TestFileParser } from "./test-file-parser.js";

const TEST_KEYS = ["name", "input", "input_file", "start_time", "expect_actions", "expect_fired", "expect_not_fired", "expect_shutdown"] as const;
const EXPECTED_ACTION_KEYS = ["action", "status", "matching_events"] as const;
const ADVANCE = "$advance";

/** One item of `tests:`; undefined (with diagnostics) when it is not valid. */
export async function parseTestCase(p: TestFileParser, node: Node, defaultStartMs: number): Promise<RulebookTestCase | undefined> {
  if (!isMap(node)) {
    p.error(p.pos(node), "each test must be a mapping with 'name', 'input' and expectations");
    return undefined;
  }
  const before = p.diagnostics.length;
  p.unknownKeys(node, TEST_KEYS, "test");
  const pos = p.pos(node);
  const nameNode = childNode(node, "name");
  if (nameNode === undefined) p.error(pos, "test is missing required key 'name'");
  const name = p.string(nameNode, "test name") ?? "";

  const inputNode = childNode(node, "input");
  const inputFileNode = childNode(node, "input_file");
  let input: TestInputItem[] = [];
  if (inputNode !== undefined && inputFileNode !== undefined) p.error(p.pos(keyNode(node, "input_file")), `test '${name}' has both 'input' and 'input_file'`, "keep one of them");
  else if (inputNode !== undefined) input = inlineInput(p, inputNode);
  else if (inputFileNode !== undefined) input = await fileInput(p, inputFileNode);
  else p.error(pos, `test '${name}' has no 'input' or 'input_file'`);

  const startMs = p.startTime(childNode(node, "start_time")) ?? defaultStartMs;
  const actionsNode = childNode(node, "expect_actions");
  const expectActions = actionsNode === undefined ? undefined : expectedActions(p, actionsNode);
  const expectFired = ruleRefs(p, childNode(node, "expect_fired"), "expect_fired");
  const expectNotFired = ruleRefs(p, childNode(node, "expect_not_fired"), "expect_not_fired");
  const expectShutdown = p.bool(childNode(node, "expect_shutdown"), "expect_shutdown");
  if (["expect_actions", "expect_fired", "expect_not_fired", "expect_shutdown"].every((k) => childNode(node, k) === undefined)) {
    p.error(pos, `test '${name}' has no expectation`, "add expect_actions (use [] for 'nothing fires'), expect_fired, expect_not_fired or expect_shutdown");
  }
  if (p.diagnostics.length > before) return undefined;
  return {
    name,
    pos,
    input,
    startMs,
    ...(expectActions ? { expectActions } : {}),
    expectFired,
    expectNotFired,
    ...(expectShutdown !== undefined ? { expectShutdown } : {}),
  };
}

function inlineInput(p: TestFileParser, node: Node): TestInputItem[] {
  if (!isSeq(node)) {
    p.error(p.pos(node), "'input' must be a list of events and {$advance: <duration>} items");
    return [];
  }
  const out: TestInputItem[] = [];
  for (const written of node.items as Node[]) {
    const pos = p.pos(written);
    const label = `line ${pos.line}`;
    const item = p.deref(written);
    if (!isMap(item)) {
      p.error(pos, "each input item must be an event (a mapping) or {$advance: <duration>}");
      continue;
    }
    const advance = childNode(item, ADVANCE);
    if (advance !== undefined) {
      if (item.items.length !== 1) p.error(pos, `'${ADVANCE}' must be the only key of its input item`);
      const ms = p.duration(advance, ADVANCE);
      if (ms !== undefined) out.push({ line: { kind: "advance", ms, line: pos.line }, pos, label });
      continue;
    }
    out.push({ line: { kind: "event", event: p.js(item) as Record<string, unknown>, line: pos.line }, pos, label });
  }
  return out;
}

/** `input_file`: JSONL, exactly the format of `hookbook run --events`. */
async function fileInput(p: TestFileParser, node: Node): Promise<TestInputItem[]> {
  const path = p.string(node, "input_file");
  if (path === undefined) return [];
  const read = await p.readRelative(node, path, "input_file");
  if (!read) return [];
  const out: TestInputItem[] = [];
  read.text.split(/\r?\n/).forEach((raw, i) => {
    const text = raw.trim();
    const n = i + 1;
    if (text === "" || text.startsWith("#") || text.startsWith("//")) return;
    try {
      out.push({ line: parseEventsLine(text, read.path, n), pos: { file: read.path, line: n, col: 1 }, label: inputFileLabel(read.path, n) });
    } catch (err) {
      if (!isHookbookError(err)) throw err;
      // parseEventsLine prefixes file:line:col; the diagnostic carries the position itself.
      const message = err.message.replace(/^.*?:\d+:\d+: /, "");
      p.diagnostics.push({ file: read.path, line: err.location?.line ?? n, col: err.location?.col ?? 1, severity: "error", code: err.code, message });
    }
  });
  return out;
}

function expectedActions(p: TestFileParser, node: Node): ExpectedAction[] {
  if (!isSeq(node)) {
    p.error(p.pos(node), "'expect_actions' must be a list (use [] to expect that nothing fires)");
    return [];
  }
  const out: ExpectedAction[] = [];
  for (const written of node.items as Node[]) {
    const pos = p.pos(written);
    const item = p.deref(written);
    if (isScalar(item)) {
      const key = actionKey(p, item);
      if (key !== undefined) out.push({ key, pos });
      continue;
    }
    if (!isMap(item)) {
      p.error(pos, "each expected action must be 'ruleset::rule::action' or a mapping with 'action', 'status', 'matching_events'");
      continue;
    }
    p.unknownKeys(item, EXPECTED_ACTION_KEYS, "expected action");
    const actionNode = childNode(item, "action");
    if (actionNode === undefined) p.error(pos, "expected action is missing required key 'action'", "'ruleset::rule::action'");
    const key = actionNode === undefined ? undefined : actionKey(p, actionNode);
    const status = actionStatus(p, childNode(item, "status"));
    const meNode = childNode(item, "matching_events");
    let matchingEvents: Record<string, unknown> | undefined;
    if (meNode !== undefined) {
      const value = p.js(meNode);
      if (value === null || typeof value !== "object" || Array.isArray(value)) p.error(p.pos(meNode), "'matching_events' must be a mapping of binding (m, m_0, …) to event fields");
      else matchingEvents = value as Record<string, unknown>;
    }
    if (key !== undefined) out.push({ key, pos, ...(status ? { status } : {}), ...(matchingEvents ? { matchingEvents } : {}) });
  }
  return out;
}

function actionKey(p: TestFileParser, node: Node): string | undefined {
  const key = p.string(node, "expected action");
  if (key === undefined) return undefined;
  if (key.split("::").length < 3) {
    p.error(p.pos(node), `expected action '${key}' must be 'ruleset::rule::action'`, "e.g. 'gpu capacity::scale up on deep queue::debug'");
    return undefined;
  }
  return key.trim();
}

function actionStatus(p: TestFileParser, node: Node | undefined): ActionStatus | undefined {
  if (node === undefined) return undefined;
  const value = isScalar(node) ? node.value : undefined;
  if (typeof value === "string" && (ACTION_STATUSES as readonly string[]).includes(value)) return value as ActionStatus;
  p.error(p.pos(node), `status must be one of ${ACTION_STATUSES.join(", ")}`, typeof value === "string" ? didYouMean(value, ACTION_STATUSES) : undefined);
  return undefined;
}

function ruleRefs(p: TestFileParser, node: Node | undefined, what: string): RuleRef[] {
  if (node === undefined) return [];
  if (!isSeq(node)) {
    p.error(p.pos(node), `'${what}' must be a list of 'ruleset::rule'`);
    return [];
  }
  const out: RuleRef[] = [];
  for (const item of node.items as Node[]) {
    const key = p.string(item, `${what} entry`);
    if (key === undefined) continue;
    if (key.split("::").length < 2) p.error(p.pos(item), `'${key}' must be 'ruleset::rule'`);
    else out.push({ key: key.trim(), pos: p.pos(item) });
  }
  return out;
}
