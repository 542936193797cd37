// Today's customers (the rep's own and their groups' accounts, cached for offline), customer
// creation with contacts (queued), and a customer's detail with its contracts.
import { useEffect, useState } from "preact/hooks";
import type { CachedRecord } from "../app/db.ts";
import { ulid } from "../app/ids.ts";
import { formatAmount } from "../app/money.ts";
import { enqueue, QueueFull } from "../app/outbox.ts";
import {
  cachedContracts,
  cachedCustomers,
  cachedGroups,
  cachedRecord,
  refreshCustomer,
  refreshCustomers,
  refreshGroupAccounts,
  refreshGroups,
} from "../app/records.ts";
import { api, queued, state, t } from "../app/state.ts";
import { go, useAppState, useAsync } from "./hooks.ts";
import { PendingTag, queueFullMessage, StatusTag } from "./parts.tsx";

export function CustomerList() {
  const s = useAppState();
  const [q, setQ] = useState("");
  const userId = s.session?.user.id ?? "";
  useEffect(() => {
    if (!s.online) return;
    refreshCustomers(api).then(
      () => queued(),
      () => {},
    );
    // The rep's groups' accounts join the list (and the group nav item shows).
    refreshGroups(api, userId)
      .then((groups) => refreshGroupAccounts(api, groups))
      .then(
        () => queued(),
        () => {},
      );
  }, [s.online, s.session?.token]);
  const rows = useAsync(cachedCustomers, []) ?? [];
  const groups = useAsync(() => cachedGroups(userId), [userId]) ?? [];
  const groupOf = new Map(groups.flatMap((g) => g.accountIds.map((id) => [id, g.name] as const)));
  const needle = q.trim().toLowerCase();
  const shown = needle
    ? rows.filter((r) =>
        String(r.data.name ?? "")
          .toLowerCase()
          .includes(needle),
      )
    : rows;
  return (
    <section>
      <div class="row">
        <h1>{t("customers.title")}</h1>
        <a class="button" href="#/customers/new">
          {t("customers.new")}
        </a>
      </div>
      <label class="search">
        <span class="visually-hidden">{t("customers.search")}</span>
        <input
          type="search"
          placeholder={t("customers.search")}
          value={q}
          onInput={(e) => setQ((e.target as HTMLInputElement).value)}
        />
      </label>
      {shown.length === 0 ? (
        <p class="hint">{t("customers.empty")}</p>
      ) : (
        <ul class="list" data-testid="customer-list">
          {shown.map((r) => (
            <li key={r.id}>
              <a href={`#/customers/${encodeURIComponent(r.id)}`}>
                <strong>{String(r.data.name ?? "")}</strong>
                {r.pendingCommand && <PendingTag />}
                <span class="muted">{String(r.data.tier ?? "")}</span>
                {groupOf.has(r.id) && <span class="tag">{groupOf.get(r.id)}</span>}
              </a>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

type ContactDraft = { name: string; phone: string; email: string };

const CONTACT_FIELDS = [
  ["name", "customer.contactName", "text"],
  ["phone", "customer.contactPhone", "tel"],
  ["email", "customer.contactEmail", "email"],
] as const;

export function CustomerNew() {
  const [contacts, setContacts] = useState<ContactDraft[]>([{ name: "", phone: "", email: "" }]);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const name = String(f.get("name") ?? "").trim();
    const taxId = String(f.get("taxId") ?? "").trim();
    const body = {
      ...(taxId ? { taxId } : { id: ulid() }),
      name,
      residency: String(f.get("residency") ?? "cn"),
      tier: String(f.get("tier") ?? "standard"),
      contacts: contacts
        .filter((c) => c.name.trim())
        .map((c) => ({
          name: c.name.trim(),
          ...(c.phone.trim() ? { phone: c.phone.trim() } : {}),
          ...(c.email.trim() ? { email: c.email.trim() } : {}),
        })),
    };
    try {
      const cmd = await enqueue({ kind: "customer.create", body }, name, [], (id) => ({
        kind: "customer",
        customerId: null,
        data: { ...body, id: `local:${id}`, ownerId: state.session?.user.id ?? null },
      }));
      await queued();
      go(`/customers/${encodeURIComponent(`local:${cmd.id}`)}`);
    } catch (err) {
      setError(err instanceof QueueFull ? queueFullMessage(err) : String(err));
    }
  };
  const set = (i: number, k: keyof ContactDraft, v: string) =>
    setContacts(contacts.map((c, j) => (j === i ? { ...c, [k]: v } : c)));
  return (
    <section class="card">
      <h1>{t("customer.new.title")}</h1>
      <form onSubmit={submit}>
        <label>
          {t("customer.name")}
          <input name="name" required maxLength={200} />
        </label>
        <label>
          {t("customer.taxId")}
          <input name="taxId" maxLength={40} pattern="[0-9A-Za-z][0-9A-Za-z .\-]{3,39}" />
        </label>
        <div class="two">
          <label>
            {t("customer.residency")}
            <select name="residency">
              <option value="cn">cn</option>
              <option value="eu">eu</option>
            </select>
          </label>
          <label>
            {t("customer.tier")}
            <select name="tier">
              <option value="standard">standard</option>
              <option value="key">key</option>
              <option value="strategic">strategic</option>
            </select>
          </label>
        </div>
        <fieldset>
          <legend>{t("customer.contacts")}</legend>
          {contacts.map((c, i) => (
            <div class="contact" key={i}>
              {CONTACT_FIELDS.map(([field, label, type]) => (
                <label key={field}>
                  {t(label)}
                  <input
                    type={type}
                    value={c[field]}
                    maxLength={field === "name" ? 120 : 254}
                    onInput={(e) => set(i, field, (e.target as HTMLInputElement).value)}
                  />
                </label>
              ))}
              {contacts.length > 1 && (
                <button
                  type="button"
                  class="secondary"
                  onClick={() => setContacts(contacts.filter((_, j) => j !== i))}
                >
                  {t("customer.removeContact")}
                </button>
              )}
            </div>
          ))}
          {contacts.length < 20 && (
            <button
              type="button"
              class="secondary"
              onClick={() => setContacts([...contacts, { name: "", phone: "", email: "" }])}
            >
              {t("customer.addContact")}
            </button>
          )}
        </fieldset>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit">{t("customer.create")}</button>
      </form>
    </section>
  );
}

export function CustomerDetail(props: { id: string }) {
  const s = useAppState();
  useEffect(() => {
    if (s.online && !props.id.startsWith("local:"))
      refreshCustomer(api, props.id).then(
        () => queued(),
        () => {},
      );
  }, [props.id, s.online]);
  const customer = useAsync(() => cachedRecord(props.id), [props.id]);
  const contracts = useAsync(() => cachedContracts(props.id), [props.id]) ?? [];
  if (customer === undefined) return <p class="hint">{t("customer.notFound")}</p>;
  // A local draft confirmed meanwhile: show it under its server id.
  if (customer.id !== props.id) {
    go(`/customers/${encodeURIComponent(customer.id)}`);
    return null;
  }
  return (
    <section>
      <div class="row">
        <h1>
          {String(customer.data.name ?? "")} {customer.pendingCommand && <PendingTag />}
        </h1>
        <a class="button" href={`#/customers/${encodeURIComponent(customer.id)}/contracts/new`}>
          {t("customer.newContract")}
        </a>
      </div>
      <Contacts record={customer} />
      <h2>{t("customer.contracts")}</h2>
      {contracts.length === 0 ? (
        <p class="hint">{t("customer.noContracts")}</p>
      ) : (
        <ul class="list" data-testid="contract-list">
          {contracts.map((c) => {
            const amount = c.data.amount as { value: number; currency: string } | undefined;
            return (
              <li key={c.id}>
                <a href={`#/contracts/${encodeURIComponent(c.id)}`}>
                  <strong>{String(c.data.title ?? "")}</strong>
                  <StatusTag
                    status={c.pendingCommand ? "pending" : String(c.data.status ?? "draft")}
                  />
                  {amount && (
                    <span class="muted">{formatAmount(amount.value, amount.currency, s.lang)}</span>
                  )}
                </a>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

function Contacts(props: { record: CachedRecord }) {
  const contacts =
    (props.record.data.contacts as Array<{ name: string; phone?: string; email?: string }>) ?? [];
  if (contacts.length === 0) return null;
  return (
    <ul class="contacts">
      {contacts.map((c, i) => (
        <li key={i}>
          {c.name}
          {c.phone && <span class="muted"> · {c.phone}</span>}
          {c.email && <span class="muted"> · {c.email}</span>}
        </li>
      ))}
    </ul>
  );
}
