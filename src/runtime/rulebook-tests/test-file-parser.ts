import type { ErrorCode } from "../../core/errors.js";
import { readFile } from "node:fs/promises";
import { basename, dirname, isAbsolute, join } from "node:path";
import { isAlias, isMap, isScalar } from "yaml";
import type { Node } from "yaml";
import { parseDuration } from "../../core/duration.js";
import { didYouMean } from "../../core/suggest.js";
import type { Diagnostic, SourcePos } from "../../rulebook/model.js";
import type { YamlFile } from "../../rulebook/yaml-doc.js";
import { DEFAULT_START_TIME } from "./model.js";

/** Diagnostic code of a problem in a `*.test.yml` file. */
export const TEST_FILE_ERROR: ErrorCode = "HB_ERR_TEST_FILE";

/** Reads the files a test file refers to (vars_file, input_file); injectable for tests. */
export interface TestFileIo {
  readText(path: string): Promise<string>;
}

export const fsIo: TestFileIo = { readText: (path) => readFile(path, "utf8") };

/** The parse state shared by the file- and test-level parsers: the YAML, its positions, the problems. */
export class TestFileParser {
  readonly diagnostics: Diagnostic[] = [];
  readonly dir: string;
  constructor(
    readonly y: YamlFile,
    readonly io: TestFileIo,
  ) {
    this.dir = dirname(y.file);
  }

  error(at: SourcePos, message: string, hint?: string, code = TEST_FILE_ERROR): void {
    this.diagnostics.push({ ...at, severity: "error", code, message, ...(hint ? { hint } : {}) });
  }

  pos(node: Node | null | undefined, fallback?: SourcePos): SourcePos {
    return this.y.posOf(node, fallback);
  }

  /** The node an alias (`*name`) points to; any other node as is. */
  deref(node: Node): Node {
    return isAlias(node) ? ((node.resolve(this.y.doc) as Node | undefined) ?? node) : node;
  }

  /** Plain JS value of a node (aliases resolved). */
  js(node: Node): unknown {
    return node.toJS(this.y.doc);
  }

  unknownKeys(map: Node, allowed: readonly string[], what: string): void {
    if (!isMap(map)) return;
    for (const pair of map.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : "";
      if (!allowed.includes(key)) this.error(this.pos(pair.key as Node), `unknown ${what} key '${key}'`, didYouMean(key, allowed) ?? `allowed: ${allowed.join(", ")}`);
    }
  }

  string(node: Node | undefined, what: string): string | undefined {
    if (node === undefined) return undefined;
    if (!isScalar(node) || typeof node.value !== "string" || node.value.trim() === "") {
      this.error(this.pos(node), `${what} must be a non-empty string`);
      return undefined;
    }
    return node.value;
  }

  bool(node: Node | undefined, what: string): boolean | undefined {
    if (node === undefined) return undefined;
    if (!isScalar(node) || typeof node.value !== "boolean") {
      this.error(this.pos(node), `${what} must be true or false`);
      return undefined;
    }
    return node.value;
  }

  /** `start_time`: an ISO-8601 time with a zone (Z or ±hh:mm), so runs are the same everywhere. */
  startTime(node: Node | undefined): number | undefined {
    const text = this.string(node, "start_time");
    if (text === undefined) return undefined;
    const ms = Date.parse(text);
    if (!/T.*(Z|[+-]\d\d:?\d\d)$/i.test(text.trim()) || Number.isNaN(ms)) {
      this.error(this.pos(node), `start_time '${text}' is not an ISO-8601 time with a zone`, `e.g. "${DEFAULT_START_TIME}"`);
      return undefined;
    }
    return ms;
  }

  duration(node: Node | undefined, what: string): number | undefined {
    const text = isScalar(node) && typeof node.value === "string" ? node.value : undefined;
    const ms = text === undefined ? undefined : parseDuration(text);
    if (ms === undefined) this.error(this.pos(node), `${what} must be a duration like "5 seconds"`, "units: milliseconds, seconds, minutes, hours, days");
    return ms;
  }

  /** A path written in the test file, relative to the test file's directory. */
  relative(path: string): string {
    return isAbsolute(path) ? path : join(this.dir, path);
  }

  async readRelative(node: Node, path: string, what: string): Promise<{ path: string; text: string } | undefined> {
    const full = this.relative(path);
    try {
      return { path: full, text: await this.io.readText(full) };
    } catch (err) {
      this.error(this.pos(node), `cannot read ${what} ${full}: ${(err as Error).message}`);
      return undefined;
    }
  }
}

/** `events.jsonl:3`-style label of a line of an input file. */
export function inputFileLabel(path: string, line: number): string {
  return `${basename(path)}:${line}`;
}
