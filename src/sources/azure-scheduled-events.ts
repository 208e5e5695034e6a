/**
 * Azure IMDS Scheduled Events document (`{DocumentIncarnation, Events[]}`, api-version
 * 2020-07-01+) forwarded unchanged by our node agent (sources.md §7.1). IMDS is not a webhook, so
 * the agent authenticates with our own scheme (bearer / HMAC / mTLS, see ./auth.ts) and may add
 * what IMDS instance metadata tells it in headers:
 *
 *   X-Hookbook-Vm-Name      this VM's name (IMDS compute.name, e.g. aks-a100spot-38291047-vmss_7)
 *   X-Hookbook-Node-Name    the Kubernetes node name (downward API spec.nodeName)
 *   X-Hookbook-Resource-Id  the VM's ARM id (IMDS compute.resourceId)
 *   X-Hookbook-Location     region (IMDS compute.location)
 *   X-Hookbook-Zone         availability zone (IMDS compute.zone)
 *
 * One event per entry of `Events[]` (an empty list = no events):
 *
 *   data = {
 *     payload: <the Events[] entry as received>,
 *     deadline?: <NotBefore as RFC 3339 UTC>,
 *     interruption?: <common block for EventType Preempt, ./interruption.ts>,
 *     meta: { endpoint, headers (minus credentials),
 *             azure_scheduled_events: { document_incarnation, vm_name?, node_name?, resource_id?,
 *                                       location?, zone? } }
 *   }
 *
 * type: `Preempt` → `compute.instance.interruption` (action preempt; stage scheduled/started from
 * EventStatus; not_before = deadline = NotBefore); others → `azure.vm.scheduled_event.<type
 * lowercased>`. dedupKey `azure-se:<EventId>:<EventStatus>` (Scheduled → Started is a new event).
 * subject = this VM's name when it is in Resources, else Resources[0]. time: none (ingest uses the
 * receipt time; the document carries no event time). The Kubernetes node is the header, else the
 * VMSS computer name derived from `<vmss>_<n>` (see vmssComputerName).
 * Schema: docs/sources/azure-scheduled-events.schema.json.
 */
import type { NormalizedEvent } from "../core/envelope.js";
import type { Interruption } from "./interruption.js";
import { INTERRUPTION_TYPE, compact, vmssComputerName } from "./interruption.js";
import type { Json } from "./normalize-util.js";
import { checkKnownOptions, invalidPayload, isObject, metaHeadersWithout, normalizeTime, snakeToken, str, stripHeadersOption } from "./normalize-util.js";
import type { NormalizeRequest, SourceKindHandler } from "./types.js";
import { headerValue } from "./types.js";
import { parseJsonBody } from "./webhook.js";

const KIND = "azure-scheduled-events";
const FORMAT = "an Azure Scheduled Events document";
const OPTIONS: readonly string[] = ["stripHeaders"];

export const AGENT_HEADERS = {
  vmName: "x-hookbook-vm-name",
  nodeName: "x-hookbook-node-name",
  resourceId: "x-hookbook-resource-id",
  location: "x-hookbook-location",
  zone: "x-hookbook-zone",
} as const;

interface Agent {
  readonly vmName?: string;
  readonly nodeName?: string;
  readonly resourceId?: string;
  readonly location?: string;
  readonly zone?: string;
}

function agentInfo(headers: Readonly<Record<string, string>>): Agent {
  const get = (name: string): string | undefined => str(headerValue(headers, name)?.trim());
  return compact({
    vmName: get(AGENT_HEADERS.vmName),
    nodeName: get(AGENT_HEADERS.nodeName),
    resourceId: get(AGENT_HEADERS.resourceId),
    location: get(AGENT_HEADERS.location),
    zone: get(AGENT_HEADERS.zone),
  });
}

interface CheckedEvent {
  readonly entry: Json;
  readonly eventId: string;
  readonly eventType: string;
  readonly status: string;
  readonly resources: readonly string[];
}

function checkEvent(raw: unknown, index: number): CheckedEvent {
  const at = `Events[${index}]`;
  if (!isObject(raw)) throw invalidPayload(FORMAT, `${at} must be an object`);
  const eventId = str(raw.EventId);
  const eventType = str(raw.EventType);
  const status = str(raw.EventStatus);
  if (eventId === undefined) throw invalidPayload(FORMAT, `${at}.EventId must be a non-empty string`);
  if (eventType === undefined) throw invalidPayload(FORMAT, `${at}.EventType must be a non-empty string`);
  if (status === undefined) throw invalidPayload(FORMAT, `${at}.EventStatus must be a non-empty string`);
  if (raw.Resources !== undefined && (!Array.isArray(raw.Resources) || !raw.Resources.every((r) => typeof r === "string"))) {
    throw invalidPayload(FORMAT, `${at}.Resources must be a list of names`);
  }
  return { entry: raw, eventId, eventType, status, resources: (raw.Resources as string[] | undefined) ?? [] };
}

/** `/subscriptions/<id>/…` → id. */
function subscriptionOf(resourceId: string | undefined): string | undefined {
  return resourceId === undefined ? undefined : /^\/subscriptions\/([^/]+)\//i.exec(resourceId)?.[1];
}

function interruption(e: CheckedEvent, name: string | undefined, agent: Agent, deadline: string | undefined): Interruption {
  const own = name !== undefined && name === agent.vmName;
  return compact({
    provider: "azure",
    instance_id: name ?? e.eventId,
    instance_name: name,
    node: (own ? agent.nodeName : undefined) ?? (name === undefined ? undefined : vmssComputerName(name)),
    account: own ? subscriptionOf(agent.resourceId) : undefined,
    region: agent.location,
    zone: agent.zone,
    resource: own ? agent.resourceId : undefined,
    action: "preempt",
    stage: e.status === "Started" ? "started" : "scheduled",
    not_before: deadline,
    deadline,
    raw_type: e.eventType,
    provider_type: "azure.vm.scheduled_event.preempt",
  } satisfies Interruption);
}

function normalize(req: NormalizeRequest): NormalizedEvent[] {
  const body = parseJsonBody(req.body);
  if (!isObject(body) || !Array.isArray(body.Events)) throw invalidPayload(FORMAT, "expected {DocumentIncarnation, Events: [...]}");
  const checked = body.Events.map(checkEvent);
  const agent = agentInfo(req.headers);
  const headers = metaHeadersWithout(req.headers, stripHeadersOption(req.options, KIND));
  const azure = compact({
    document_incarnation: body.DocumentIncarnation,
    vm_name: agent.vmName,
    node_name: agent.nodeName,
    resource_id: agent.resourceId,
    location: agent.location,
    zone: agent.zone,
  });
  const meta = { endpoint: req.endpoint, headers, azure_scheduled_events: azure };
  return checked.map((e) => {
    const name = agent.vmName !== undefined && e.resources.includes(agent.vmName) ? agent.vmName : e.resources[0];
    const deadline = normalizeTime(e.entry.NotBefore);
    const preempt = e.eventType === "Preempt";
    const data: Json = { payload: e.entry, ...(deadline === undefined ? {} : { deadline }) };
    if (preempt) data.interruption = interruption(e, name, agent, deadline);
    data.meta = meta;
    return {
      type: preempt ? INTERRUPTION_TYPE : `azure.vm.scheduled_event.${snakeToken(e.eventType)}`,
      ...(name === undefined ? {} : { subject: name }),
      dedupKey: `azure-se:${e.eventId}:${e.status}`,
      data,
    };
  });
}

export const azureScheduledEventsSource: SourceKindHandler = {
  kind: KIND,
  contentTypes: ["application/json"],
  normalize,
  checkOptions(options) {
    checkKnownOptions(options, KIND, OPTIONS);
    stripHeadersOption(options, KIND);
  },
};
