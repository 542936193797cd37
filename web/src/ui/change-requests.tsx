// A customer's change request as the group works it (DESIGN §11): what was asked, its SLA
// clock, the impact checklist each department completes (R&D, supply chain, quality), and
// the answer to the customer — feasible or not, a new committed date, a message.
import { useState } from "preact/hooks";
import { isKey, type Key } from "../app/i18n.ts";
import { cachedRecord } from "../app/records.ts";
import { api, t } from "../app/state.ts";
import { ActionKey } from "../portal/action-key.ts";
import {
  type AnswerRequest,
  CHECK_STATUSES,
  type CheckRequest,
  type CheckStatus,
  DEPARTMENTS,
  type Department,
  type SlaState,
  type StaffChangeRequest,
  type StaffContract,
} from "../portal/api-types.ts";
import { useAppState, useAsync } from "./hooks.ts";
import { failure, SlaBadge, useRemote, when, word, write } from "./workbench.tsx";

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

export function ChangeRequestScreen(props: { id: string }) {
  const path = `/v1/change-requests/${encodeURIComponent(props.id)}`;
  const cr = useRemote<StaffChangeRequest>(path);
  // The customer's name, the contract's title and its deliveries' names (a request names a
  // delivery by its milestone id): from the region, else the device; else the ids.
  const names = useAsync(async () => {
    if (!cr.data) return undefined;
    const [account, contract] = await Promise.all([
      read(`/v1/customers/${encodeURIComponent(cr.data.customerId)}`, cr.data.customerId),
      read(`/v1/contracts/${encodeURIComponent(cr.data.contractId)}`, cr.data.contractId),
    ]);
    const milestones = Array.isArray(contract?.milestones)
      ? (contract.milestones as Array<Partial<Milestone>>)
      : [];
    return {
      account: textOrNull(account?.name),
      contract: textOrNull(contract?.title),
      deliveries: new Map(
        milestones.flatMap((m) =>
          typeof m.id === "string"
            ? [[m.id, [m.name, m.destination].filter(text).join(" · ")] as const]
            : [],
        ),
      ),
    };
  }, [cr.data?.customerId, cr.data?.contractId]);
  if (!cr.data)
    return (
      <section>
        <h1>{t("cr.title")}</h1>
        {cr.error ? (
          <div role="alert">
            <p class="error">{cr.error}</p>
            <button type="button" class="secondary" onClick={cr.reload}>
              {t("groups.retry")}
            </button>
          </div>
        ) : (
          <p class="hint">…</p>
        )}
      </section>
    );
  const c = cr.data;
  const checks = DEPARTMENTS.map((d) => c.checklist?.[d]?.status ?? "pending");
  const done = checks.filter((s) => s !== "pending").length;
  const requested = Object.entries(c.requested ?? {});
  return (
    <section data-testid="change-request">
      <p>
        <a href="#/groups">← {t("cr.back")}</a>
      </p>
      <h1>
        {word("cr.kind.", c.kind)}
        {c.summary ? `: ${c.summary}` : ""}
      </h1>
      <p>
        <span class={`tag ${c.status}`}>{word("cr.status.", c.status)}</span>{" "}
        {c.status === "open" && <SlaBadge cr={{ ...c, sla: marked(c) }} />}
      </p>
      <dl class="facts">
        <div>
          <dt>{t("cr.account")}</dt>
          <dd>
            <a href={`#/customers/${encodeURIComponent(c.customerId)}`}>
              {names?.account || c.customerId}
            </a>
          </dd>
        </div>
        <div>
          <dt>{t("cr.contract")}</dt>
          <dd>
            <a href={`#/contracts/${encodeURIComponent(c.contractId)}`}>
              {names?.contract || c.contractId}
            </a>
          </dd>
        </div>
        <div>
          <dt>{t("cr.filed")}</dt>
          <dd>{when(c.filedAt)}</dd>
        </div>
        {requested.map(([k, v]) => (
          <div key={k}>
            <dt>{isKey(`req.${k}`) ? t(`req.${k}` as Key) : k}</dt>
            <dd>
              {k === "deliveryId" ? names?.deliveries.get(v) || v : DATE_ONLY.test(v) ? when(v) : v}
            </dd>
          </div>
        ))}
      </dl>
      <h2>{t("cr.checklist")}</h2>
      <p class="muted">{t("cr.checked", { done, total: DEPARTMENTS.length })}</p>
      {DEPARTMENTS.map((d) => (
        <CheckForm
          key={d}
          path={path}
          department={d}
          check={c.checklist?.[d]}
          locked={c.status !== "open"}
          onSaved={cr.reload}
        />
      ))}
      <h2>{t("answer.title")}</h2>
      {c.answer ? (
        <div class="card" data-testid="answer">
          <p>
            <strong>{t("answer.given")}:</strong>{" "}
            <span class={`tag ${c.answer.feasible ? "paid" : "due"}`}>
              {t(c.answer.feasible ? "answer.feasibleYes" : "answer.feasibleNo")}
            </span>{" "}
            <span class="muted small">{when(c.answer.answeredAt)}</span>
          </p>
          {c.answer.newCommittedDate && (
            <p>{t("answer.newCommitted", { date: when(c.answer.newCommittedDate) })}</p>
          )}
          {c.answer.message && <p class="message">{c.answer.message}</p>}
        </div>
      ) : (
        c.status === "open" && (
          <AnswerForm path={path} pendingChecks={done < DEPARTMENTS.length} onSent={cr.reload} />
        )
      )}
    </section>
  );
}

/** The SLA state the clock marked (a state only gets worse while the request is open). */
function marked(c: StaffChangeRequest): SlaState | undefined {
  if (c.slaMarks.violation) return "violated";
  return c.slaMarks.warning ? "warning" : undefined;
}

type Milestone = StaffContract["milestones"][number];

const text = (v: unknown): v is string => typeof v === "string" && v !== "";
const textOrNull = (v: unknown): string | null => (text(v) ? v : null);

/** A record as the region has it now, else as the device last saw it; null when neither has it. */
async function read(path: string, id: string): Promise<Record<string, unknown> | null> {
  const a = await api.request({ method: "GET", path }).catch(() => null);
  if (a?.status === 200 && a.body && typeof a.body === "object")
    return a.body as Record<string, unknown>;
  return (await cachedRecord(id))?.data ?? null;
}

function CheckForm(props: {
  path: string;
  department: Department;
  check: StaffChangeRequest["checklist"][Department];
  locked: boolean;
  onSaved: () => void;
}) {
  const s = useAppState();
  const [keys] = useState(() => new ActionKey());
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const name = word("dept.", props.department);
  const [status, setStatus] = useState<CheckStatus>(props.check?.status ?? "pending");
  const [note, setNote] = useState(props.check?.note ?? "");
  const submit = async (e: Event) => {
    e.preventDefault();
    const body: CheckRequest = { status, note: note.trim() };
    setBusy(true);
    setMessage(null);
    const r = await write(keys, {
      method: "PUT",
      path: `${props.path}/checklist/${props.department}`,
      json: body,
    });
    setBusy(false);
    if (r?.status === 200 || r?.status === 204) {
      setMessage({ text: t("check.saved"), error: false });
      props.onSaved();
    } else setMessage({ text: failure(r), error: true });
  };
  return (
    <form class="check" onSubmit={submit} data-department={props.department}>
      <fieldset disabled={props.locked}>
        <legend>{name}</legend>
        <label>
          {t("check.status")}
          <select
            name="status"
            value={status}
            onChange={(e) => setStatus((e.target as HTMLSelectElement).value as CheckStatus)}
          >
            {CHECK_STATUSES.map((st) => (
              <option key={st} value={st}>
                {word("check.", st)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("check.note")}
          <textarea
            name="note"
            rows={2}
            maxLength={1000}
            value={note}
            onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)}
          />
        </label>
        <button type="submit" class="secondary" disabled={busy || !s.online}>
          {t("check.save", { department: name })}
        </button>
        {message && (
          <p class={message.error ? "error" : "muted"} role={message.error ? "alert" : "status"}>
            {message.text}
          </p>
        )}
      </fieldset>
    </form>
  );
}

function AnswerForm(props: { path: string; pendingChecks: boolean; onSent: () => void }) {
  const s = useAppState();
  const [keys] = useState(() => new ActionKey());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const date = String(f.get("newCommittedDate") ?? "").trim();
    const body: AnswerRequest = {
      feasible: f.get("feasible") === "yes",
      newCommittedDate: date || null,
      message: String(f.get("message") ?? "").trim(),
    };
    setBusy(true);
    setError(null);
    const r = await write(keys, { method: "POST", path: `${props.path}/answer`, json: body });
    setBusy(false);
    if (r?.status === 200 || r?.status === 201) props.onSent();
    else setError(failure(r));
  };
  return (
    <form class="card" onSubmit={submit} data-testid="answer-form">
      {props.pendingChecks && <p class="hint">{t("answer.pendingChecks")}</p>}
      <fieldset>
        <legend>{t("answer.feasible")}</legend>
        <label class="choice">
          <input type="radio" name="feasible" value="yes" required /> {t("answer.yes")}
        </label>
        <label class="choice">
          <input type="radio" name="feasible" value="no" required /> {t("answer.no")}
        </label>
      </fieldset>
      <label>
        {t("answer.newDate")}
        <input name="newCommittedDate" type="date" />
      </label>
      <label>
        {t("answer.message")}
        <textarea name="message" rows={3} required maxLength={2000} />
      </label>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy || !s.online}>
        {t("answer.send")}
      </button>
    </form>
  );
}
