import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";

const TEST_FILE = /\.test\.ya?ml$/;

/**
 * Expand paths into test files: a file is taken as given; a directory yields every
 * `*.test.yml` / `*.test.yaml` under it (recursively, sorted; dot folders and node_modules
 * skipped). Paths that do not exist are returned in `missing`.
 */
export async function discoverTestFiles(paths: readonly string[]): Promise<{ files: string[]; missing: string[] }> {
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
    if (st.isDirectory()) files.push(...(await walk(p)));
    else files.push(p);
  }
  return { files: [...new Set(files)], missing };
}

async function walk(dir: string): Promise<string[]> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  const out: string[] = [];
  for (const e of entries) {
    if (e.name.startsWith(".") || e.name === "node_modules") continue;
    const full = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(full)));
    else if (TEST_FILE.test(e.name)) out.push(full);
  }
  return out;
}
