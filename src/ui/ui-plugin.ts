/**
 * The operator web UI (delivery log & stats), served as static files at /ui/ next to the admin
 * API: `app.register(uiPlugin)`. The files hold no data and need no token; the page asks for
 * the admin token and calls /api/... with it (src/ui/public/). They are read once from the
 * `public/` folder next to this module — src/ui/public when running from source, dist/ui/public
 * after `npm run build` (scripts/copy-ui-assets.mjs) — and answered with a strict CSP.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { HookbookError } from "../core/errors.js";

/** Where the UI is mounted. */
export const UI_PREFIX = "/ui";

/** The folder the UI files are read from (next to this module). */
export const UI_PUBLIC_DIR = fileURLToPath(new URL("./public/", import.meta.url));

/** No inline script or style, nothing from other origins, no framing, no form posts. */
export const UI_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

export interface UiAsset {
  /** Path under /ui/, e.g. "app.js" or "views/list.js". */
  readonly path: string;
  readonly contentType: string;
  readonly body: Buffer;
  readonly etag: string;
}

export interface UiPluginOptions {
  /** Read the files from here instead of UI_PUBLIC_DIR (tests). */
  readonly dir?: string;
}

/** Every servable file under `dir` (recursively; unknown extensions and dot files skipped). */
export function loadUiAssets(dir: string): UiAsset[] {
  const out: UiAsset[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      if (name.startsWith(".")) continue;
      const full = join(d, name);
      if (statSync(full).isDirectory()) {
        walk(full);
        continue;
      }
      const contentType = CONTENT_TYPES[extname(name)];
      if (contentType === undefined) continue;
      const body = readFileSync(full);
      const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`;
      out.push({ path: relative(dir, full).split(sep).join("/"), contentType, body, etag });
    }
  };
  walk(dir);
  return out;
}

function securityHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header("cache-control", "no-cache")
    .header("content-security-policy", UI_CSP)
    .header("x-content-type-options", "nosniff")
    .header("x-frame-options", "DENY")
    .header("referrer-policy", "no-referrer")
    .header("cross-origin-opener-policy", "same-origin")
    .header("cross-origin-resource-policy", "same-origin");
}

function sendAsset(req: FastifyRequest, reply: FastifyReply, asset: UiAsset): FastifyReply {
  securityHeaders(reply).header("etag", asset.etag);
  const match = req.headers["if-none-match"];
  if (typeof match === "string" && match.split(",").some((t) => t.trim() === asset.etag)) return reply.code(304).send();
  return reply.type(asset.contentType).send(asset.body);
}

async function uiRoutes(app: FastifyInstance, opts: UiPluginOptions): Promise<void> {
  const dir = opts.dir ?? UI_PUBLIC_DIR;
  let assets: UiAsset[];
  try {
    assets = loadUiAssets(dir);
  } catch (err) {
    assets = [];
    app.log.warn({ err, dir }, "web UI files not found: run `npm run build` (it copies src/ui/public to dist/ui/public)");
  }
  const index = assets.find((a) => a.path === "index.html");
  // "/ui" and "/ui/" (one route when the server ignores trailing slashes): the page's relative
  // URLs need the slash, so "/ui" redirects to "ui/" (relative: works behind a path prefix).
  app.get("/", async (req, reply) => {
    const path = req.url.split("?")[0] ?? "";
    if (!path.endsWith("/")) return securityHeaders(reply).redirect(`${UI_PREFIX.slice(1)}/`, 301);
    if (index === undefined) {
      const err = new HookbookError("HB_ERR_INTERNAL", `web UI files missing in ${dir}: run npm run build`);
      return securityHeaders(reply).code(err.status).send(err.toBody());
    }
    return sendAsset(req, reply, index);
  });
  for (const asset of assets) app.get(`/${asset.path}`, async (req, reply) => sendAsset(req, reply, asset));
}

/** Fastify plugin: the web UI under /ui/ (unknown files fall through to the server's 404). */
export async function uiPlugin(app: FastifyInstance, opts: UiPluginOptions = {}): Promise<void> {
  await app.register(uiRoutes, { ...opts, prefix: UI_PREFIX });
}
