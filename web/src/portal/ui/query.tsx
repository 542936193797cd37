// The query box: a question in the user's words becomes a filter the server shows back;
// the portal renders it as chips the user can remove (re-run as a filter), the results,
// suggestions when it was not understood (one click runs one), or a calm word when the
// question asks about something not shared with this customer.
import { useState } from "preact/hooks";
import type { AnyPortalRecord, PortalRecord, QueryAnswer, QueryRequest } from "../api-types.ts";
import { Unreachable } from "../client.ts";
import { formatDate, formatMajor, present } from "../format.ts";
import { chipsOf, statusWord, word } from "../query.ts";
import { request, state, t } from "../state.ts";
import { usePortal } from "./hooks.ts";
import { replyMessage } from "./parts.tsx";
import {
  ContractRow,
  DeliveryStep,
  DocumentRow,
  InvoiceRow,
  OrderLink,
  type OrderTitles,
  PaymentRow,
  ServiceRow,
} from "./records.tsx";

/** `titles`: the customer's order titles, so a result names its order. */
export function QueryBox(props: { titles: OrderTitles }) {
  const s = usePortal();
  const [text, setText] = useState("");
  const [answer, setAnswer] = useState<QueryAnswer | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async (q: QueryRequest) => {
    setBusy(true);
    setError(null);
    try {
      const r = await request({ method: "POST", path: "/v1/portal/query", json: q });
      if (r.status === 200) setAnswer(r.body as QueryAnswer);
      else {
        setAnswer(null);
        setError(replyMessage(r));
      }
    } catch (err) {
      if (!(err instanceof Unreachable)) throw err;
      setError(t("common.unreachable"));
    } finally {
      setBusy(false);
    }
  };
  const submit = (e: Event) => {
    e.preventDefault();
    if (text.trim()) void run({ text: text.trim() });
  };
  return (
    <section class="card query">
      <form onSubmit={submit}>
        <label id="query-label" for="query-text">
          {t("query.label")}
        </label>
        <div class="query-row">
          <input
            id="query-text"
            name="q"
            type="search"
            placeholder={t("query.placeholder")}
            maxLength={500}
            value={text}
            onInput={(e) => setText((e.target as HTMLInputElement).value)}
          />
          <button type="submit" disabled={busy}>
            {t("query.submit")}
          </button>
        </div>
      </form>
      <div aria-live="polite" aria-busy={busy} data-testid="query-answer">
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        {answer && (
          <Answer
            answer={answer}
            titles={props.titles}
            lang={s.lang}
            run={run}
            ask={(q) => {
              setText(q);
              void run({ text: q });
            }}
          />
        )}
      </div>
    </section>
  );
}

function Answer(props: {
  answer: QueryAnswer;
  titles: OrderTitles;
  lang: string;
  run: (q: QueryRequest) => void;
  ask: (text: string) => void;
}) {
  const a = props.answer;
  if (a.kind === "unknown")
    return (
      <div class="suggestions">
        <p>{t("query.unknown")}</p>
        <ul class="list plain">
          {a.suggestions.map((s) => (
            <li key={s}>
              <button type="button" class="secondary" onClick={() => props.ask(s)}>
                {s}
              </button>
            </li>
          ))}
        </ul>
      </div>
    );
  if (a.kind === "refused")
    return (
      <p class="calm" role="status">
        {t("query.refused", { field: word(t, `field.${a.field}`, a.field) })}
      </p>
    );
  const chips = chipsOf(a.filter, {
    t,
    date: (iso) => formatDate(iso, props.lang, state.me?.timeZone) ?? iso,
    money: (major, currency) => formatMajor(major, currency, props.lang),
  });
  const understood = props.lang === "zh-CN" ? a.understood.zh : a.understood.en;
  return (
    <div>
      {understood && <p class="muted">{t("query.understood", { text: understood })}</p>}
      <ul class="chips filter" aria-label={t("query.filter")}>
        {chips.map((c) => (
          <li key={c.id}>
            <span class="chip-label">{c.label}</span>
            {c.without && (
              <button
                type="button"
                class="chip-remove"
                aria-label={t("query.remove", { what: c.label })}
                onClick={() => props.run({ filter: c.without! })}
              >
                ×
              </button>
            )}
          </li>
        ))}
      </ul>
      <p class="small muted" role="status">
        {a.items.length === 0 ? t("query.none") : t("query.count", { count: a.items.length })}
      </p>
      <Results resource={a.filter.resource} items={a.items} titles={props.titles} />
    </div>
  );
}

function Results(props: { resource: string; items: AnyPortalRecord[]; titles: OrderTitles }) {
  if (props.items.length === 0) return null;
  // The items are records of the filter's resource: each list reads them as such.
  const items = props.items as never[];
  switch (props.resource) {
    case "contract":
      return (
        <ul class="list" data-testid="query-results">
          {items.map((i: PortalRecord<"contract">) => (
            <ContractRow key={i.id} contract={i} />
          ))}
        </ul>
      );
    case "delivery":
      return (
        <ol class="milestones" data-testid="query-results">
          {items.map((i: PortalRecord<"delivery">) => (
            <DeliveryStep key={i.id} delivery={i} withOrder={props.titles} />
          ))}
        </ol>
      );
    case "invoice":
      return (
        <ul class="list" data-testid="query-results">
          {items.map((i: PortalRecord<"invoice">) => (
            <InvoiceRow key={i.id} invoice={i} withOrder={props.titles} />
          ))}
        </ul>
      );
    case "payment":
      return (
        <ul class="list" data-testid="query-results">
          {items.map((i: PortalRecord<"payment">) => (
            <PaymentRow key={i.id} payment={i} withOrder={props.titles} />
          ))}
        </ul>
      );
    case "document":
      return (
        <ul class="list" data-testid="query-results">
          {items.map((i: PortalRecord<"document">) => (
            <DocumentRow key={i.id} document={i} withOrder={props.titles} />
          ))}
        </ul>
      );
    case "service-request":
      return (
        <ul class="list" data-testid="query-results">
          {items.map((i: PortalRecord<"service-request">) => (
            <ServiceRow key={i.id} request={i} withOrder={props.titles} />
          ))}
        </ul>
      );
    default:
      // Change requests: what was asked, its status, and its order.
      return (
        <ul class="list" data-testid="query-results">
          {items.map((i: PortalRecord<"change-request">) => (
            <li key={i.id}>
              <strong>
                {present(i.summary)
                  ? i.summary
                  : i.kind
                    ? word(t, `cr.kind.${i.kind}`, i.kind)
                    : t("resource.change-request")}
              </strong>{" "}
              {i.status && <span class="tag">{statusWord(t, props.resource, i.status)}</span>}{" "}
              <OrderLink id={i.contractId} titles={props.titles} />
            </li>
          ))}
        </ul>
      );
  }
}
