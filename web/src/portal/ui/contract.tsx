// One order as the customer sees it: its facts, delivery progress, documents, invoices,
// payments and change requests. A section the visibility policy does not grant is absent
// from the answer and is not rendered at all; a granted one with no records says so.
import type { ComponentChildren } from "preact";
import type { PortalContractDetail } from "../api-types.ts";
import { formatDate, formatMoney } from "../format.ts";
import { t } from "../state.ts";
import { ChangeRequestCard, NewRequestLink } from "./change-requests.tsx";
import { useLoad, usePortal } from "./hooks.ts";
import { Facts, FailureNote, Loading, Tag } from "./parts.tsx";
import {
  contractTitle,
  DeliveryProgress,
  DocumentRow,
  InvoiceRow,
  PaymentRow,
  ServiceRow,
} from "./records.tsx";

function Section(props: {
  title: string;
  id: string;
  empty: boolean;
  children: ComponentChildren;
}) {
  return (
    <section aria-labelledby={props.id} data-testid={props.id}>
      <h2 id={props.id}>{props.title}</h2>
      {props.empty ? <p class="hint">{t("section.none")}</p> : props.children}
    </section>
  );
}

export function ContractDetail(props: { id: string }) {
  const s = usePortal();
  const load = useLoad<PortalContractDetail>(
    `/v1/portal/contracts/${encodeURIComponent(props.id)}`,
  );
  if (load.failure) return <FailureNote failure={load.failure} retry={load.reload} />;
  if (!load.data) return <Loading />;
  const d = load.data;
  const c = d.contract;
  const tz = s.me?.timeZone;
  const title = contractTitle(c);
  return (
    <section>
      <p>
        <a href="#/">← {t("common.back")}</a>
      </p>
      <div class="row">
        <h1>{title}</h1>
        {d.actions.includes("file-change-request") && (
          <NewRequestLink
            readOnly={s.readOnly}
            href={`#/change-requests/new?contract=${encodeURIComponent(c.id)}`}
          />
        )}
      </div>
      <p>
        <Tag prefix="stage." value={c.stage} /> <Tag prefix="contractStatus." value={c.status} />
      </p>
      <Facts
        rows={[
          [t("contract.amount"), formatMoney(c.amount, s.lang)],
          [t("contract.signedAt"), formatDate(c.signedAt, s.lang, tz)],
        ]}
      />
      {d.deliveries && (
        <Section title={t("delivery.title")} id="deliveries" empty={false}>
          <DeliveryProgress deliveries={d.deliveries} />
        </Section>
      )}
      {d.documents && (
        <Section title={t("document.title")} id="documents" empty={d.documents.length === 0}>
          <ul class="list">
            {d.documents.map((x) => (
              <DocumentRow
                key={x.id}
                document={x}
                canDownload={d.actions.includes("download-document")}
              />
            ))}
          </ul>
        </Section>
      )}
      {d.invoices && (
        <Section title={t("invoice.title")} id="invoices" empty={d.invoices.length === 0}>
          <ul class="list">
            {d.invoices.map((x) => (
              <InvoiceRow key={x.id} invoice={x} />
            ))}
          </ul>
        </Section>
      )}
      {d.payments && (
        <Section title={t("payment.title")} id="payments" empty={d.payments.length === 0}>
          <ul class="list">
            {d.payments.map((x) => (
              <PaymentRow key={x.id} payment={x} />
            ))}
          </ul>
        </Section>
      )}
      {d.serviceRequests && (
        <Section
          title={t("service.title")}
          id="service-requests"
          empty={d.serviceRequests.length === 0}
        >
          <ul class="list">
            {d.serviceRequests.map((x) => (
              <ServiceRow key={x.id} request={x} />
            ))}
          </ul>
        </Section>
      )}
      {d.changeRequests && (
        <Section title={t("cr.title")} id="change-requests" empty={d.changeRequests.length === 0}>
          {d.changeRequests.map((x) => (
            <ChangeRequestCard
              key={x.id}
              cr={x}
              level={3}
              deliveries={d.deliveries}
              canRespond={d.actions.includes("respond-to-answer")}
              onChanged={load.reload}
            />
          ))}
        </Section>
      )}
    </section>
  );
}
