import type { KvBucket } from "../bus/port.js";
import { decodeJson, encodeJson } from "../bus/port.js";
import type { ActionStateStore } from "./types.js";

/** ActionStateStore on a bus KV bucket (JetStream KV in serve). Keys must be KV-safe. */
export function kvStateStore(kv: KvBucket): ActionStateStore {
  return {
    async get<T>(key: string) {
      const e = await kv.get(key);
      return e ? { value: decodeJson<T>(e.value), revision: e.revision } : undefined;
    },
    create: (key, value) => kv.create(key, encodeJson(value)),
    update: (key, value, revision) => kv.update(key, encodeJson(value), revision),
    async put(key, value) {
      await kv.put(key, encodeJson(value));
    },
    delete: (key) => kv.delete(key),
  };
}
