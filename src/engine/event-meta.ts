import { isJsonObject as isObject } from "../core/json.js";
export { isJsonObject as isObject } from "../core/json.js";

/**
 * ansible-rulebook's automatic `insert_meta_info` filter: sets meta.source.{name,type},
 * meta.received_at and meta.uuid, each only when absent. Returns a new object.
 */
export interface MetaInfo {
  readonly sourceName: string;
  readonly sourceType: string;
  /** ms since epoch. */
  readonly receivedAt: number;
  readonly uuid: string;
}

export type EngineEvent = Record<string, unknown> & { meta: Record<string, unknown> };

export function insertMetaInfo(event: Record<string, unknown>, info: MetaInfo): EngineEvent {
  const meta = isObject(event.meta) ? { ...event.meta } : {};
  const source = isObject(meta.source) ? { ...meta.source } : {};
  if (source.name === undefined) source.name = info.sourceName;
  if (source.type === undefined) source.type = info.sourceType;
  meta.source = source;
  if (meta.received_at === undefined) meta.received_at = isoMicros(info.receivedAt);
  if (meta.uuid === undefined) meta.uuid = info.uuid;
  return { ...event, meta };
}

/** UTC ISO-8601 with microseconds and Z, as ansible-rulebook writes received_at. */
export function isoMicros(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

export function eventUuid(event: Record<string, unknown>): string {
  const meta = event.meta;
  return isObject(meta) && typeof meta.uuid === "string" ? meta.uuid : "";
}
