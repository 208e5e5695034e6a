import type { ActionStateStore } from "./types.js";

/** In-process ActionStateStore for `hookbook run`/`test` and unit tests. */
export function memoryStateStore(): ActionStateStore {
  const data = new Map<string, { value: unknown; revision: number }>();
  let rev = 0;
  return {
    async get<T>(key: string) {
      const e = data.get(key);
      return e ? { value: structuredClone(e.value) as T, revision: e.revision } : undefined;
    },
    async create(key, value) {
      if (data.has(key)) return false;
      data.set(key, { value: structuredClone(value), revision: ++rev });
      return true;
    },
    async update(key, value, revision) {
      const e = data.get(key);
      if (!e || e.revision !== revision) return false;
      data.set(key, { value: structuredClone(value), revision: ++rev });
      return true;
    },
    async put(key, value) {
      data.set(key, { value: structuredClone(value), revision: ++rev });
    },
    async delete(key) {
      data.delete(key);
    },
  };
}
