import { request as httpRequest } from "node:http";
import type { IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { ControllerSettings } from "./settings.js";

export interface ControllerResponse {
  readonly status: number;
  readonly body: unknown;
  readonly text: string;
}

/** A request that did not get an answer (connection refused, TLS, timeout, abort). */
export class ControllerRequestError extends Error {
  constructor(
    message: string,
    readonly timedOut: boolean,
  ) {
    super(message);
    this.name = "ControllerRequestError";
  }
}

const MAX_BODY = 8 * 1024 * 1024;

/**
 * JSON over HTTP(S) to the controller API with its auth header. node:https rather than fetch so
 * `verify_ssl: false` and an extra CA work per request without touching global settings.
 */
export class ControllerClient {
  constructor(
    private readonly settings: ControllerSettings,
    private readonly timeoutMs: number,
    private readonly signal: AbortSignal,
  ) {}

  /** URL of an API path (`job_templates/`) or of a path the API returned (`/api/v2/jobs/1/`). */
  url(path: string): URL {
    if (/^https?:\/\//i.test(path)) {
      const abs = new URL(path);
      // Only follow links to the controller itself: the auth header must not leave it.
      if (abs.origin !== new URL(this.settings.baseUrl).origin) throw new ControllerRequestError(`refusing to follow ${abs.origin}: not the controller`, false);
      return abs;
    }
    if (path.startsWith("/")) return new URL(path, this.settings.baseUrl);
    return new URL(`${this.settings.baseUrl}${this.settings.apiPath}${path}`);
  }

  get(path: string, query?: Record<string, string>): Promise<ControllerResponse> {
    const url = this.url(path);
    for (const [k, v] of Object.entries(query ?? {})) url.searchParams.set(k, v);
    return this.send("GET", url);
  }

  post(path: string, body: unknown): Promise<ControllerResponse> {
    return this.send("POST", this.url(path), body);
  }

  private send(method: string, url: URL, body?: unknown): Promise<ControllerResponse> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body), "utf8");
    const headers: Record<string, string> = {
      accept: "application/json",
      authorization: this.settings.authorization,
      "user-agent": "hookbook/0.1",
      ...(payload ? { "content-type": "application/json", "content-length": String(payload.length) } : {}),
    };
    const isHttps = url.protocol === "https:";
    const signal = AbortSignal.any([this.signal, AbortSignal.timeout(this.timeoutMs)]);
    return new Promise((resolve, reject) => {
      const onResponse = (res: IncomingMessage): void => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          size += c.length;
          if (size <= MAX_BODY) chunks.push(c);
        });
        res.on("error", (err) => reject(new ControllerRequestError(`${method} ${url.pathname}: ${err.message}`, false)));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let parsed: unknown = undefined;
          try {
            parsed = text === "" ? undefined : JSON.parse(text);
          } catch {
            parsed = undefined;
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, text });
        });
      };
      const options = { method, headers, signal, ...(isHttps ? { rejectUnauthorized: this.settings.verifySsl, ...(this.settings.ca ? { ca: this.settings.ca } : {}) } : {}) };
      const req = isHttps ? httpsRequest(url, options, onResponse) : httpRequest(url, options, onResponse);
      req.on("error", (err) => {
        const timedOut = signal.aborted && !this.signal.aborted;
        reject(new ControllerRequestError(timedOut ? `${method} ${url.pathname} timed out after ${this.timeoutMs} ms` : `${method} ${url.pathname}: ${err.message}`, timedOut));
      });
      req.end(payload);
    });
  }
}
