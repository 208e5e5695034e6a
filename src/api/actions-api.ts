import type { FastifyInstance } from "fastify";
import { isHookbookError } from "../core/errors.js";
import type { PauseGate } from "../core/pause-gate.js";
import { bearerChecker } from "./admin-auth.js";

export interface ActionsApiOptions {
  readonly gate: PauseGate;
  readonly adminToken: string;
}

/**
 * The global pause switch over the admin API: `GET /api/actions/pause` → `{paused}`,
 * `POST /api/actions/pause` and `POST /api/actions/resume`. While paused, rules still match and
 * firings are stored; action runs wait until resumed.
 */
export async function actionsApiPlugin(app: FastifyInstance, opts: ActionsApiOptions): Promise<void> {
  const check = bearerChecker(opts.adminToken);
  app.addHook("onRequest", async (req, reply) => {
    if (!req.url.startsWith("/api/actions/")) return;
    try {
      check(req.headers.authorization);
    } catch (err) {
      if (!isHookbookError(err)) throw err;
      await reply.code(err.status).send(err.toBody());
    }
  });
  app.get("/api/actions/pause", async () => ({ paused: opts.gate.isPaused }));
  app.post("/api/actions/pause", async () => {
    opts.gate.pause();
    return { paused: true };
  });
  app.post("/api/actions/resume", async () => {
    opts.gate.resume();
    return { paused: false };
  });
}
