// The portal's records as the customer sees them — orders, delivery milestones, invoices,
// payments, documents, service and change requests — used by the order's page and by the
// query's results alike. Each renders only the fields the server sent.

import { useState } from "preact/hooks";
import type {
  PortalContract,
  PortalDelivery,
  PortalDocument,
  PortalInvoice,
  PortalPayment,
  PortalServiceRequest,
} from "../api-types.ts";
import { formatDate, formatMoney, present, shortRef } from "../format.ts";
import { openDocumentFile, state, t } from "../state.ts";
import { Facts, Tag } from "./parts.tsx";

const date = (v: string | null | undefined) =>
  formatDate(v, state.lang, state.me?.timeZone ?? undefined);
const money = (m: Parameters<typeof formatMoney>[0]) => formatMoney(m, state.lang);

export function contractTitle(c: Pick<PortalContract, "id" | "title">): string {
  return present(c.title) ? c.title : t("contract.fallbackTitle", { ref: shortRef(c.id) });
}

export function contractHref(id: string): string {
  return `#/contracts/${encodeURIComponent(id)}`;
}

export function ContractRow(props: { contract: PortalContract }) {
  const c = props.contract;
  return (
    <li data-testid="order">
      <a href={contractHref(c.id)}>
        <strong>{contractTitle(c)}</strong>
        <Tag prefix="stage." value={c.stage} />
        <Tag prefix="contractStatus." value={c.status} />
        {money(c.amount) && <span class="muted">{money(c.amount)}</span>}
        {date(c.signedAt) && (
          <span class="muted small">
            {t("contract.signedAt")} {date(c.signedAt)}
          </span>
        )}
      </a>
    </li>
  );
}

/** The date a milestone is expected or reached, for ordering and for the progress line. */
function milestoneDate(d: PortalDelivery): string {
  return d.actualDate ?? d.committedDate ?? d.plannedDate ?? "";
}

const isDelivered = (d: PortalDelivery) => d.status === "delivered" || present(d.actualDate);

/** Delivery milestones as a progress line: reached ones filled, the rest in date order. */
export function DeliveryProgress(props: { deliveries: PortalDelivery[] }) {
  const steps = [...props.deliveries].sort((a, b) =>
    milestoneDate(a).localeCompare(milestoneDate(b)),
  );
  const done = steps.filter(isDelivered).length;
  if (steps.length === 0) return <p class="hint">{t("section.none")}</p>;
  const label = t("delivery.progress", { done, total: steps.length });
  return (
    <>
      <p class="progress-summary">
        <progress max={steps.length} value={done} aria-label={label} /> {label}
      </p>
      <ol class="milestones" data-testid="milestones">
        {steps.map((d) => (
          <DeliveryStep key={d.id} delivery={d} />
        ))}
      </ol>
    </>
  );
}

export function DeliveryStep(props: {
  delivery: PortalDelivery;
  withOrder?: OrderTitles | undefined;
}) {
  const d = props.delivery;
  const phase = isDelivered(d) ? "done" : d.status === "late" ? "late" : "todo";
  return (
    <li class={`milestone ${phase}`}>
      <div class="row">
        <strong>{present(d.name) ? d.name : t("resource.delivery")}</strong>
        <Tag prefix="delivery.status." value={d.status} />
      </div>
      <Facts
        rows={[
          [t("delivery.destination"), d.destination],
          [t("delivery.quantity"), present(d.quantity) ? String(d.quantity) : null],
          [t("delivery.planned"), date(d.plannedDate)],
          [t("delivery.committed"), date(d.committedDate)],
          [t("delivery.actual"), date(d.actualDate)],
        ]}
      />
      {props.withOrder && <OrderLink id={d.contractId} titles={props.withOrder} />}
    </li>
  );
}

export function InvoiceRow(props: { invoice: PortalInvoice; withOrder?: OrderTitles | undefined }) {
  const i = props.invoice;
  return (
    <li data-testid="invoice">
      <div class="row">
        <strong>{present(i.number) ? i.number : shortRef(i.id)}</strong>
        <Tag
          prefix="invoice.status."
          value={i.status}
          tone={i.status === "paid" ? "paid" : "due"}
        />
      </div>
      <Facts
        rows={[
          [t("contract.amount"), money(i.amount)],
          [t("invoice.issued"), date(i.issuedAt)],
          [t("invoice.due"), date(i.dueDate)],
          [t("invoice.paidAt"), date(i.paidAt)],
        ]}
      />
      {props.withOrder && <OrderLink id={i.contractId} titles={props.withOrder} />}
    </li>
  );
}

export function PaymentRow(props: { payment: PortalPayment; withOrder?: OrderTitles | undefined }) {
  const p = props.payment;
  return (
    <li data-testid="payment">
      <div class="row">
        <strong>{money(p.amount) ?? shortRef(p.id)}</strong>
        {p.hasVoucher === true && <span class="tag">{t("payment.voucher")}</span>}
      </div>
      <Facts
        rows={[
          [t("payment.reference"), p.reference],
          [t("payment.received"), date(p.receivedAt)],
        ]}
      />
      {props.withOrder && <OrderLink id={p.contractId} titles={props.withOrder} />}
    </li>
  );
}

/** Kinds whose file the region stores (images); the contract document is known by its hash only. */
const STORED_KINDS = new Set(["signature", "voucher"]);

export function DocumentRow(props: {
  document: PortalDocument;
  withOrder?: OrderTitles | undefined;
  /** The contract's policy grants download-document. */
  canDownload?: boolean | undefined;
}) {
  const d = props.document;
  const [failed, setFailed] = useState(false);
  const downloadable = props.canDownload && d.kind !== undefined && STORED_KINDS.has(d.kind);
  const kind = d.kind ? <Tag prefix="document.kind." value={d.kind} tone="kind" /> : null;
  return (
    <li data-testid="document">
      <div class="row">
        <strong>{present(d.title) ? d.title : shortRef(d.id)}</strong>
        {kind}
      </div>
      <Facts
        rows={[
          [t("document.created"), date(d.createdAt)],
          [
            t("document.fingerprint"),
            present(d.sha256) ? <code title={d.sha256}>{d.sha256.slice(0, 16)}…</code> : null,
          ],
        ]}
      />
      {downloadable && (
        <button
          type="button"
          class="secondary"
          onClick={async () => setFailed(!(await openDocumentFile(d.id)))}
        >
          {t("document.open")}
        </button>
      )}
      {failed && <p role="alert">{t("document.unavailable")}</p>}
      {props.withOrder && <OrderLink id={d.contractId} titles={props.withOrder} />}
    </li>
  );
}

export function ServiceRow(props: {
  request: PortalServiceRequest;
  withOrder?: OrderTitles | undefined;
}) {
  const r = props.request;
  return (
    <li data-testid="service-request">
      <div class="row">
        <strong>{present(r.title) ? r.title : shortRef(r.id)}</strong>
        <Tag prefix="service.status." value={r.status} />
      </div>
      <Facts
        rows={[
          [
            t("service.severity"),
            r.severity ? <Tag prefix="service.severity." value={r.severity} tone="kind" /> : null,
          ],
          [t("service.opened"), date(r.openedAt)],
          [t("service.resolved"), date(r.resolvedAt)],
        ]}
      />
      {present(r.resolution) && <p class="message">{r.resolution}</p>}
      {props.withOrder && <OrderLink id={r.contractId} titles={props.withOrder} />}
    </li>
  );
}

/** The customer's order titles by contract id, where known (the query box has the list). */
export type OrderTitles = ReadonlyMap<string, string>;

export function OrderLink(props: { id: string | null | undefined; titles?: OrderTitles }) {
  if (!props.id) return null;
  return (
    <a class="small" href={contractHref(props.id)}>
      {t("query.openOrder")} {props.titles?.get(props.id) ?? shortRef(props.id)}
    </a>
  );
}
