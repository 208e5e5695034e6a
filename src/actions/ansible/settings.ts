import { isAbsolute, resolve } from "node:path";
import { isPlainObject } from "./eda-vars.js";

/**
 * `integrations.ansible` (all optional):
 *  - `inventory`: path or list of paths (relative to the working directory); default: a
 *    generated inventory with only `localhost` (connection local);
 *  - `ansible_playbook`: the program to run (default `ansible-playbook` on PATH);
 *  - `env`: extra environment for ansible-playbook (e.g. ANSIBLE_CONFIG, ANSIBLE_ROLES_PATH);
 *  - `keep_private_dir`: keep the per-run temp dir (debugging).
 * The child inherits hookbook's environment plus these and the variables the runner sets.
 */
export interface AnsibleSettings {
  readonly inventory: readonly string[];
  readonly program: string;
  readonly env: Readonly<Record<string, string>>;
  readonly keepPrivateDir: boolean;
}

export function ansibleSettings(integrations: Readonly<Record<string, Readonly<Record<string, unknown>>>>, cwd: string): AnsibleSettings {
  const raw = integrations.ansible ?? {};
  const inv = raw.inventory;
  const list = typeof inv === "string" ? [inv] : Array.isArray(inv) ? inv.filter((x): x is string => typeof x === "string") : [];
  const env: Record<string, string> = {};
  if (isPlainObject(raw.env)) for (const [k, v] of Object.entries(raw.env)) if (v !== undefined && v !== null) env[k] = String(v);
  return {
    inventory: list.filter((p) => p !== "").map((p) => (isAbsolute(p) ? p : resolve(cwd, p))),
    program: typeof raw.ansible_playbook === "string" && raw.ansible_playbook !== "" ? raw.ansible_playbook : "ansible-playbook",
    env,
    keepPrivateDir: raw.keep_private_dir === true,
  };
}
