import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";

/** Expand files and directories into rulebook files (*.yml, *.yaml; directories recursively, sorted). */
export async function discoverRulebooks(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = await stat(p);
    } catch {
      out.push(p); // let the loader report the unreadable path
      continue;
    }
    if (st.isDirectory()) out.push(...(await walk(p)));
    else out.push(p);
  }
  return out;
}

async function walk(dir: string): Promise<string[]> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  const out: string[] = [];
  for (const e of entries) {
    if (e.name.startsWith(".")) continue;
    const full = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(full)));
    else if (/\.ya?ml$/.test(e.name) && !/\.test\.ya?ml$/.test(e.name)) out.push(full);
  }
  return out;
}
