// workerd's DurableObjectStorage as a SqlStore. Its `exec` is typed with a wider row
// type than our generic one; the shapes match at runtime, so the cast lives here, once.
import type { SqlStore } from "./sql-store.ts";

export function durableObjectStore(storage: DurableObjectStorage): SqlStore {
  return storage as unknown as SqlStore;
}
