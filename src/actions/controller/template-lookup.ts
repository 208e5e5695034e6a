import { isPlainObject } from "../ansible/eda-vars.js";
import type { ControllerClient } from "./http-client.js";

export type TemplateKind = "job_template" | "workflow_job_template";

/** What a launch needs to know about a template. */
export interface ControllerTemplate {
  readonly id: number;
  readonly name: string;
  readonly launchPath: string;
  readonly organizationId?: number;
  /** ask_labels_on_launch: labels are only sent to templates that prompt for them. */
  readonly asksLabels: boolean;
}

/**
 * An API answer the caller should report (message = the controller's own text). `permanent`
 * names the error code when retrying cannot help: the template does not exist
 * (HB_ERR_ACTION_ARGS) or the credentials are refused (HB_ERR_CONFIG_INVALID).
 */
export class ControllerApiError extends Error {
  constructor(
    message: string,
    readonly permanent?: "HB_ERR_ACTION_ARGS" | "HB_ERR_CONFIG_INVALID",
  ) {
    super(message);
    this.name = "ControllerApiError";
  }
}

const MAX_PAGES = 20;

/** 401 / 403: the configured credentials are refused; retrying cannot help. */
export function authFailure(status: number): "HB_ERR_CONFIG_INVALID" | undefined {
  return status === 401 || status === 403 ? "HB_ERR_CONFIG_INVALID" : undefined;
}

export function listPath(kind: TemplateKind): string {
  return kind === "job_template" ? "job_templates/" : "workflow_job_templates/";
}

function orgOf(item: Record<string, unknown>): { id?: number; name?: string } {
  const summary = isPlainObject(item.summary_fields) && isPlainObject(item.summary_fields.organization) ? item.summary_fields.organization : {};
  const id = typeof item.organization === "number" ? item.organization : typeof summary.id === "number" ? summary.id : undefined;
  const name = typeof summary.name === "string" ? summary.name : undefined;
  return { ...(id !== undefined ? { id } : {}), ...(name !== undefined ? { name } : {}) };
}

/**
 * Finds a template by name in an organization (`GET <kind>s/?name=…&organization__name=…`,
 * following `next` pages). Not found is permanent: retrying cannot make it appear.
 */
export async function findTemplate(client: ControllerClient, kind: TemplateKind, name: string, organization: string): Promise<ControllerTemplate> {
  let res = await client.get(listPath(kind), { name, organization__name: organization });
  for (let page = 0; page < MAX_PAGES; page++) {
    if (res.status < 200 || res.status >= 300) {
      throw new ControllerApiError(`looking up ${kind} '${name}': HTTP ${res.status} ${res.text}`.trim(), authFailure(res.status));
    }
    const body = isPlainObject(res.body) ? res.body : {};
    const results = Array.isArray(body.results) ? body.results.filter(isPlainObject) : [];
    const hit = results.find((r) => r.name === name && (orgOf(r).name === undefined || orgOf(r).name === organization));
    if (hit && typeof hit.id === "number") {
      const related = isPlainObject(hit.related) ? hit.related : {};
      const org = orgOf(hit);
      return {
        id: hit.id,
        name,
        launchPath: typeof related.launch === "string" && related.launch !== "" ? related.launch : `${listPath(kind)}${hit.id}/launch/`,
        ...(org.id !== undefined ? { organizationId: org.id } : {}),
        asksLabels: hit.ask_labels_on_launch === true,
      };
    }
    if (typeof body.next !== "string" || body.next === "") break;
    res = await client.get(body.next);
  }
  throw new ControllerApiError(`${kind.replace(/_/g, " ")} '${name}' not found in organization '${organization}'`, "HB_ERR_ACTION_ARGS");
}

/** Label ids for label names in the template's organization, creating missing labels. */
export async function labelIds(client: ControllerClient, names: readonly string[], organizationId: number): Promise<number[]> {
  const ids: number[] = [];
  for (const name of names) {
    const found = await client.get("labels/", { name, organization: String(organizationId) });
    if (found.status < 200 || found.status >= 300) throw new ControllerApiError(`looking up label '${name}': HTTP ${found.status} ${found.text}`.trim(), authFailure(found.status));
    const results = isPlainObject(found.body) && Array.isArray(found.body.results) ? found.body.results.filter(isPlainObject) : [];
    const hit = results.find((r) => r.name === name && typeof r.id === "number");
    if (hit) {
      ids.push(hit.id as number);
      continue;
    }
    const created = await client.post("labels/", { name, organization: organizationId });
    const id = isPlainObject(created.body) ? created.body.id : undefined;
    if (created.status < 200 || created.status >= 300 || typeof id !== "number") throw new ControllerApiError(`creating label '${name}': HTTP ${created.status} ${created.text}`.trim(), authFailure(created.status));
    ids.push(id);
  }
  return ids;
}
