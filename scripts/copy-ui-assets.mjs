#!/usr/bin/env node
// Part of `npm run build`: copies the web UI's static files (src/ui/public) next to the compiled
// plugin (dist/ui/public), where dist/ui/ui-plugin.js reads them from.
import { cpSync, existsSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const from = join(root, "src/ui/public");
const to = join(root, "dist/ui/public");
if (!existsSync(from)) {
  console.error(`copy-ui-assets: ${from} missing`);
  process.exit(1);
}
rmSync(to, { recursive: true, force: true });
cpSync(from, to, { recursive: true });
