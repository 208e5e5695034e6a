/**
 * Azure Monitor action-group webhook with the common alert schema (sources.md §7.2):
 * `{schemaId: "azureMonitorCommonAlertSchema", data: {essentials, alertContext, customProperties}}`.
 * Action groups neither sign nor add headers: authenticate with a secret in the URL or the
 * Entra ID bearer token ("secure webhook"), checked by ./auth.ts.
 *
 *   data = {
 *     payload: <the body as received>,
 *     alert: {                       // Alertmanager-shaped view, so queue-depth rules written for
 *       status: "firing"|"resolved", //   Alertmanager (event.alert.labels.queue, event.alert.status)
 *       labels, annotations,         //   also match Azure managed-Prometheus alerts
 *       startsAt, endsAt?, value?, severity, rule, monitoringService, signalType
 *     },
 *     meta: { endpoint, headers (minus credentials),
 *             azure_monitor: { schema_id, alert_id, alert_rule, alert_rule_id?, monitor_condition,
 *                              monitoring_service?, signal_type?, severity? } }
 *   }
 *
 * `alert.labels` = alertContext.labels (managed Prometheus) with `alertname` = alertRule added when
 * missing; other signal types get `{alertname, severity}`. `alert.annotations` = alertContext
 * annotations, with `description` = essentials.description added when missing.
 * type `azure.monitor.alert.fired|resolved`; dedupKey `azmon:<alertId>:<monitorCondition>`;
 * time = firedDateTime / resolvedDateTime; subject = configurationItems[0], else labels.cluster,
 * else the alert rule. Schema: docs/sources/azure-monitor.schema.json.
 */
import type { NormalizedEvent } from "../core/envelope.js";
import type { Json } from "./normalize-util.js";
import { checkKnownOptions, invalidPayload, isObject, metaHeadersWithout, rfc3339, str, stripHeadersOption } from "./normalize-util.js";
import type { NormalizeRequest, SourceKindHandler } from "./types.js";
import { parseJsonBody } from "./webhook.js";

const KIND = "azure-monitor";
const FORMAT = "an Azure Monitor common alert schema body";
const OPTIONS: readonly string[] = ["stripHeaders"];
export const COMMON_ALERT_SCHEMA_ID = "azureMonitorCommonAlertSchema";

function stringMap(value: unknown): Record<string, string> | undefined {
  if (!isObject(value)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === "string") out[k] = v;
  return out;
}

function normalize(req: NormalizeRequest): NormalizedEvent[] {
  const body = parseJsonBody(req.body);
  if (!isObject(body) || body.schemaId !== COMMON_ALERT_SCHEMA_ID) {
    throw invalidPayload(FORMAT, `schemaId must be "${COMMON_ALERT_SCHEMA_ID}" (enable the common alert schema on the action)`);
  }
  if (!isObject(body.data) || !isObject(body.data.essentials)) throw invalidPayload(FORMAT, "data.essentials must be an object");
  const essentials = body.data.essentials;
  const context = isObject(body.data.alertContext) ? body.data.alertContext : {};
  const alertId = str(essentials.alertId);
  const condition = essentials.monitorCondition;
  const rule = str(essentials.alertRule);
  if (alertId === undefined) throw invalidPayload(FORMAT, "essentials.alertId must be a non-empty string");
  if (condition !== "Fired" && condition !== "Resolved") throw invalidPayload(FORMAT, 'essentials.monitorCondition must be "Fired" or "Resolved"');
  if (rule === undefined) throw invalidPayload(FORMAT, "essentials.alertRule must be a non-empty string");
  const fired = rfc3339(essentials.firedDateTime);
  const resolved = rfc3339(essentials.resolvedDateTime);
  const severity = str(essentials.severity);

  const contextLabels = stringMap(context.labels);
  const labels: Record<string, string> = contextLabels ?? (severity === undefined ? {} : { severity });
  if (labels.alertname === undefined) labels.alertname = rule;
  const annotations = stringMap(context.annotations) ?? {};
  const description = str(essentials.description);
  if (annotations.description === undefined && description !== undefined) annotations.description = description;
  const value = str(context.expressionValue);
  const alert: Json = {
    status: condition === "Fired" ? "firing" : "resolved",
    labels,
    annotations,
    ...(fired === undefined ? {} : { startsAt: fired }),
    ...(resolved === undefined ? {} : { endsAt: resolved }),
    ...(value === undefined ? {} : { value }),
    ...(severity === undefined ? {} : { severity }),
    rule,
    ...(str(essentials.monitoringService) === undefined ? {} : { monitoringService: essentials.monitoringService }),
    ...(str(essentials.signalType) === undefined ? {} : { signalType: essentials.signalType }),
  };

  const azureMonitor: Json = { schema_id: body.schemaId, alert_id: alertId, alert_rule: rule, monitor_condition: condition };
  if (str(essentials.alertRuleID) !== undefined) azureMonitor.alert_rule_id = essentials.alertRuleID;
  if (str(essentials.monitoringService) !== undefined) azureMonitor.monitoring_service = essentials.monitoringService;
  if (str(essentials.signalType) !== undefined) azureMonitor.signal_type = essentials.signalType;
  if (severity !== undefined) azureMonitor.severity = severity;

  const items = Array.isArray(essentials.configurationItems) ? essentials.configurationItems : [];
  const subject = str(items[0]) ?? labels.cluster ?? rule;
  const time = condition === "Fired" ? fired : (resolved ?? fired);
  return [
    {
      type: `azure.monitor.alert.${condition === "Fired" ? "fired" : "resolved"}`,
      subject,
      ...(time === undefined ? {} : { time }),
      dedupKey: `azmon:${alertId}:${condition}`,
      data: {
        payload: body,
        alert,
        meta: {
          endpoint: req.endpoint,
          headers: metaHeadersWithout(req.headers, stripHeadersOption(req.options, KIND)),
          azure_monitor: azureMonitor,
        },
      },
    },
  ];
}

export const azureMonitorSource: SourceKindHandler = {
  kind: KIND,
  contentTypes: ["application/json"],
  normalize,
  checkOptions(options) {
    checkKnownOptions(options, KIND, OPTIONS);
    stripHeadersOption(options, KIND);
  },
};
