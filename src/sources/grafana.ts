/**
 * Grafana alerting webhook contact point, body "version": "1" (sources.md §2) → one event per
 * alert, shaped like alertmanager's (schema: docs/sources/grafana.schema.json):
 *
 *   data = { alert: <the alert as received: status, labels, annotations, startsAt, endsAt,
 *                    fingerprint, values, valueString, silenceURL, dashboardURL, panelURL, …>,
 *            meta: { endpoint, headers (minus Authorization), hosts,
 *                    grafana: <the notification without `alerts`: receiver, status, orgId, state,
 *                              title, message, groupKey, groupLabels, commonLabels, externalURL, …> } }
 *
 * type `grafana.alert.firing|resolved`; dedupKey `grafana:<fingerprint>:<status>:<startsAt>`;
 * time = startsAt (firing) / endsAt (resolved); subject as alertmanager (node, instance,
 * `<cluster>/<queue>`, alertname). Options: alertmanager's (dataHostPath, dataPathSeparator,
 * skipOriginalData). Auth: Grafana's HMAC is `{type: hmac, header: x-grafana-alerting-signature,
 * prefix: "", timestampHeader: <hmacConfig.timestampHeader>}` (HMAC over `<ts>:<body>`), or
 * basic / bearer.
 */
import { alertmanagerOptions, normalizeAlertGroup } from "./alertmanager.js";
import type { AlertGroupProducer } from "./alertmanager.js";
import type { SourceKindHandler } from "./types.js";

const GRAFANA: AlertGroupProducer = { name: "grafana", format: "a Grafana alerting webhook body" };

export const grafanaSource: SourceKindHandler = {
  kind: "grafana",
  contentTypes: ["application/json"],
  normalize: (req) => normalizeAlertGroup(req, GRAFANA),
  checkOptions(options) {
    alertmanagerOptions(options);
  },
};
