// The rep's customers and their contracts on the device: fetched from the region when
// online (most recently updated first, at most MAX_CUSTOMERS, key fields only — not a
// full sync), read from IndexedDB when not. Local drafts (records created offline) live
// beside them under `local:<command id>` until their command is confirmed; an alias then
// points the local id at the server's.
import type { Api } from "./api.ts";
import type { IdOrRef } from "./commands.ts";
import { type CachedRecord, db, getMeta } from "./db.ts";

export const MAX_CUSTOMERS = 200;
export const MAX_CONTRACTS_PER_CUSTOMER = 50;

const CUSTOMER_FIELDS = [
  "id",
  "name",
  "tier",
  "residency",
  "ownerId",
  "contacts",
  "updatedAt",
  "createdAt",
];

function keyFields(o: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) if (Object.hasOwn(o, f)) out[f] = o[f];
  return out;
}

/** The server id a local id became, or the id itself. */
export async function canonicalId(id: string): Promise<string> {
  if (!id.startsWith("local:")) return id;
  return (await getMeta<string>(`alias:${id}`)) ?? id;
}

/** How a command refers to a record: its server id, or the command that creates it. */
export function refTo(id: string): IdOrRef {
  return id.startsWith("local:") ? { $ref: id.slice("local:".length) } : id;
}

export async function cachedCustomers(): Promise<CachedRecord[]> {
  const all = await (await db()).getAllFromIndex("records", "kind", "customer");
  return all.sort((a, b) => b.touchedAt - a.touchedAt);
}

export async function cachedRecord(id: string): Promise<CachedRecord | undefined> {
  return (await db()).get("records", await canonicalId(id));
}

export async function cachedContracts(customerId: string): Promise<CachedRecord[]> {
  const d = await db();
  const ids = new Set([customerId, await canonicalId(customerId)]);
  const rows: CachedRecord[] = [];
  for (const id of ids) rows.push(...(await d.getAllFromIndex("records", "customerId", id)));
  // Local drafts for a pending customer name it by reference.
  for (const r of await d.getAllFromIndex("records", "kind", "contract"))
    if (r.pendingCommand && r.data.customerRef === customerId && !rows.includes(r)) rows.push(r);
  return rows.sort((a, b) => b.touchedAt - a.touchedAt);
}

type Page = { items: Array<Record<string, unknown>>; nextCursor?: string | null };

/** Refreshes the rep's customers from the region; keeps the cache bounded. */
export async function refreshCustomers(api: Api, q = ""): Promise<void> {
  const qs = new URLSearchParams({ limit: "100", owner: "me" });
  if (q) qs.set("q", q);
  const a = await api.request({ method: "GET", path: `/v1/customers?${qs}` });
  if (a.status !== 200) return;
  const page = a.body as Page;
  const d = await db();
  const tx = d.transaction("records", "readwrite");
  const now = Date.now();
  let rank = 0;
  for (const item of page.items ?? []) {
    if (typeof item.id !== "string") continue;
    const prev = await tx.store.get(item.id);
    await tx.store.put({
      id: item.id,
      kind: "customer",
      customerId: null,
      data: { ...prev?.data, ...keyFields(item, CUSTOMER_FIELDS) },
      fetchedAt: now,
      pendingCommand: null,
      // Newest first as the server ordered them, above anything older on the device.
      touchedAt: Math.max(prev?.touchedAt ?? 0, now - rank++),
    });
  }
  await tx.done;
  await trimCustomers();
}

async function trimCustomers(): Promise<void> {
  const d = await db();
  const customers = (await d.getAllFromIndex("records", "kind", "customer"))
    .filter((r) => !r.pendingCommand)
    .sort((a, b) => b.touchedAt - a.touchedAt);
  const tx = d.transaction("records", "readwrite");
  for (const r of customers.slice(MAX_CUSTOMERS)) {
    await tx.store.delete(r.id);
    for (const k of await tx.store.index("customerId").getAllKeys(r.id)) await tx.store.delete(k);
  }
  await tx.done;
}

/** Refreshes one customer and its contracts from the region. */
export async function refreshCustomer(api: Api, id: string): Promise<void> {
  const [c, list] = await Promise.all([
    api.request({ method: "GET", path: `/v1/customers/${encodeURIComponent(id)}` }),
    api.request({
      method: "GET",
      path: `/v1/contracts?customerId=${encodeURIComponent(id)}&limit=${MAX_CONTRACTS_PER_CUSTOMER}`,
    }),
  ]);
  const d = await db();
  const tx = d.transaction("records", "readwrite");
  const now = Date.now();
  if (c.status === 200 && typeof c.body === "object" && c.body !== null) {
    const prev = await tx.store.get(id);
    await tx.store.put({
      id,
      kind: "customer",
      customerId: null,
      data: c.body as Record<string, unknown>,
      fetchedAt: now,
      pendingCommand: null,
      touchedAt: prev?.touchedAt ?? now,
    });
  }
  if (list.status === 200) {
    for (const item of (list.body as Page).items ?? []) {
      if (typeof item.id !== "string") continue;
      const prev = await tx.store.get(item.id);
      await tx.store.put({
        id: item.id,
        kind: "contract",
        customerId: id,
        data: { ...prev?.data, ...item },
        fetchedAt: now,
        pendingCommand: null,
        touchedAt: prev?.touchedAt ?? now,
      });
    }
  }
  await tx.done;
}

/** Refreshes one contract (its signatures, payments, paid) from its account object. */
export async function refreshContract(api: Api, id: string): Promise<void> {
  const a = await api.request({ method: "GET", path: `/v1/contracts/${encodeURIComponent(id)}` });
  if (a.status !== 200 || typeof a.body !== "object" || a.body === null) return;
  const data = a.body as Record<string, unknown>;
  const d = await db();
  const prev = await d.get("records", id);
  await d.put("records", {
    id,
    kind: "contract",
    customerId: typeof data.customerId === "string" ? data.customerId : null,
    data,
    fetchedAt: Date.now(),
    pendingCommand: null,
    touchedAt: prev?.touchedAt ?? Date.now(),
  });
}
