import { RemoteFailure } from "./http-call.js";

export type Settings = Readonly<Record<string, unknown>>;

function configError(message: string): RemoteFailure {
  return new RemoteFailure("HB_ERR_CONFIG_INVALID", message, "permanent", { retry: "permanent" });
}

/** `integrations.<name>` or a permanent failure naming the missing block. */
export function settingsOf(integrations: Readonly<Record<string, Settings>>, name: string): Settings {
  const s = integrations[name];
  if (!s || typeof s !== "object") throw configError(`integrations.${name} is not configured`);
  return s;
}

/** A non-empty string setting, or a permanent failure naming the key. */
export function requiredString(settings: Settings, name: string, key: string): string {
  const v = settings[key];
  if (typeof v === "string" && v !== "") return v;
  if (typeof v === "number") return String(v);
  throw configError(`integrations.${name}.${key} is not set`);
}

export function optionalString(settings: Settings, key: string): string | undefined {
  const v = settings[key];
  if (typeof v === "string" && v !== "") return v;
  if (typeof v === "number") return String(v);
  return undefined;
}

export function optionalRecord(settings: Settings, key: string): Readonly<Record<string, unknown>> | undefined {
  const v = settings[key];
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

export function stringList(value: unknown): string[] {
  if (typeof value === "string") return value === "" ? [] : [value];
  if (Array.isArray(value)) return value.filter((v) => v !== null && v !== undefined && v !== "").map((v) => String(v));
  return [];
}

export function configFailure(message: string): RemoteFailure {
  return configError(message);
}
