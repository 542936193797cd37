// The rep's customers and their contracts on the device: fetched from the region when
// online (most recently updated first, at most MAX_CUSTOMERS, key fields only — not a
// full sync), read from IndexedDB when not. Local drafts (records created offline) live
// beside them under `local:<command id>` until their command is confirmed; an alias then
// points the local id at the server's.
import type { MyGroup, MyGroups } from "../portal/api-types.ts";
import type { Api } from "./api.ts";
import type { IdOrRef } from "./commands.ts";
import { type CachedRecord, db, getMeta, setMeta } from "./db.ts";

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

type ServerRow = {
  id: string;
  kind: CachedRecord["kind"];
  customerId: string | null;
  data: Record<string, unknown>;
  /** Where it ranks in "most recent first"; by default it keeps its place. */
  touchedAt?: number;
};

/** What the region answered, over what the device had (a summary never drops a view's fields). */
async function storeServerRows(rows: ServerRow[]): Promise<void> {
  const tx = (await db()).transaction("records", "readwrite");
  const now = Date.now();
  for (const row of rows) {
    const prev = await tx.store.get(row.id);
    await tx.store.put({
      id: row.id,
      kind: row.kind,
      customerId: row.customerId,
      data: { ...prev?.data, ...row.data },
      fetchedAt: now,
      pendingCommand: null,
      touchedAt: Math.max(prev?.touchedAt ?? 0, row.touchedAt ?? 0) || now,
    });
  }
  await tx.done;
}

const itemsOf = (body: unknown) =>
  ((body as Page | null)?.items ?? []).filter(
    (i): i is Record<string, unknown> & { id: string } => typeof i.id === "string",
  );

/** Refreshes the rep's customers from the region; keeps the cache bounded. */
export async function refreshCustomers(api: Api): Promise<void> {
  const a = await api.request({ method: "GET", path: "/v1/customers?limit=100&owner=me" });
  if (a.status !== 200) return;
  const now = Date.now();
  // Newest first as the server ordered them, above anything older on the device.
  await storeServerRows(
    itemsOf(a.body).map((item, rank) => ({
      id: item.id,
      kind: "customer",
      customerId: null,
      data: keyFields(item, CUSTOMER_FIELDS),
      touchedAt: now - rank,
    })),
  );
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

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null;

/** Refreshes one customer and its contracts from the region. */
export async function refreshCustomer(api: Api, id: string): Promise<void> {
  const [c, list] = await Promise.all([
    api.request({ method: "GET", path: `/v1/customers/${encodeURIComponent(id)}` }),
    api.request({
      method: "GET",
      path: `/v1/contracts?customerId=${encodeURIComponent(id)}&limit=${MAX_CONTRACTS_PER_CUSTOMER}`,
    }),
  ]);
  const rows: ServerRow[] = [];
  if (c.status === 200 && isObject(c.body))
    rows.push({ id, kind: "customer", customerId: null, data: c.body });
  if (list.status === 200)
    for (const item of itemsOf(list.body))
      rows.push({ id: item.id, kind: "contract", customerId: id, data: item });
  await storeServerRows(rows);
}

/** Refreshes one contract (its signatures, payments, paid) from its account object. */
export async function refreshContract(api: Api, id: string): Promise<void> {
  const a = await api.request({ method: "GET", path: `/v1/contracts/${encodeURIComponent(id)}` });
  if (a.status !== 200 || !isObject(a.body)) return;
  const customerId = typeof a.body.customerId === "string" ? a.body.customerId : null;
  await storeServerRows([{ id, kind: "contract", customerId, data: a.body }]);
}

/** Group accounts fetched one by one per refresh, at most (the rest on the next one). */
export const MAX_GROUP_ACCOUNTS_PER_REFRESH = 20;

/** The rep's customer success groups as last seen, for this user only. */
export async function cachedGroups(userId: string): Promise<MyGroup[]> {
  const saved = await getMeta<{ userId: string; groups: unknown[] }>("groups");
  // A cache written by an older version of the app may hold another shape: skipped.
  return saved?.userId === userId && Array.isArray(saved.groups)
    ? saved.groups.filter(isMyGroup)
    : [];
}

function isMyGroup(g: unknown): g is MyGroup {
  const x = g as Partial<MyGroup> | null;
  return (
    typeof x?.groupId === "string" &&
    typeof x.name === "string" &&
    typeof x.role === "string" &&
    Array.isArray(x.accountIds)
  );
}

/** The rep's groups from the region (GET /v1/me/groups); the cached ones when it fails. */
export async function refreshGroups(api: Api, userId: string): Promise<MyGroup[]> {
  const a = await api.request({ method: "GET", path: "/v1/me/groups" });
  const list = (a.body as Partial<MyGroups> | null)?.items;
  if (a.status !== 200 || !Array.isArray(list)) return cachedGroups(userId);
  const groups = list.filter(isMyGroup);
  await setMeta("groups", { userId, groups });
  return groups;
}

/**
 * Today's customers include the accounts of the rep's groups: those not on the device yet
 * are fetched by id and cached below the rep's own.
 * TODO(issue 11): one list call for them (`GET /v1/customers?group=<id>` or `?owner=me`
 * including group accounts) instead of one GET per account, bounded here meanwhile.
 */
export async function refreshGroupAccounts(api: Api, groups: MyGroup[]): Promise<void> {
  const d = await db();
  const missing: string[] = [];
  for (const id of new Set(groups.flatMap((g) => g.accountIds)))
    if (!(await d.get("records", id))) missing.push(id);
  const batch = missing.slice(0, MAX_GROUP_ACCOUNTS_PER_REFRESH);
  const answers = await Promise.all(
    batch.map((id) =>
      api
        .request({ method: "GET", path: `/v1/customers/${encodeURIComponent(id)}` })
        .catch(() => null),
    ),
  );
  const now = Date.now();
  await storeServerRows(
    answers.flatMap((a, rank) =>
      a?.status === 200 && isObject(a.body)
        ? [
            {
              id: batch[rank]!,
              kind: "customer" as const,
              customerId: null,
              data: keyFields(a.body, CUSTOMER_FIELDS),
              // Below the rep's own customers (ranked now - 0…99 by refreshCustomers).
              touchedAt: now - 1000 - rank,
            },
          ]
        : [],
    ),
  );
}
