/** Secrets (fixture READMEs), a pinned AuthContext and built bodies shared by the git/grafana source tests. */
import type { SourceAuthConfig } from "../../src/config/types.js";
import type { AuthContext } from "../../src/sources/auth.js";
import { fixtureBytes } from "../helpers/fixtures.js";

export const GITHUB_SECRET = "It's a Secret to Everybody";
export const GRAFANA_TS = 1778595612;
export const GITLAB_SIGNING_TS = 1778591145;

export const AUTH = {
  grafana: {
    type: "hmac",
    secret: "grafana-fixture-hmac-secret",
    header: "x-grafana-alerting-signature",
    algorithm: "sha256",
    encoding: "hex",
    prefix: "",
    timestampHeader: "x-grafana-alerting-timestamp",
  },
  github: { type: "hmac", secret: GITHUB_SECRET, header: "x-hub-signature-256", algorithm: "sha256", encoding: "hex", prefix: "sha256=" },
  gitlabToken: { type: "gitlab-token", token: "gitlab-fixture-secret-token" },
  gitlabSigning: { type: "standard-webhooks", secret: "whsec_Z2l0bGFiLWZpeHR1cmUtdGVzdC1zaWduaW5nLWtleSE=", toleranceSec: 300 },
  gitea: { type: "hmac", secret: "gitea-fixture-secret", header: "x-gitea-signature", algorithm: "sha256", encoding: "hex", prefix: "", formPayload: true },
} as const satisfies Record<string, SourceAuthConfig>;

export function contextAt(unixSeconds: number): AuthContext {
  return {
    nowMs: () => unixSeconds * 1000,
    fetchText: async () => {
      throw new Error("no network in unit tests");
    },
  };
}

/** Gitea's form variant of push.json: `payload=<url-encoded JSON>`, signed over the JSON. */
export function giteaFormBody(): Buffer {
  return Buffer.from(`payload=${encodeURIComponent(fixtureBytes("gitea/push.json").toString("utf8"))}`, "utf8");
}

