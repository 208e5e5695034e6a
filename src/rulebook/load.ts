import { readFile } from "node:fs/promises";
import { isMap, isScalar, isSeq } from "yaml";
import type { Node } from "yaml";
import { parseDuration } from "../core/duration.js";
import { isHookbookError } from "../core/errors.js";
import type { ErrorCode } from "../core/errors.js";
import { sha256Hex } from "../core/ids.js";
import { didYouMean } from "../core/suggest.js";
import { ACTION_NAMES, RULE_KEYS, RULESET_KEYS, checkActionArgs } from "./action-args.js";
import { compileCondition } from "./condition/compile.js";
import { renderString } from "./template/index.js";
import type { CondNode } from "./condition/ast.js";
import { findUnparenthesizedAndOr, parseCondition } from "./condition/parser.js";
import { DEFAULT_EVENTS_TTL_MS } from "./model.js";
import type { ActionSpec, ConditionItem, Diagnostic, Rule, RuleCondition, Rulebook, Ruleset, RulesetSource, SourcePos, Throttle } from "./model.js";
import { childNode, keyNode, YamlFile } from "./yaml-doc.js";

export interface LoadOptions {
  /** Variables for `vars.` in conditions (ansible-rulebook --vars). */
  readonly vars?: Readonly<Record<string, unknown>>;
}

export interface LoadResult {
  /** Present only when there is no error (warnings may exist). */
  readonly rulebook?: Rulebook;
  readonly diagnostics: readonly Diagnostic[];
}

const SOURCE_META_KEYS = new Set(["name", "filters"]);
const THROTTLE_KINDS = ["once_within", "once_after", "accumulate_within"] as const;

class Loader {
  readonly diagnostics: Diagnostic[] = [];
  constructor(
    readonly y: YamlFile,
    readonly vars: Readonly<Record<string, unknown>>,
  ) {}

  error(code: ErrorCode, at: SourcePos, message: string, hint?: string): void {
    this.diagnostics.push({ ...at, severity: "error", code, message, ...(hint ? { hint } : {}) });
  }

  warn(code: string, at: SourcePos, message: string, hint?: string): void {
    this.diagnostics.push({ ...at, severity: "warning", code, message, ...(hint ? { hint } : {}) });
  }

  pos(node: Node | null | undefined, fallback?: SourcePos): SourcePos {
    return this.y.posOf(node, fallback);
  }

  unknownKeys(map: Node, allowed: readonly string[], what: string): void {
    if (!isMap(map)) return;
    for (const pair of map.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : "";
      if (!allowed.includes(key)) {
        this.error("HB_ERR_RULEBOOK_SCHEMA", this.pos(pair.key as Node), `unknown ${what} key '${key}'`, didYouMean(key, allowed));
      }
    }
  }

  rulebook(): Ruleset[] {
    const root = this.y.doc.contents as Node | null;
    if (!isSeq(root)) {
      this.error("HB_ERR_RULEBOOK_SCHEMA", this.pos(root), "a rulebook must be a list of rulesets", "start the file with '- name: <ruleset>'");
      return [];
    }
    if (root.items.length === 0) this.error("HB_ERR_RULEBOOK_SCHEMA", this.pos(root), "a rulebook needs at least one ruleset");
    const rulesets: Ruleset[] = [];
    const names = new Map<string, SourcePos>();
    root.items.forEach((item) => {
      const rs = this.ruleset(item as Node);
      if (!rs) return;
      const seen = names.get(rs.name);
      if (seen) this.error("HB_ERR_RULEBOOK_DUPLICATE_NAME", rs.pos, `ruleset name '${rs.name}' is already used at line ${seen.line}`);
      else names.set(rs.name, rs.pos);
      rulesets.push(rs);
    });
    return rulesets;
  }

  str(map: Node, key: string, required: boolean, what: string): string | undefined {
    const node = childNode(map, key);
    if (node === undefined || (isScalar(node) && node.value === null)) {
      if (required) this.error("HB_ERR_RULEBOOK_SCHEMA", this.pos(map), `${what} is missing required key '${key}'`);
      return undefined;
    }
    if (!isScalar(node) || typeof node.value !== "string") {
      this.error("HB_ERR_RULEBOOK_SCHEMA", this.pos(node), `${what} '${key}' must be a string`);
      return undefined;
    }
    return node.value;
  }

  bool(map: Node, key: string, fallback: boolean, what: string): boolean {
    const node = childNode(map, key);
    if (node === undefined) return fallback;
    if (!isScalar(node) || typeof node.value !== "boolean") {
      this.error("HB_ERR_RULEBOOK_SCHEMA", this.pos(node), `${what} '${key}' must be true or false`);
      return fallback;
    }
    return node.value;
  }

  name(map: Node, what: string): string | undefined {
    const name = this.str(map, "name", true, what);
    if (name !== undefined && name.trim() === "") {
      this.error("HB_ERR_RULEBOOK_EMPTY_NAME", this.pos(childNode(map, "name")), `${what} name must not be empty`);
      return undefined;
    }
    return name;
  }

  ruleset(node: Node): Ruleset | undefined {
    if (!isMap(node)) {
      this.error("HB_ERR_RULEBOOK_SCHEMA", this.pos(node), "each ruleset must be a mapping with name, hosts, sources and rules");
      return undefined;
    }
    this.unknownKeys(node, RULESET_KEYS, "ruleset");
    const pos = this.pos(node);
    const name = this.name(node, "ruleset") ?? "";
    const hosts = this.hosts(node);
    for (const key of ["sources", "rules"]) {
      if (childNode(node, key) === undefined) this.error("HB_ERR_RULEBOOK_SCHEMA", pos, `ruleset '${name}' is missing required key '${key}'`);
    }
    const ttlText = this.str(node, "default_events_ttl", false, "ruleset");
    let ttl = DEFAULT_EVENTS_TTL_MS;
    if (ttlText !== undefined) {
      const ms = /millisecond/.test(ttlText) ? undefined : parseDuration(ttlText);
      if (ms === undefined) {
        this.error("HB_ERR_RULEBOOK_BAD_DURATION", this.pos(childNode(node, "default_events_ttl")), `default_events_ttl '${ttlText}' is not a duration`, "use '<int> seconds|minutes|hours|days', e.g. '30 minutes'");
      } else ttl = ms;
    }
    const strategy = this.str(node, "execution_strategy", false, "ruleset") ?? "sequential";
    if (strategy !== "sequential" && strategy !== "parallel") {
      this.error("HB_ERR_RULEBOOK_SCHEMA", this.pos(childNode(node, "execution_strategy")), `execution_strategy must be 'sequential' or 'parallel', not '${strategy}'`);
    }
    const precedence = this.str(node, "condition_precedence", false, "ruleset") ?? "ansible";
    if (precedence !== "ansible" && precedence !== "conventional") {
      this.error("HB_ERR_RULEBOOK_SCHEMA", this.pos(childNode(node, "condition_precedence")), `condition_precedence must be 'ansible' or 'conventional'`);
    }
    const sources = this.sources(childNode(node, "sources"));
    const { rules, disabled } = this.rules(childNode(node, "rules"), precedence === "conventional" ? "conventional" : "ansible");
    return {
      name,
      hosts,
      sources,
      rules,
      disabledRules: disabled,
      defaultEventsTtlMs: ttl,
      executionStrategy: strategy === "parallel" ? "parallel" : "sequential",
      matchMultipleRules: this.bool(node, "match_multiple_rules", false, "ruleset"),
      gatherFacts: this.bool(node, "gather_facts", false, "ruleset"),
      precedence: precedence === "conventional" ? "conventional" : "ansible",
      pos,
    };
  }

  hosts(node: Node): string[] {
    const h = childNode(node, "hosts");
    if (h === undefined) {
      this.error("HB_ERR_RULEBOOK_SCHEMA", this.pos(node), "ruleset is missing required key 'hosts'", "use 'hosts: all'");
      return ["all"];
    }
    if (isScalar(h) && typeof h.value === "string") return h.value.split(",").map((s) => s.trim()).filter(Boolean);
    if (isSeq(h) && h.items.every((i) => isScalar(i) && typeof i.value === "string")) return h.items.map((i) => String((i as { value: unknown }).value));
    this.error("HB_ERR_RULEBOOK_SCHEMA", this.pos(h), "hosts must be a string or a list of strings");
    return ["all"];
  }

  sources(node: Node | undefined): RulesetSource[] {
    if (node === undefined) return [];
    if (!isSeq(node)) {
      this.error("HB_ERR_RULEBOOK_SCHEMA", this.pos(node), "sources must be a list");
      return [];
    }
    const out: RulesetSource[] = [];
    for (const item of node.items as Node[]) {
      if (!isMap(item)) {
        this.error("HB_ERR_RULEBOOK_SCHEMA", this.pos(item), "each source must be a mapping: { name?, filters?, <plugin>: <args> }");
        continue;
      }
      const plugins = item.items.filter((p) => isScalar(p.key) && !SOURCE_META_KEYS.has(String(p.key.value)));
      if (plugins.length !== 1) {
        this.error("HB_ERR_RULEBOOK_SCHEMA", this.pos(item), `a source must name exactly one plugin, found ${plugins.length}`, "e.g. '- name: alerts\\n  hookbook.alertmanager: {}'");
        continue;
      }
      const pluginPair = plugins[0]!;
      const plugin = String((pluginPair.key as { value: unknown }).value);
      const argsNode = pluginPair.value as Node | null;
      const args = argsNode === null || (isScalar(argsNode) && argsNode.value === null) ? {} : argsNode.toJSON();
      if (typeof args !== "object" || args === null || Array.isArray(args)) {
        this.error("HB_ERR_RULEBOOK_SCHEMA", this.pos(argsNode), `arguments of source plugin '${plugin}' must be a mapping`);
        continue;
      }
      const filters: { name: string; args: Record<string, unknown> }[] = [];
      const fNode = childNode(item, "filters");
      if (fNode !== undefined) {
        if (!isSeq(fNode)) this.error("HB_ERR_RULEBOOK_SCHEMA", this.pos(fNode), "filters must be a list");
        else {
          for (const f of fNode.items as Node[]) {
            const js = isMap(f) ? (f.toJSON() as Record<string, unknown>) : undefined;
            const keys = js ? Object.keys(js) : [];
            if (!js || keys.length !== 1) {
              this.error("HB_ERR_RULEBOOK_SCHEMA", this.pos(f), "each filter must be a mapping with exactly one filter name");
              continue;
            }
            const fname = keys[0]!;
            const fargs = js[fname];
            filters.push({ name: fname, args: fargs && typeof fargs === "object" ? (fargs as Record<string, unknown>) : {} });
          }
        }
      }
      out.push({ name: this.str(item, "name", false, "source") ?? plugin, plugin, args: args as Record<string, unknown>, filters, pos: this.pos(item) });
    }
    return out;
  }

  rules(node: Node | undefined, precedence: "ansible" | "conventional"): { rules: Rule[]; disabled: number } {
    if (node === undefined) return { rules: [], disabled: 0 };
    if (!isSeq(node)) {
      this.error("HB_ERR_RULEBOOK_SCHEMA", this.pos(node), "rules must be a list");
      return { rules: [], disabled: 0 };
    }
    const rules: Rule[] = [];
    const names = new Map<string, SourcePos>();
    let disabled = 0;
    (node.items as Node[]).forEach((item, index) => {
      const rule = this.rule(item, index, precedence);
      if (!rule) return;
      const seen = names.get(rule.name);
      if (seen) this.error("HB_ERR_RULEBOOK_DUPLICATE_NAME", rule.pos, `rule name '${rule.name}' is already used at line ${seen.line}`);
      else names.set(rule.name, rule.pos);
      if (rule.enabled) rules.push(rule);
      else disabled++;
    });
    return { rules, disabled };
  }

  rule(node: Node, index: number, precedence: "ansible" | "conventional"): Rule | undefined {
    if (!isMap(node)) {
      this.error("HB_ERR_RULEBOOK_SCHEMA", this.pos(node), "each rule must be a mapping with name, condition and action(s)");
      return undefined;
    }
    this.unknownKeys(node, RULE_KEYS, "rule");
    const pos = this.pos(node);
    const name = this.ruleName(node) ?? `#${index}`;
    const condition = this.condition(node, name, precedence);
    const single = childNode(node, "action");
    const many = childNode(node, "actions");
    const actions: ActionSpec[] = [];
    if (single !== undefined && many !== undefined) {
      this.error("HB_ERR_RULEBOOK_SCHEMA", this.pos(keyNode(node, "actions")), `rule '${name}' has both 'action' and 'actions'`, "keep one of them");
    } else if (single === undefined && many === undefined) {
      this.error("HB_ERR_RULEBOOK_SCHEMA", pos, `rule '${name}' has no 'action' or 'actions'`);
    } else if (single !== undefined) {
      const a = this.action(single, 0);
      if (a) actions.push(a);
    } else if (!isSeq(many) || many.items.length === 0) {
      this.error("HB_ERR_RULEBOOK_SCHEMA", this.pos(many), `'actions' of rule '${name}' must be a non-empty list`);
    } else {
      (many.items as Node[]).forEach((a, i) => {
        const spec = this.action(a, i);
        if (spec) actions.push(spec);
      });
    }
    const throttle = this.throttle(childNode(node, "throttle"), condition);
    return {
      name,
      index,
      enabled: this.bool(node, "enabled", true, "rule"),
      condition: condition ?? { kind: "all", always: false, items: [] },
      actions,
      ...(throttle ? { throttle } : {}),
      pos,
    };
  }

  /** Rule names may use vars (`{{ }}`); uniqueness is checked after rendering, as ansible-rulebook does. */
  ruleName(node: Node): string | undefined {
    const raw = this.name(node, "rule");
    if (raw === undefined || !raw.includes("{{")) return raw;
    try {
      return renderString(raw, this.vars as Record<string, unknown>);
    } catch (err) {
      this.conditionError(childNode(node, "name") ?? node, err);
      return undefined;
    }
  }

  condition(rule: Node, ruleName: string, precedence: "ansible" | "conventional"): RuleCondition | undefined {
    const node = childNode(rule, "condition");
    if (node === undefined) {
      this.error("HB_ERR_RULEBOOK_SCHEMA", this.pos(rule), `rule '${ruleName}' is missing required key 'condition'`);
      return undefined;
    }
    if (isScalar(node) && typeof node.value === "boolean") {
      if (!node.value) this.warn("HB_WARN_CONDITION_FALSE", this.pos(node), `rule '${ruleName}' has 'condition: false' and never fires`);
      return node.value ? { kind: "all", always: true, items: [] } : { kind: "any", always: false, items: [] };
    }
    if (isScalar(node) && typeof node.value === "string") {
      const parsed = this.parseItem(node, precedence);
      const item = parsed && this.compileItem(node, parsed, []);
      return item ? { kind: "all", always: false, items: [item] } : undefined;
    }
    if (isMap(node)) {
      const kinds = (["all", "any", "not_all"] as const).filter((k) => childNode(node, k) !== undefined);
      this.unknownKeys(node, ["all", "any", "not_all", "timeout"], "condition");
      if (kinds.length !== 1) {
        this.error("HB_ERR_RULEBOOK_SCHEMA", this.pos(node), "a condition mapping needs exactly one of 'all', 'any' or 'not_all'");
        return undefined;
      }
      const kind = kinds[0]!;
      const list = childNode(node, kind);
      if (!isSeq(list) || list.items.length === 0) {
        this.error("HB_ERR_RULEBOOK_SCHEMA", this.pos(list), `'${kind}' must be a non-empty list of condition strings`);
        return undefined;
      }
      const timeoutNode = childNode(node, "timeout");
      let timeoutMs: number | undefined;
      if (timeoutNode !== undefined) {
        const text = isScalar(timeoutNode) ? String(timeoutNode.value) : "";
        timeoutMs = parseDuration(text);
        if (kind === "any") this.error("HB_ERR_RULEBOOK_SCHEMA", this.pos(timeoutNode), "'timeout' is only allowed with 'all' or 'not_all'");
        else if (timeoutMs === undefined) this.error("HB_ERR_RULEBOOK_BAD_DURATION", this.pos(timeoutNode), `timeout '${text}' is not a duration`, "use '<int> <unit>', e.g. '10 seconds'");
      } else if (kind === "not_all") {
        this.error("HB_ERR_RULEBOOK_SCHEMA", this.pos(node), "'not_all' requires a 'timeout'");
      }
      const parsed: { node: Node; ast: CondNode }[] = [];
      for (const c of list.items as Node[]) {
        if (!isScalar(c) || typeof c.value !== "string") {
          this.error("HB_ERR_RULEBOOK_SCHEMA", this.pos(c), "each condition in the list must be a string");
          continue;
        }
        const ast = this.parseItem(c, precedence);
        if (ast) parsed.push({ node: c, ast });
      }
      if (parsed.length !== list.items.length) return undefined;
      // Bindings visible as events.NAME / facts.NAME: m_0…m_{n-1} plus every `<<` alias.
      const bindings = parsed.map((_, i) => `m_${i}`);
      for (const p of parsed) if (p.ast.type === "Assign") bindings.push(p.ast.alias.name);
      const items: ConditionItem[] = [];
      for (const p of parsed) {
        const item = this.compileItem(p.node, p.ast, parsed.length > 1 ? bindings : []);
        if (item) items.push(item);
      }
      if (items.length !== parsed.length) return undefined;
      return { kind, always: false, items, ...(timeoutMs !== undefined ? { timeoutMs } : {}) };
    }
    this.error("HB_ERR_RULEBOOK_SCHEMA", this.pos(node), "condition must be a string, true, or a mapping with all/any/not_all");
    return undefined;
  }

  parseItem(node: Node, precedence: "ansible" | "conventional"): CondNode | undefined {
    const text = String((node as { value: unknown }).value);
    try {
      const ast = parseCondition(text, { precedence });
      if (precedence === "ansible") {
        const mix = findUnparenthesizedAndOr(text);
        if (mix) {
          this.warn("HB_WARN_AND_OR_PRECEDENCE", this.y.posInScalar(node, mix.line, mix.col), "'and' and 'or' mixed without parentheses: ansible-rulebook evaluates them left to right at one precedence level", "add parentheses, or set 'condition_precedence: conventional' on the ruleset");
        }
      }
      return ast;
    } catch (err) {
      this.conditionError(node, err);
      return undefined;
    }
  }

  compileItem(node: Node, ast: CondNode, bindings: readonly string[]): ConditionItem | undefined {
    try {
      const compiled = compileCondition(ast, { vars: this.vars as Record<string, unknown>, bindings });
      const text = String((node as { value: unknown }).value);
      return { text, ir: compiled.ir as unknown as Record<string, unknown>, ...(compiled.alias ? { alias: compiled.alias } : {}), pos: this.pos(node) };
    } catch (err) {
      this.conditionError(node, err);
      return undefined;
    }
  }

  conditionError(node: Node, err: unknown): void {
    if (!isHookbookError(err)) throw err;
    const loc = err.location;
    const at = loc?.line !== undefined && loc.col !== undefined ? this.y.posInScalar(node, loc.line, loc.col) : this.pos(node);
    this.error(err.code, at, err.message, err.hint);
  }

  action(node: Node, index: number): ActionSpec | undefined {
    if (!isMap(node) || node.items.length !== 1) {
      this.error("HB_ERR_RULEBOOK_SCHEMA", this.pos(node), "an action must be a mapping with exactly one action name", "e.g. '- debug: {msg: hello}'");
      return undefined;
    }
    const pair = node.items[0]!;
    const name = isScalar(pair.key) ? String(pair.key.value) : "";
    const pos = this.pos(pair.key as Node);
    if (!ACTION_NAMES.includes(name)) {
      this.error("HB_ERR_RULEBOOK_UNKNOWN_ACTION", pos, `unknown action '${name}'`, didYouMean(name, ACTION_NAMES) ?? `known actions: ${ACTION_NAMES.join(", ")}`);
      return undefined;
    }
    const argsNode = pair.value as Node | null;
    const args = argsNode === null ? null : argsNode.toJSON();
    const problem = checkActionArgs(name, args);
    if (problem) {
      let at: Node | null | undefined = argsNode;
      for (const seg of problem.path) at = childNode(at ?? undefined, seg) ?? at;
      this.error("HB_ERR_RULEBOOK_SCHEMA", this.pos(at, pos), problem.message);
      return undefined;
    }
    for (const key of ["delay", "timeout"]) {
      const v = args && typeof args === "object" ? (args as Record<string, unknown>)[key] : undefined;
      if (typeof v === "string" && parseDuration(v) === undefined) {
        this.error("HB_ERR_RULEBOOK_BAD_DURATION", this.pos(childNode(argsNode ?? undefined, key), pos), `${name} ${key} '${v}' is not a duration`);
      }
    }
    return { name, args: (args ?? {}) as Record<string, unknown>, index, pos };
  }

  throttle(node: Node | undefined, condition: RuleCondition | undefined): Throttle | undefined {
    if (node === undefined) return undefined;
    if (!isMap(node)) {
      this.error("HB_ERR_RULEBOOK_SCHEMA", this.pos(node), "throttle must be a mapping");
      return undefined;
    }
    this.unknownKeys(node, [...THROTTLE_KINDS, "threshold", "group_by_attributes"], "throttle");
    const kinds = THROTTLE_KINDS.filter((k) => childNode(node, k) !== undefined);
    if (kinds.length !== 1) {
      this.error("HB_ERR_RULEBOOK_SCHEMA", this.pos(node), "throttle needs exactly one of once_within, once_after or accumulate_within");
      return undefined;
    }
    const kind = kinds[0]!;
    const windowText = this.str(node, kind, true, "throttle") ?? "";
    const windowMs = parseDuration(windowText);
    if (windowMs === undefined) {
      this.error("HB_ERR_RULEBOOK_BAD_DURATION", this.pos(childNode(node, kind)), `throttle ${kind} '${windowText}' is not a duration`, "use '<int> <unit>', e.g. '10 minutes'");
    }
    const groupNode = childNode(node, "group_by_attributes");
    const groupBy = groupNode?.toJSON() as unknown;
    if (!Array.isArray(groupBy) || groupBy.length === 0 || !groupBy.every((g) => typeof g === "string")) {
      this.error("HB_ERR_RULEBOOK_SCHEMA", this.pos(groupNode ?? node), "throttle requires 'group_by_attributes': a non-empty list of attribute paths", "e.g. group_by_attributes: [event.meta.hosts]");
    }
    let threshold: number | undefined;
    const tNode = childNode(node, "threshold");
    if (kind === "accumulate_within") {
      const t = tNode?.toJSON() as unknown;
      if (typeof t !== "number" || !Number.isInteger(t) || t < 1) {
        this.error("HB_ERR_RULEBOOK_SCHEMA", this.pos(tNode ?? node), "accumulate_within requires 'threshold': an integer ≥ 1");
      } else threshold = t;
    } else if (tNode !== undefined) {
      this.error("HB_ERR_RULEBOOK_SCHEMA", this.pos(tNode), "'threshold' is only valid with accumulate_within");
    }
    if (condition && condition.items.length > 1) {
      this.error("HB_ERR_RULEBOOK_SCHEMA", this.pos(node), "throttle is only valid on single-condition rules");
    }
    return { kind, windowMs: windowMs ?? 0, windowText, groupBy: Array.isArray(groupBy) ? (groupBy as string[]) : [], ...(threshold !== undefined ? { threshold } : {}) };
  }
}

/** Load a rulebook from text. Never throws for bad input: every problem is a diagnostic. */
export function loadRulebookText(file: string, text: string, opts: LoadOptions = {}): LoadResult {
  const y = new YamlFile(file, text);
  const loader = new Loader(y, opts.vars ?? {});
  for (const e of y.doc.errors) {
    const at = y.posAt(e.pos[0]);
    loader.error("HB_ERR_RULEBOOK_YAML", at, e.message.split("\n")[0] ?? e.message);
  }
  if (y.doc.errors.length > 0) return { diagnostics: sortDiagnostics(loader.diagnostics) };
  const rulesets = loader.rulebook();
  const diagnostics = sortDiagnostics(loader.diagnostics);
  if (diagnostics.some((d) => d.severity === "error")) return { diagnostics };
  return { rulebook: { file, version: sha256Hex(text).slice(0, 16), rulesets }, diagnostics };
}

export async function loadRulebookFile(path: string, opts: LoadOptions = {}): Promise<LoadResult> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return { diagnostics: [{ file: path, line: 1, col: 1, severity: "error", code: "HB_ERR_RULEBOOK_IO", message: `cannot read rulebook: ${reason}` }] };
  }
  return loadRulebookText(path, text, opts);
}

function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  return [...list].sort((a, b) => a.line - b.line || a.col - b.col);
}

/** `file:line:col: severity CODE message (hint)` — the format `hookbook validate` prints. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.col}: ${d.severity} ${d.code} ${d.message}${d.hint ? ` (${d.hint})` : ""}`;
}
