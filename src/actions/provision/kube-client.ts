import type { ConfigurationOptions, ObservableMiddleware, RequestContext, ResponseContext } from "@kubernetes/client-node";
import { ApiException, KubeConfig, Observable, setHeaderOptions } from "@kubernetes/client-node";
import { ProvisionFailure, networkFailure, statusFailure } from "./failure.js";

type Settings = Readonly<Record<string, unknown>>;

function str(settings: Settings, key: string): string | undefined {
  const v = settings[key];
  return typeof v === "string" && v !== "" ? v : undefined;
}

function configError(message: string): ProvisionFailure {
  return new ProvisionFailure("HB_ERR_CONFIG_INVALID", `integrations.kubernetes: ${message}`);
}

/**
 * A KubeConfig from `integrations.kubernetes`:
 * `{kubeconfig: path, context?}` (loadFromFile), `{server, token?, ca?: PEM, insecure_skip_tls_verify?}`
 * (loadFromOptions), or `{in_cluster: true}` (the pod's service account).
 */
export function kubeConfigFrom(settings: Settings | undefined): KubeConfig {
  const s = settings ?? {};
  const kc = new KubeConfig();
  const file = str(s, "kubeconfig");
  const server = str(s, "server");
  if (file) {
    try {
      kc.loadFromFile(file);
      const context = str(s, "context");
      if (context) kc.setCurrentContext(context);
    } catch (err) {
      throw configError(`cannot load kubeconfig ${file}: ${(err as Error).message}`);
    }
    if (!kc.getCurrentCluster()) throw configError(`kubeconfig ${file} has no current cluster`);
    return kc;
  }
  if (server) {
    const ca = str(s, "ca");
    const caData = ca === undefined ? undefined : ca.includes("-----BEGIN") ? Buffer.from(ca, "utf8").toString("base64") : ca;
    const token = str(s, "token");
    kc.loadFromOptions({
      clusters: [{ name: "hookbook", server, skipTLSVerify: s.insecure_skip_tls_verify === true, ...(caData ? { caData } : {}) }],
      users: [{ name: "hookbook", ...(token ? { token } : {}) }],
      contexts: [{ name: "hookbook", cluster: "hookbook", user: "hookbook" }],
      currentContext: "hookbook",
    });
    return kc;
  }
  if (s.in_cluster === true) {
    kc.loadFromCluster();
    return kc;
  }
  throw configError("set kubeconfig (path), server (URL) or in_cluster: true");
}

/**
 * Per-request options for the client: an abort signal (the action's signal plus a per-request
 * deadline) and, for patches, the Content-Type (the client would pick JSON Patch otherwise).
 */
export function kubeRequestOptions(signal: AbortSignal, contentType?: string): ConfigurationOptions {
  const withSignal: ObservableMiddleware = {
    pre(context: RequestContext) {
      context.setSignal(signal);
      return new Observable(Promise.resolve(context));
    },
    post(context: ResponseContext) {
      return new Observable(Promise.resolve(context));
    },
  };
  const opts: ConfigurationOptions = { middleware: [withSignal], middlewareMergeStrategy: "append" };
  return contentType ? setHeaderOptions("Content-Type", contentType, opts) : opts;
}

/** Message of a Kubernetes Status body (JSON text), else the raw text. */
function statusMessage(body: unknown): string {
  if (typeof body !== "string" || body === "") return "";
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    return typeof parsed.message === "string" ? parsed.message : body.slice(0, 300);
  } catch {
    return body.slice(0, 300);
  }
}

/** HTTP status of a client error (undefined for network errors). */
export function kubeStatus(err: unknown): number | undefined {
  return err instanceof ApiException ? err.code : undefined;
}

/** Typed failure of a Kubernetes API call (see statusFailure for the 4xx/5xx split). */
export function kubeFailure(err: unknown, what: string, signal: AbortSignal): ProvisionFailure {
  if (err instanceof ApiException) {
    const detail = statusMessage(err.body);
    return statusFailure(err.code, `${what}: Kubernetes API answered ${err.code}${detail ? ` (${detail})` : ""}`, { status: err.code });
  }
  return networkFailure(err, what, signal);
}
