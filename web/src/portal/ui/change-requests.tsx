// Change requests from the customer's side: the list with each one's SLA countdown and the
// group's answer to accept or decline, the same card on the order's page, and the form to
// file one. Writes carry one Idempotency-Key per action and pause under portal-read-only.
import { useState } from "preact/hooks";
import { ActionKey } from "../action-key.ts";
import {
  CHANGE_KINDS,
  type ChangeKind,
  type FileChangeRequest,
  type PortalChangeRequest,
  type PortalContract,
  type PortalContractDetail,
  type PortalDelivery,
} from "../api-types.ts";
import { Unreachable } from "../client.ts";
import { formatDate, present, shortRef } from "../format.ts";
import { isKey, type Key } from "../i18n.ts";
import { request, state, t, update } from "../state.ts";
import { go, useLoad, usePortal } from "./hooks.ts";
import { Countdown, Facts, FailureNote, Loading, replyMessage, Tag } from "./parts.tsx";
import { contractHref, contractTitle } from "./records.tsx";

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const date = (v: string | null | undefined) =>
  formatDate(v, state.lang, state.me?.timeZone ?? undefined);

function deliveryLabel(d: PortalDelivery): string {
  return [d.name, d.destination].filter(present).join(" · ") || shortRef(d.id);
}

/** Open first (soonest due first), then waiting for the customer, then the rest, newest first. */
function byUrgency(a: PortalChangeRequest, b: PortalChangeRequest): number {
  const rank = (c: PortalChangeRequest) =>
    c.status === "open" ? 0 : c.status === "answered" ? 1 : 2;
  if (rank(a) !== rank(b)) return rank(a) - rank(b);
  if (a.status === "open") return (a.slaDueAt ?? "").localeCompare(b.slaDueAt ?? "");
  return (b.filedAt ?? "").localeCompare(a.filedAt ?? "");
}

export function ChangeRequestCard(props: {
  cr: PortalChangeRequest;
  level: 2 | 3;
  orderTitle?: string | undefined;
  deliveries?: PortalDelivery[] | undefined;
  canRespond: boolean;
  onChanged: () => void;
}) {
  const s = usePortal();
  const c = props.cr;
  const [keys] = useState(() => new ActionKey());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const Heading = props.level === 2 ? "h2" : "h3";
  const headingId = `cr-${c.id}`;
  const respond = async (decision: "accepted" | "declined") => {
    const body = { decision };
    setBusy(true);
    setError(null);
    try {
      const r = await request({
        method: "POST",
        path: `/v1/portal/change-requests/${encodeURIComponent(c.id)}/response`,
        json: body,
        idempotencyKey: keys.for(body),
      });
      keys.settle(r.status);
      if (r.status === 200) props.onChanged();
      else setError(replyMessage(r));
    } catch (err) {
      if (!(err instanceof Unreachable)) throw err;
      keys.settle(null);
      setError(t("common.unreachable"));
    } finally {
      setBusy(false);
    }
  };
  const requested = Object.entries(c.requested ?? {}).map(([k, v]): [string, string] => {
    const label = isKey(`cr.req.${k}`) ? t(`cr.req.${k}` as Key) : k;
    if (k === "deliveryId") {
      // Named only where the order's deliveries are known: a bare id tells the customer nothing.
      const d = props.deliveries?.find((x) => x.id === v);
      return [label, d ? deliveryLabel(d) : ""];
    }
    return [label, DATE_ONLY.test(v) ? (date(v) ?? v) : v];
  });
  return (
    <article class="card cr" aria-labelledby={headingId} data-testid="change-request">
      <div class="row">
        <Heading id={headingId}>
          <Tag prefix="cr.kind." value={c.kind} tone="kind" />{" "}
          {present(c.summary) ? c.summary : t("cr.untitled")}
        </Heading>
        <Tag prefix="cr.status." value={c.status} />
      </div>
      {c.status === "open" && <Countdown dueAt={c.slaDueAt} />}
      <Facts
        rows={[
          [
            t("cr.order"),
            props.orderTitle ? <a href={contractHref(c.contractId)}>{props.orderTitle}</a> : null,
          ],
          ...requested,
          [t("cr.filed"), date(c.filedAt)],
          [t("cr.responded"), date(c.respondedAt)],
        ]}
      />
      {c.answer && (
        <section class="answer" aria-label={t("cr.answer")}>
          <p>
            <strong>{t("cr.answer")}:</strong>{" "}
            <span class={`tag ${c.answer.feasible ? "paid" : "due"}`}>
              {c.answer.feasible ? t("cr.feasible") : t("cr.notFeasible")}
            </span>
          </p>
          <Facts
            rows={[
              [t("cr.newCommitted"), date(c.answer.newCommittedDate)],
              [t("cr.answeredAt"), date(c.answer.answeredAt)],
            ]}
          />
          {present(c.answer.message) && <p class="message">{c.answer.message}</p>}
          {c.status === "answered" && props.canRespond && (
            <div class="row actions">
              <button
                type="button"
                disabled={busy || s.readOnly}
                onClick={() => respond("accepted")}
              >
                {t("cr.accept")}
              </button>
              <button
                type="button"
                class="secondary"
                disabled={busy || s.readOnly}
                onClick={() => respond("declined")}
              >
                {t("cr.decline")}
              </button>
            </div>
          )}
        </section>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </article>
  );
}

export function ChangeRequestList() {
  const s = usePortal();
  const list = useLoad<{ items: PortalChangeRequest[] }>("/v1/portal/change-requests");
  const contracts = useLoad<{ items: PortalContract[] }>("/v1/portal/contracts");
  const titles = new Map((contracts.data?.items ?? []).map((c) => [c.id, contractTitle(c)]));
  const mayFile = s.me?.actions.includes("file-change-request") ?? false;
  const items = [...(list.data?.items ?? [])].sort(byUrgency);
  return (
    <section>
      <div class="row">
        <h1>{t("cr.title")}</h1>
        {mayFile && <NewRequestLink readOnly={s.readOnly} href="#/change-requests/new" />}
      </div>
      {list.loading && !list.data && <Loading />}
      {list.failure && <FailureNote failure={list.failure} retry={list.reload} />}
      {list.data && items.length === 0 && <p class="hint">{t("cr.empty")}</p>}
      {items.map((c) => (
        <ChangeRequestCard
          key={c.id}
          cr={c}
          level={2}
          orderTitle={titles.get(c.contractId)}
          canRespond={s.me?.actions.includes("respond-to-answer") ?? false}
          onChanged={list.reload}
        />
      ))}
    </section>
  );
}

/** A link to the form, or a disabled button while changes are paused. */
export function NewRequestLink(props: { href: string; readOnly: boolean }) {
  if (props.readOnly)
    return (
      <button type="button" disabled>
        {t("cr.new")}
      </button>
    );
  return (
    <a class="button" href={props.href}>
      {t("cr.new")}
    </a>
  );
}

/** What each kind asks for; the keys are the ones `requested` carries on the wire. */
function requestedFields(kind: ChangeKind, f: FormData): Record<string, string> {
  const out: Record<string, string> = {};
  const put = (key: string, field: string) => {
    const v = String(f.get(field) ?? "").trim();
    if (v) out[key] = v;
  };
  if (kind === "delivery-date") put("date", "newDate");
  if (kind === "address") put("address", "newAddress");
  if (kind === "contact") {
    put("name", "contactName");
    put("phone", "contactPhone");
    put("email", "contactEmail");
  }
  if (kind === "quantity") put("quantity", "newQuantity");
  if (kind !== "contact" && kind !== "scope") put("deliveryId", "deliveryId");
  return out;
}

function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

export function ChangeRequestForm(props: { contractId: string | null }) {
  const s = usePortal();
  const contracts = useLoad<{ items: PortalContract[] }>("/v1/portal/contracts");
  const [chosen, setChosen] = useState<string | null>(props.contractId);
  const contractId = chosen ?? contracts.data?.items[0]?.id ?? null;
  const detail = useLoad<PortalContractDetail>(
    contractId ? `/v1/portal/contracts/${encodeURIComponent(contractId)}` : null,
  );
  const [kind, setKind] = useState<ChangeKind>("delivery-date");
  const [keys] = useState(() => new ActionKey());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const allowed = detail.data?.actions.includes("file-change-request") ?? false;
  const deliveries = detail.data?.deliveries ?? [];
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!contractId) return;
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const body: FileChangeRequest = {
      contractId,
      kind,
      summary: String(f.get("summary") ?? "").trim(),
      requested: requestedFields(kind, f),
    };
    setBusy(true);
    setError(null);
    try {
      const r = await request({
        method: "POST",
        path: "/v1/portal/change-requests",
        json: body,
        idempotencyKey: keys.for(body),
      });
      keys.settle(r.status);
      if (r.status === 201 || r.status === 200) {
        const route = `/contracts/${encodeURIComponent(contractId)}`;
        update({ notice: { text: t("form.filed"), route, tone: "info" } });
        go(route);
      } else setError(replyMessage(r));
    } catch (err) {
      if (!(err instanceof Unreachable)) throw err;
      keys.settle(null);
      setError(t("common.unreachable"));
    } finally {
      setBusy(false);
    }
  };
  if (contracts.failure)
    return <FailureNote failure={contracts.failure} retry={contracts.reload} />;
  if (!contracts.data) return <Loading />;
  const withDelivery = kind !== "contact" && kind !== "scope" && deliveries.length > 0;
  return (
    <section class="card">
      <h1>{t("form.title")}</h1>
      <form onSubmit={submit}>
        <label>
          {t("form.order")}
          <select
            name="contractId"
            value={contractId ?? ""}
            onChange={(e) => setChosen((e.target as HTMLSelectElement).value)}
          >
            {contracts.data.items.map((c) => (
              <option key={c.id} value={c.id}>
                {contractTitle(c)}
              </option>
            ))}
          </select>
        </label>
        {detail.data && !allowed && (
          <p class="hint" role="status">
            {t("form.notAllowed")}
          </p>
        )}
        <label>
          {t("form.kind")}
          <select
            name="kind"
            value={kind}
            onChange={(e) => setKind((e.target as HTMLSelectElement).value as ChangeKind)}
          >
            {CHANGE_KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`cr.kind.${k}` as Key)}
              </option>
            ))}
          </select>
        </label>
        {withDelivery && (
          <label>
            {t("form.delivery")}
            <select name="deliveryId">
              <option value="">{t("form.anyDelivery")}</option>
              {deliveries.map((d) => (
                <option key={d.id} value={d.id}>
                  {deliveryLabel(d)}
                </option>
              ))}
            </select>
          </label>
        )}
        {kind === "delivery-date" && (
          <label>
            {t("form.newDate")}
            <input name="newDate" type="date" required min={today()} />
          </label>
        )}
        {kind === "address" && (
          <label>
            {t("form.newAddress")}
            <textarea name="newAddress" required maxLength={500} rows={2} />
          </label>
        )}
        {kind === "contact" && (
          <>
            <label>
              {t("form.contactName")}
              <input name="contactName" required maxLength={120} autocomplete="name" />
            </label>
            <label>
              {t("form.contactPhone")}
              <input name="contactPhone" type="tel" maxLength={40} autocomplete="tel" />
            </label>
            <label>
              {t("form.contactEmail")}
              <input name="contactEmail" type="email" maxLength={254} autocomplete="email" />
            </label>
          </>
        )}
        {kind === "quantity" && (
          <label>
            {t("form.newQuantity")}
            <input name="newQuantity" type="number" inputMode="numeric" min={1} step={1} required />
          </label>
        )}
        <label>
          {t("form.summary")}
          <textarea name="summary" required maxLength={1000} rows={3} />
        </label>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy || s.readOnly || !allowed}>
          {t("form.submit")}
        </button>
      </form>
    </section>
  );
}
