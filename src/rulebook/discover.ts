import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";

const YAML = /\.ya?ml$/;
const TEST_FILE = /\.test\.ya?ml$/;

/**
 * Expand files and directories: a file is taken as given; a directory yields every file under
 * it whose name `accept`s (recursively, sorted; dot folders and node_modules skipped). Paths
 * that do not exist are returned in `missing`.
 */
export async function expandPaths(paths: readonly string[], accept: (name: string) => boolean): Promise<{ files: string[]; missing: string[] }> {
  const files: string[] = [];
  const missing: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = await stat(p);
    } catch {
      missing.push(p);
      continue;
    }
    if (st.isDirectory()) files.push(...(await walk(p, accept)));
    else files.push(p);
  }
  return { files: [...new Set(files)], missing };
}

async function walk(dir: string, accept: (name: string) => boolean): Promise<string[]> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  const out: string[] = [];
  for (const e of entries) {
    if (e.name.startsWith(".") || e.name === "node_modules") continue;
    const full = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(full, accept)));
    else if (accept(e.name)) out.push(full);
  }
  return out;
}

/** Rulebook files (*.yml, *.yaml except *.test.yml); unreadable paths are kept so the loader reports them. */
export async function discoverRulebooks(paths: readonly string[]): Promise<string[]> {
  const { files, missing } = await expandPaths(paths, (name) => YAML.test(name) && !TEST_FILE.test(name));
  return [...files, ...missing];
}

/** `hookbook test` files (*.test.yml, *.test.yaml). */
export async function discoverTestFiles(paths: readonly string[]): Promise<{ files: string[]; missing: string[] }> {
  return expandPaths(paths, (name) => TEST_FILE.test(name));
}
