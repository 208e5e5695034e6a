import { defaultActionRegistry } from "../actions/registry.js";
import { unsupportedFeatures } from "../engine/support.js";
import { discoverRulebooks } from "../rulebook/discover.js";
import { loadRulebookFile } from "../rulebook/load.js";
import type { Diagnostic, Rulebook } from "../rulebook/model.js";

export interface LoadedRulebooks {
  readonly rulebooks: Rulebook[];
  readonly diagnostics: Diagnostic[];
  readonly files: string[];
}

/** Load every rulebook under the paths, with the schema, semantic and engine-support checks. */
export async function loadRulebooks(paths: readonly string[], vars: Readonly<Record<string, unknown>>): Promise<LoadedRulebooks> {
  const files = await discoverRulebooks(paths);
  const supported = new Set(defaultActionRegistry().keys());
  const rulebooks: Rulebook[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const file of files) {
    const result = await loadRulebookFile(file, { vars });
    diagnostics.push(...result.diagnostics);
    if (!result.rulebook) continue;
    const unsupported = unsupportedFeatures(result.rulebook, supported);
    diagnostics.push(...unsupported);
    if (unsupported.length === 0) rulebooks.push(result.rulebook);
  }
  return { rulebooks, diagnostics, files };
}
