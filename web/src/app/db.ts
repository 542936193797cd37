// The device's store (IndexedDB), shared by the page and the service worker:
//   outbox   — queued commands, in order (DESIGN §8); nothing leaves it unless it is
//              confirmed and the rep clears it, so a reload, a crash or a new app
//              version loses nothing (schema upgrades only ever add stores);
//   files    — photos the outbox still needs (voucher photos, signature images);
//   records  — the bounded cache of the rep's customers and their contracts (key fields,
//              most recent first — not a full sync);
//   insights — call analyses, on-device and from the region;
//   meta     — the session, the jurisdiction's endpoints, the tenant's rules.
import { type DBSchema, type IDBPDatabase, openDB } from "idb";
import type { Command, FileRef } from "./commands.ts";

export type CachedRecord = {
  id: string;
  kind: "customer" | "contract";
  /** The contract's customer, for "contracts of this customer". */
  customerId: string | null;
  /** The server's view, or the local draft while its command is pending. */
  data: Record<string, unknown>;
  /** When it was last seen from the server (0 for local drafts). */
  fetchedAt: number;
  /** The command creating it while it is still pending. */
  pendingCommand: string | null;
  touchedAt: number;
};

export type StoredFile = FileRef & { blob: Blob; commandId: string };

export type StoredInsight = {
  id: string;
  createdAt: number;
  text: string;
  customerId: string | null;
  source: "on-device" | "region";
  region: string | null;
  result: Record<string, unknown>;
  /** The command that asks the region to re-analyse an on-device result. */
  reanalysis: string | null;
};

interface LifelineDB extends DBSchema {
  outbox: { key: number; value: Command; indexes: { id: string } };
  files: { key: string; value: StoredFile; indexes: { commandId: string } };
  records: {
    key: string;
    value: CachedRecord;
    indexes: { kind: string; customerId: string; touchedAt: number };
  };
  insights: { key: string; value: StoredInsight; indexes: { createdAt: number } };
  meta: { key: string; value: { key: string; value: unknown } };
}

export type DB = IDBPDatabase<LifelineDB>;

export const DB_NAME = "lifeline-rep";
const DB_VERSION = 1;

let opening: Promise<DB> | null = null;

export function db(): Promise<DB> {
  opening ??= openDB<LifelineDB>(DB_NAME, DB_VERSION, {
    upgrade(d, oldVersion) {
      // Additive only: a new app version must never drop what an older one queued.
      if (oldVersion < 1) {
        const outbox = d.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true });
        outbox.createIndex("id", "id", { unique: true });
        const files = d.createObjectStore("files", { keyPath: "sha256" });
        files.createIndex("commandId", "commandId");
        const records = d.createObjectStore("records", { keyPath: "id" });
        records.createIndex("kind", "kind");
        records.createIndex("customerId", "customerId");
        records.createIndex("touchedAt", "touchedAt");
        const insights = d.createObjectStore("insights", { keyPath: "id" });
        insights.createIndex("createdAt", "createdAt");
        d.createObjectStore("meta", { keyPath: "key" });
      }
    },
    blocking() {
      // A newer version of the app wants to upgrade: let it (this tab reloads).
      opening = null;
    },
  });
  return opening;
}

export async function getMeta<T>(key: string): Promise<T | undefined> {
  const row = await (await db()).get("meta", key);
  return row?.value as T | undefined;
}

export async function setMeta(key: string, value: unknown): Promise<void> {
  await (await db()).put("meta", { key, value });
}

export async function deleteMeta(key: string): Promise<void> {
  await (await db()).delete("meta", key);
}
