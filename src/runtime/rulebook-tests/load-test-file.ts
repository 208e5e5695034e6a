import { isMap, isSeq, parse } from "yaml";
import type { Node } from "yaml";
import type { Diagnostic, SourcePos } from "../../rulebook/model.js";
import { childNode, keyNode, YamlFile } from "../../rulebook/yaml-doc.js";
import { DEFAULT_START_TIME } from "./model.js";
import type { RulebookRef, RulebookTestCase, RulebookTestFile } from "./model.js";
import { parseTestCase } from "./parse-test-case.js";
import { fsIo, TEST_FILE_ERROR, TestFileParser } from "./test-file-parser.js";
import type { TestFileIo } from "./test-file-parser.js";

const FILE_KEYS = ["rulebook", "vars", "vars_file", "start_time", "dry_run", "tests"] as const;

export interface LoadTestFileResult {
  /** Present only when the file has no error. */
  readonly testFile?: RulebookTestFile;
  readonly diagnostics: readonly Diagnostic[];
}

/** Load and validate a test file; never throws for bad input (every problem is a diagnostic). */
export async function loadTestFile(path: string, io: TestFileIo = fsIo): Promise<LoadTestFileResult> {
  let text: string;
  try {
    text = await io.readText(path);
  } catch (err) {
    return { diagnostics: [{ file: path, line: 1, col: 1, severity: "error", code: TEST_FILE_ERROR, message: `cannot read test file: ${(err as Error).message}` }] };
  }
  return parseTestFile(path, text, io);
}

/** Validate the text of a test file named `file` (vars_file / input_file are read relative to it). */
export async function parseTestFile(file: string, text: string, io: TestFileIo = fsIo): Promise<LoadTestFileResult> {
  const y = new YamlFile(file, text);
  const p = new TestFileParser(y, io);
  for (const e of y.doc.errors) p.error(y.posAt(e.pos[0]), `not valid YAML: ${e.message.split("\n")[0] ?? e.message}`);
  if (y.doc.errors.length > 0) return { diagnostics: p.diagnostics };

  const root = y.doc.contents as Node | null;
  if (!isMap(root)) {
    p.error(p.pos(root), "a test file must be a mapping with 'rulebook' and 'tests'", "start with 'rulebook: my-rulebook.yml'");
    return { diagnostics: p.diagnostics };
  }
  p.unknownKeys(root, FILE_KEYS, "test file");
  const rulebooks = rulebookRefs(p, root);
  const vars = await fileVars(p, root);
  const startMs = p.startTime(childNode(root, "start_time")) ?? Date.parse(DEFAULT_START_TIME);
  const dryRun = p.bool(childNode(root, "dry_run"), "dry_run") ?? true;

  const testsNode = childNode(root, "tests");
  const tests: RulebookTestCase[] = [];
  if (testsNode === undefined) p.error(p.pos(root), "test file is missing required key 'tests'");
  else if (!isSeq(testsNode) || testsNode.items.length === 0) p.error(p.pos(testsNode), "'tests' must be a non-empty list of tests");
  else {
    const names = new Map<string, SourcePos>();
    for (const item of testsNode.items as Node[]) {
      const test = await parseTestCase(p, item, startMs);
      if (!test) continue;
      const seen = names.get(test.name);
      if (seen) p.error(test.pos, `test name '${test.name}' is already used at line ${seen.line}`);
      else names.set(test.name, test.pos);
      tests.push(test);
    }
  }
  const diagnostics = [...p.diagnostics].sort((a, b) => a.line - b.line || a.col - b.col);
  if (diagnostics.length > 0) return { diagnostics };
  return { testFile: { file, rulebooks, vars, dryRun, tests }, diagnostics };
}

function rulebookRefs(p: TestFileParser, root: Node): RulebookRef[] {
  const node = childNode(root, "rulebook");
  if (node === undefined) {
    p.error(p.pos(root), "test file is missing required key 'rulebook'", "the rulebook to test, relative to this file");
    return [];
  }
  const items = isSeq(node) ? (node.items as Node[]) : [node];
  if (items.length === 0) p.error(p.pos(node), "'rulebook' must be a path or a non-empty list of paths");
  const out: RulebookRef[] = [];
  for (const item of items) {
    const path = p.string(item, "rulebook");
    if (path !== undefined) out.push({ path: p.relative(path), pos: p.pos(item) });
  }
  return out;
}

/** `vars_file` (YAML or JSON mapping, like `--vars`), then inline `vars` on top. */
async function fileVars(p: TestFileParser, root: Node): Promise<Record<string, unknown>> {
  let vars: Record<string, unknown> = {};
  const fileNode = childNode(root, "vars_file");
  const path = p.string(fileNode, "vars_file");
  const read = fileNode !== undefined && path !== undefined ? await p.readRelative(fileNode, path, "vars_file") : undefined;
  if (fileNode !== undefined && read) {
    let value: unknown;
    try {
      value = parse(read.text);
    } catch (err) {
      p.error(p.pos(fileNode), `vars_file ${read.path} is not valid YAML: ${(err as Error).message.split("\n")[0] ?? ""}`);
    }
    if (value !== null && value !== undefined && (typeof value !== "object" || Array.isArray(value))) p.error(p.pos(fileNode), `vars_file ${read.path} must be a mapping`);
    else if (value) vars = { ...(value as Record<string, unknown>) };
  }
  const inline = childNode(root, "vars");
  if (inline !== undefined) {
    const value = p.js(inline);
    if (value === null || typeof value !== "object" || Array.isArray(value)) p.error(p.pos(keyNode(root, "vars")), "'vars' must be a mapping");
    else vars = { ...vars, ...(value as Record<string, unknown>) };
  }
  return vars;
}
