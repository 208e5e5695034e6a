import { artifactCommands, isPlainObject } from "../ansible/eda-vars.js";
import { attemptPolicy, pause } from "../ansible/retry-policy.js";
import type { ActionContext, ActionResult } from "../types.js";
import { ControllerClient, ControllerRequestError } from "./http-client.js";
import { labelNames, launchBody } from "./launch-body.js";
import type { ControllerSettings } from "./settings.js";
import { controllerSettings } from "./settings.js";
import type { TemplateKind } from "./template-lookup.js";
import { authFailure, ControllerApiError, findTemplate, labelIds } from "./template-lookup.js";

const FINAL_STATUSES = new Set(["successful", "failed", "error", "canceled"]);
/** Consecutive failed polls tolerated (a controller restart, a proxy hiccup) before giving up. */
const MAX_POLL_ERRORS = 3;

interface AttemptResult {
  readonly ok: boolean;
  readonly status: string;
  readonly message?: string;
  /** Retrying cannot help (template not found, auth refused): the error code. */
  readonly permanent?: "HB_ERR_ACTION_ARGS" | "HB_ERR_CONFIG_INVALID";
  readonly timedOut?: boolean;
  readonly jobId?: number;
  readonly url?: string;
  readonly artifacts?: unknown;
  readonly ignoredFields?: unknown;
}

interface AttemptInput {
  readonly ctx: ActionContext;
  readonly kind: TemplateKind;
  readonly settings: ControllerSettings;
  readonly client: ControllerClient;
  readonly name: string;
  readonly organization: string;
  readonly body: Record<string, unknown>;
  readonly deadline: number;
  readonly attempt: number;
}

/** The controller UI page of a job (reference §7.3 row 56). */
export function jobUrl(settings: ControllerSettings, kind: TemplateKind, id: number): string {
  return kind === "job_template" ? `${settings.baseUrl}/#/jobs/${id}/details` : `${settings.baseUrl}/#/jobs/workflow/${id}/details`;
}

function launchedId(body: unknown): number | undefined {
  if (!isPlainObject(body)) return undefined;
  for (const key of ["id", "job", "workflow_job"]) if (typeof body[key] === "number") return body[key] as number;
  return undefined;
}

/** Find, launch, poll to a final status: one attempt. */
async function attemptOnce(input: AttemptInput): Promise<AttemptResult> {
  const { ctx, kind, settings, client } = input;
  try {
    const template = await findTemplate(client, kind, input.name, input.organization);
    const body = { ...input.body };
    if (template.asksLabels && template.organizationId !== undefined) {
      const names = labelNames(ctx, settings.defaultLabel);
      if (names.length > 0) body.labels = await labelIds(client, names, template.organizationId);
    }
    const launch = await client.post(template.launchPath, body);
    const jobId = launchedId(launch.body);
    if (launch.status < 200 || launch.status >= 300 || jobId === undefined) {
      const permanent = authFailure(launch.status);
      return { ok: false, status: "failed", message: launch.text !== "" ? launch.text : `launch answered HTTP ${launch.status}`, ...(permanent ? { permanent } : {}) };
    }
    const url = jobUrl(settings, kind, jobId);
    const ignoredFields = isPlainObject(launch.body) && isPlainObject(launch.body.ignored_fields) && Object.keys(launch.body.ignored_fields).length > 0 ? launch.body.ignored_fields : undefined;
    const base = { jobId, url, ...(ignoredFields ? { ignoredFields } : {}) };
    let status = isPlainObject(launch.body) && typeof launch.body.status === "string" ? launch.body.status : "pending";
    await ctx.progress({ job_id: jobId, status, url, attempt: input.attempt });
    const detailPath = `${kind === "job_template" ? "jobs" : "workflow_jobs"}/${jobId}/`;
    let pollErrors = 0;
    for (;;) {
      if (Date.now() >= input.deadline) return { ok: false, status, timedOut: true, message: `job ${jobId} still ${status} when the action timed out`, ...base };
      if (!(await pause(settings.pollIntervalMs, ctx.signal))) return { ok: false, status, message: `canceled while job ${jobId} was ${status}`, ...base };
      let detail;
      try {
        detail = await client.get(detailPath);
      } catch (err) {
        if (err instanceof ControllerRequestError && ++pollErrors < MAX_POLL_ERRORS && !ctx.signal.aborted) continue;
        throw err;
      }
      if (detail.status < 200 || detail.status >= 300 || !isPlainObject(detail.body)) {
        if (++pollErrors < MAX_POLL_ERRORS) continue;
        return { ok: false, status, message: `polling job ${jobId}: HTTP ${detail.status} ${detail.text}`.trim(), ...base };
      }
      pollErrors = 0;
      const next = typeof detail.body.status === "string" ? detail.body.status : status;
      if (next !== status) {
        status = next;
        await ctx.progress({ job_id: jobId, status, attempt: input.attempt });
      }
      if (FINAL_STATUSES.has(status)) {
        const explanation = typeof detail.body.job_explanation === "string" && detail.body.job_explanation !== "" ? `: ${detail.body.job_explanation}` : "";
        return status === "successful"
          ? { ok: true, status, artifacts: detail.body.artifacts, ...base }
          : { ok: false, status, message: `job ${jobId} finished with status ${status}${explanation}`, ...base };
      }
    }
  } catch (err) {
    if (err instanceof ControllerApiError) return { ok: false, status: "failed", message: err.message, ...(err.permanent ? { permanent: err.permanent } : {}) };
    if (err instanceof ControllerRequestError) return { ok: false, status: "failed", message: err.message };
    throw err;
  }
}

/**
 * run_job_template / run_workflow_template against the AWX / AAP REST API: look the template
 * up by name and organization, launch it, poll the job to a final status; attempts = 1 +
 * retries with `delay` seconds between; set_facts / post_events from the job's artifacts.
 */
export async function runTemplateAction(ctx: ActionContext, kind: TemplateKind, source: string): Promise<ActionResult> {
  const settings = controllerSettings(ctx.integrations);
  if ("error" in settings) return { ok: false, code: "HB_ERR_CONFIG_INVALID", message: settings.error };
  const name = typeof ctx.args.name === "string" ? ctx.args.name : "";
  const organization = typeof ctx.args.organization === "string" ? ctx.args.organization : "";
  if (name === "" || organization === "") return { ok: false, code: "HB_ERR_ACTION_ARGS", message: `${source} needs 'name' and 'organization'` };
  const built = launchBody(ctx);
  if ("error" in built) return { ok: false, code: "HB_ERR_ACTION_ARGS", message: built.error };

  const client = new ControllerClient(settings, ctx.limits.httpTimeoutMs, ctx.signal);
  const policy = attemptPolicy(ctx.args);
  const started = ctx.nowMs();
  const deadline = Date.now() + (settings.jobTimeoutMs ?? ctx.limits.commandTimeoutMs);
  let result: AttemptResult | undefined;
  let attempts = 0;
  while (attempts < policy.attempts) {
    if (attempts > 0 && !(await pause(policy.delayMs, ctx.signal))) break;
    attempts += 1;
    result = await attemptOnce({ ctx, kind, settings, client, name, organization, body: built.body, deadline, attempt: attempts });
    if (result.ok || result.permanent || result.timedOut || ctx.signal.aborted) break;
  }
  if (!result) return { ok: false, code: "HB_ERR_ACTION_FAILED", message: `${source} canceled before it started` };

  const data = {
    job_template_name: name,
    organization,
    ...(result.jobId !== undefined ? { job_id: result.jobId, url: result.url } : {}),
    status: result.status,
    attempts,
    ...(result.ignoredFields !== undefined ? { ignored_fields: result.ignoredFields } : {}),
    duration_ms: ctx.nowMs() - started,
  };
  if (result.timedOut) return { ok: false, timedOut: true, code: "HB_ERR_ACTION_TIMEOUT", message: result.message ?? `${source} timed out`, data };
  if (!result.ok) return { ok: false, code: result.permanent ?? "HB_ERR_ACTION_FAILED", message: result.message ?? `${source} failed`, data };
  const commands = artifactCommands(ctx, [result.artifacts], source);
  return { ok: true, data, ...(commands.length > 0 ? { commands } : {}) };
}
