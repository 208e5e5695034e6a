/**
 * Prometheus Alertmanager `webhook_config` body (version "4"; both the pre-0.33 shape and the
 * 0.33+/0.34 shape with `notification_reason` / `routeLabels`) → one event per alert, shaped like
 * ansible-rulebook's `ansible.eda.alertmanager` (eda-rulebook-semantics.md §5.3):
 *
 *   data = {
 *     alert: <the alert object exactly as received>,
 *     meta: {
 *       endpoint: <source name>,
 *       headers: <request headers minus Authorization>,
 *       hosts: [<value at dataHostPath in the alert, ":port" stripped>],   // [] when absent
 *       alertmanager: <the notification body without `alerts`>            // hookbook extension
 *     }
 *   }
 *
 * `meta.alertmanager` carries the group context (receiver, status, groupKey, groupLabels,
 * commonLabels, commonAnnotations, externalURL, truncatedAlerts, version and, when sent,
 * notification_reason and routeLabels) with Alertmanager's own field names. It sits under `meta`
 * so `event.alert` stays exactly ansible's and no top-level key is added.
 *
 * type `alertmanager.alert.firing|resolved`; dedupKey `alertmanager:<fingerprint>:<status>:<startsAt>`
 * (sources.md §1; repeats and HA peers collapse, the transition to resolved is a new event);
 * time = startsAt when firing, endsAt when resolved; subject = node | Hostname | hostname |
 * instance (port stripped), else `<cluster>/<queue>`, else the alertname.
 *
 * Options (camelCase, or ansible's snake_case names):
 *  - dataHostPath / data_host_path (default "labels.instance"; "" = no hosts)
 *  - dataPathSeparator / data_path_separator (default ".")
 *  - skipOriginalData / skip_original_data (default true here; ansible's default is false): when
 *    false, an extra first event `{payload: <whole body>, meta: {endpoint, headers}}` of type
 *    `alertmanager.notification.received` is emitted, as ansible does.
 *
 * A missing `fingerprint` (hand-written senders) is computed the way Alertmanager does.
 */
import type { NormalizedEvent } from "../core/envelope.js";
import { HookbookError } from "../core/errors.js";
import { sha256Hex } from "../core/ids.js";
import type { NormalizeRequest, SourceKindHandler } from "./types.js";
import { metaHeaders, parseJsonBody } from "./webhook.js";
import { isJsonObject as isObject } from "../core/json.js";

export interface AlertmanagerOptions {
  readonly dataHostPath: string;
  readonly dataPathSeparator: string;
  readonly skipOriginalData: boolean;
}

type Json = Record<string, unknown>;

/** Reads and checks the kind options; throws HB_ERR_CONFIG_INVALID. Call it at startup too. */
export function alertmanagerOptions(options: Readonly<Record<string, unknown>>): AlertmanagerOptions {
  const pick = (camel: string, snake: string): unknown => (options[camel] !== undefined ? options[camel] : options[snake]);
  const hostPath = pick("dataHostPath", "data_host_path") ?? "labels.instance";
  const separator = pick("dataPathSeparator", "data_path_separator") ?? ".";
  const skip = pick("skipOriginalData", "skip_original_data") ?? true;
  if (typeof hostPath !== "string") throw new HookbookError("HB_ERR_CONFIG_INVALID", "alertmanager option dataHostPath must be a string");
  if (typeof separator !== "string" || separator === "") {
    throw new HookbookError("HB_ERR_CONFIG_INVALID", "alertmanager option dataPathSeparator must be a non-empty string");
  }
  if (typeof skip !== "boolean") throw new HookbookError("HB_ERR_CONFIG_INVALID", "alertmanager option skipOriginalData must be a boolean");
  return { dataHostPath: hostPath, dataPathSeparator: separator, skipOriginalData: skip };
}

/**
 * Alertmanager's label-set fingerprint: FNV-1a 64 over the label names sorted byte-wise, each
 * name and value followed by byte 0xFF; 16 lowercase hex digits.
 */
export function labelsFingerprint(labels: Readonly<Record<string, string>>): string {
  const prime = 0x100000001b3n;
  const mask = 0xffffffffffffffffn;
  let hash = 0xcbf29ce484222325n;
  const add = (bytes: Uint8Array): void => {
    for (const byte of bytes) hash = ((hash ^ BigInt(byte)) * prime) & mask;
  };
  const separator = new Uint8Array([0xff]);
  const names = Object.keys(labels).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  for (const name of names) {
    add(Buffer.from(name, "utf8"));
    add(separator);
    add(Buffer.from(labels[name] ?? "", "utf8"));
    add(separator);
  }
  return hash.toString(16).padStart(16, "0");
}

/** "host:port" → "host", "[v6]:port" → "v6"; a bare IPv6 address is left alone. */
export function stripPort(host: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d*)?$/.exec(host);
  if (bracketed) return bracketed[1] as string;
  const first = host.indexOf(":");
  if (first >= 0 && first === host.lastIndexOf(":")) return host.slice(0, first);
  return host;
}

function valueAtPath(root: unknown, path: string, separator: string): unknown {
  let current = root;
  for (const part of path.split(separator)) {
    if (Array.isArray(current) && /^\d+$/.test(part)) current = current[Number(part)];
    else if (isObject(current) && Object.hasOwn(current, part)) current = current[part];
    else return undefined;
  }
  return current;
}

function hostsOf(alert: Json, opts: AlertmanagerOptions): string[] {
  if (opts.dataHostPath === "") return [];
  const value = valueAtPath(alert, opts.dataHostPath, opts.dataPathSeparator);
  if (typeof value === "string" && value !== "") return [stripPort(value)];
  if (typeof value === "number") return [String(value)];
  return [];
}

function subjectOf(labels: Json): string | undefined {
  const label = (name: string): string | undefined => {
    const v = labels[name];
    return typeof v === "string" && v !== "" ? v : undefined;
  };
  const host = label("node") ?? label("Hostname") ?? label("hostname");
  if (host !== undefined) return host;
  const instance = label("instance");
  if (instance !== undefined) return stripPort(instance);
  const queue = label("queue");
  if (queue !== undefined) {
    const cluster = label("cluster");
    return cluster === undefined ? queue : `${cluster}/${queue}`;
  }
  return label("alertname");
}

function validTime(value: unknown): value is string {
  return typeof value === "string" && value !== "" && !Number.isNaN(Date.parse(value));
}

/** A producer of Alertmanager-shaped notification groups (Alertmanager itself, Grafana). */
export interface AlertGroupProducer {
  /** Prefix of `type`, of the dedupKey and the `meta` key holding the group context. */
  readonly name: string;
  /** For error messages, e.g. "an Alertmanager webhook body". */
  readonly format: string;
}

const ALERTMANAGER: AlertGroupProducer = { name: "alertmanager", format: "an Alertmanager webhook body" };

function invalidFor(producer: AlertGroupProducer): (message: string) => HookbookError {
  return (message) => new HookbookError("HB_ERR_INVALID_PAYLOAD", `not ${producer.format}: ${message}`);
}

interface CheckedAlert {
  readonly alert: Json;
  readonly status: "firing" | "resolved";
  readonly labels: Json;
  readonly startsAt: string;
  readonly fingerprint: string;
}

function checkAlert(raw: unknown, index: number, invalid: (message: string) => HookbookError): CheckedAlert {
  const at = `alerts[${index}]`;
  if (!isObject(raw)) throw invalid(`${at} must be an object`);
  const { status, labels, startsAt, fingerprint } = raw;
  if (status !== "firing" && status !== "resolved") throw invalid(`${at}.status must be "firing" or "resolved"`);
  if (!isObject(labels)) throw invalid(`${at}.labels must be an object`);
  for (const [name, value] of Object.entries(labels)) {
    if (typeof value !== "string") throw invalid(`${at}.labels.${name} must be a string`);
  }
  if (!validTime(startsAt)) throw invalid(`${at}.startsAt must be an RFC 3339 time`);
  if (fingerprint !== undefined && (typeof fingerprint !== "string" || !/^[0-9a-f]{1,64}$/i.test(fingerprint))) {
    throw invalid(`${at}.fingerprint must be a hex string`);
  }
  const fp = typeof fingerprint === "string" ? fingerprint : labelsFingerprint(labels as Record<string, string>);
  return { alert: raw, status, labels, startsAt, fingerprint: fp };
}

/**
 * One event per alert of an Alertmanager-shaped notification: `{alert, meta: {endpoint, headers,
 * hosts, <producer.name>: <group context>}}`, type `<name>.alert.<status>`, dedupKey
 * `<name>:<fingerprint>:<status>:<startsAt>`. Shared by alertmanager and grafana.
 */
export function normalizeAlertGroup(req: NormalizeRequest, producer: AlertGroupProducer): NormalizedEvent[] {
  const invalid = invalidFor(producer);
  const opts = alertmanagerOptions(req.options);
  const body = parseJsonBody(req.body);
  if (!isObject(body)) throw invalid("body must be a JSON object");
  const { alerts, ...group } = body;
  if (!Array.isArray(alerts)) throw invalid("alerts must be an array");
  const checked = alerts.map((a, i) => checkAlert(a, i, invalid));
  const headers = metaHeaders(req.headers);
  const events: NormalizedEvent[] = [];
  if (!opts.skipOriginalData) {
    events.push({
      type: `${producer.name}.notification.received`,
      dedupKey: `${producer.name}-notification:${req.endpoint}:sha256:${sha256Hex(req.body)}`,
      data: { payload: body, meta: { endpoint: req.endpoint, headers } },
    });
  }
  for (const a of checked) {
    const endsAt = a.alert.endsAt;
    const time = a.status === "firing" ? a.startsAt : validTime(endsAt) && !endsAt.startsWith("0001-") ? endsAt : undefined;
    const subject = subjectOf(a.labels);
    events.push({
      type: `${producer.name}.alert.${a.status}`,
      ...(subject === undefined ? {} : { subject }),
      ...(time === undefined ? {} : { time }),
      dedupKey: `${producer.name}:${a.fingerprint}:${a.status}:${a.startsAt}`,
      data: {
        alert: a.alert,
        meta: { endpoint: req.endpoint, headers, hosts: hostsOf(a.alert, opts), [producer.name]: group },
      },
    });
  }
  return events;
}

export const alertmanagerSource: SourceKindHandler = {
  kind: "alertmanager",
  contentTypes: ["application/json"],
  normalize: (req) => normalizeAlertGroup(req, ALERTMANAGER),
  checkOptions(options) {
    alertmanagerOptions(options);
  },
};
