import { isPlainObject } from "../ansible/eda-vars.js";

/**
 * `integrations.controller` (AWX / Ansible Automation Platform):
 *  - `url` (required): the controller, e.g. https://awx.example.com;
 *  - `token` (OAuth2 / personal access token, sent as Bearer) or `username` + `password` (Basic);
 *  - `verify_ssl` (default true), `ca` (PEM text of an extra CA to trust);
 *  - `api_path` (default `/api/v2/`; AAP 2.5 gateway: `/api/controller/v2/`);
 *  - `poll_interval_ms` (default 1000), `job_timeout_ms` (default: actions.commandTimeoutMs);
 *  - `default_label` (default "Activated by hookbook"; "" for none): added to the labels of
 *    templates that prompt for labels on launch.
 */
export interface ControllerSettings {
  readonly baseUrl: string;
  readonly apiPath: string;
  readonly authorization: string;
  readonly verifySsl: boolean;
  readonly ca?: string;
  readonly pollIntervalMs: number;
  readonly jobTimeoutMs?: number;
  readonly defaultLabel: string;
}

export const DEFAULT_LABEL = "Activated by hookbook";

function positive(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : undefined;
}

/** Settings or the reason they are unusable. */
export function controllerSettings(integrations: Readonly<Record<string, Readonly<Record<string, unknown>>>>): ControllerSettings | { error: string } {
  const raw = integrations.controller;
  if (!raw || !isPlainObject(raw)) return { error: "integrations.controller is not configured (url and token or username/password)" };
  const url = typeof raw.url === "string" ? raw.url.trim() : "";
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { error: "integrations.controller.url is not a valid URL" };
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return { error: "integrations.controller.url must be http(s)" };
  let authorization: string;
  if (typeof raw.token === "string" && raw.token !== "") authorization = `Bearer ${raw.token}`;
  else if (typeof raw.username === "string" && raw.username !== "" && typeof raw.password === "string") {
    authorization = `Basic ${Buffer.from(`${raw.username}:${raw.password}`, "utf8").toString("base64")}`;
  } else return { error: "integrations.controller needs token or username and password" };
  let apiPath = typeof raw.api_path === "string" && raw.api_path !== "" ? raw.api_path : "/api/v2/";
  if (!apiPath.startsWith("/")) apiPath = `/${apiPath}`;
  if (!apiPath.endsWith("/")) apiPath = `${apiPath}/`;
  const jobTimeoutMs = positive(raw.job_timeout_ms);
  return {
    baseUrl: url.replace(/\/+$/, ""),
    apiPath,
    authorization,
    verifySsl: raw.verify_ssl !== false,
    ...(typeof raw.ca === "string" && raw.ca !== "" ? { ca: raw.ca } : {}),
    pollIntervalMs: positive(raw.poll_interval_ms) ?? 1000,
    ...(jobTimeoutMs !== undefined ? { jobTimeoutMs } : {}),
    defaultLabel: typeof raw.default_label === "string" ? raw.default_label : DEFAULT_LABEL,
  };
}
