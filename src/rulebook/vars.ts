import { readFile } from "node:fs/promises";
import { parse } from "yaml";
import { HookbookError } from "../core/errors.js";

/** Read an ansible-rulebook --vars file (YAML or JSON mapping; YAML types are kept). */
export async function loadVarsFile(path: string | undefined): Promise<Record<string, unknown>> {
  if (!path) return {};
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new HookbookError("HB_ERR_RULEBOOK_IO", `cannot read vars file ${path}: ${(err as Error).message}`);
  }
  let value: unknown;
  try {
    value = parse(text);
  } catch (err) {
    throw new HookbookError("HB_ERR_RULEBOOK_YAML", `vars file ${path} is not valid YAML: ${(err as Error).message}`);
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== "object" || Array.isArray(value)) throw new HookbookError("HB_ERR_RULEBOOK_SCHEMA", `vars file ${path} must be a mapping`);
  return value as Record<string, unknown>;
}
