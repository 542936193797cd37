// The customer success group's workbench (DESIGN §11), for its members: the group's KPIs
// (health per account with its weighted components, cross-sell, service resolution,
// recommendation adoption with its interval), open change requests on their SLA clocks and
// open approvals to decide. Online only: these are live figures, not the rep's cache.
import { useEffect, useState } from "preact/hooks";
import { type Answer, Unreachable } from "../app/api.ts";
import { problemOf } from "../app/commands.ts";
import { isKey, type Key } from "../app/i18n.ts";
import { formatAmount } from "../app/money.ts";
import { cachedGroups, cachedRecord, refreshGroups } from "../app/records.ts";
import { api, state, t } from "../app/state.ts";
import { ActionKey } from "../portal/action-key.ts";
import type {
  Approval,
  ApprovalDecisionAnswer,
  ApprovalDecisionRequest,
  ChiPart,
  MyGroup,
  SlaState,
  WorkbenchAccount,
  WorkbenchChangeRequest,
  Workbench as WorkbenchData,
} from "../portal/api-types.ts";
import { formatDuration, slaState, timeLeft } from "../portal/sla.ts";
import { go, useAppState, useAsync } from "./hooks.ts";
import { problemMessage } from "./parts.tsx";

/** A dictionary word for `prefix + value` (camelCase values read as kebab-case), else the value. */
export function word(prefix: string, value: string): string {
  const key = `${prefix}${value.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  return isKey(key) ? t(key as Key) : value;
}

export function when(iso: string | null | undefined): string {
  if (!iso) return "";
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return /^\d{4}-\d{2}-\d{2}$/.test(iso)
    ? new Intl.DateTimeFormat(state.lang, { dateStyle: "medium", timeZone: "UTC" }).format(ms)
    : new Intl.DateTimeFormat(state.lang, { dateStyle: "medium", timeStyle: "short" }).format(ms);
}

const percent = (share: number | null) =>
  share === null || !Number.isFinite(share)
    ? null
    : new Intl.NumberFormat(state.lang, { style: "percent", maximumFractionDigits: 0 }).format(
        share,
      );

const hours = (n: number | null) =>
  n === null ? "—" : t("kpi.hours", { n: Math.round(n * 10) / 10 });

/** The time now, refreshed every `everyMs` (countdowns change once a minute). */
export function useNow(everyMs = 20_000): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

/** An open request's SLA: its state as a tag and the time left (or past due). */
export function SlaBadge(props: {
  cr: { slaDueAt: string; slaWarnAt?: string | undefined; sla?: SlaState | undefined };
}) {
  const now = useNow();
  const sla = slaState(props.cr, now);
  const left = timeLeft(props.cr.slaDueAt, now);
  return (
    <span class="sla-badge" data-sla={sla}>
      <span class={`tag ${sla}`}>{t(`sla.${sla}`)}</span>{" "}
      {left && (
        <time
          class={`sla ${left.overdue ? "sla-overdue" : "sla-open"}`}
          dateTime={props.cr.slaDueAt}
        >
          {t(left.overdue ? "sla.overdueBy" : "sla.dueIn", {
            time: formatDuration(left.ms, state.lang),
          })}
        </time>
      )}
    </span>
  );
}

/** What went wrong with a request, in the rep's language. */
export function failure(a: Answer | null): string {
  if (a === null) return t("groups.offline");
  return problemMessage(problemOf(a.status, a.body));
}

/** One write of a user action: its Idempotency-Key is reused while the action is retried. */
export async function write(
  keys: ActionKey,
  spec: { method: "POST" | "PUT"; path: string; json: unknown },
): Promise<Answer | null> {
  try {
    const a = await api.request({
      ...spec,
      headers: { "idempotency-key": keys.for([spec.path, spec.json]) },
    });
    keys.settle(a.status);
    return a;
  } catch (err) {
    if (!(err instanceof Unreachable) && !(err instanceof TypeError)) throw err;
    keys.settle(null);
    return null;
  }
}

/** GET `path` while online; `error` says why there is nothing to show. */
export function useRemote<T>(path: string): {
  data: T | undefined;
  error: string | null;
  reload: () => void;
} {
  const s = useAppState();
  const [round, setRound] = useState(0);
  const [out, setOut] = useState<{ data: T | undefined; error: string | null }>({
    data: undefined,
    error: null,
  });
  useEffect(() => {
    if (!s.online) {
      setOut((o) => ({ ...o, error: t("groups.offline") }));
      return;
    }
    let live = true;
    api.request({ method: "GET", path }).then(
      (a) => {
        if (!live) return;
        if (a.status === 200) setOut({ data: a.body as T, error: null });
        else setOut({ data: undefined, error: failure(a) });
      },
      () => live && setOut((o) => ({ ...o, error: t("groups.offline") })),
    );
    return () => {
      live = false;
    };
  }, [path, s.online, round]);
  return { ...out, reload: () => setRound((n) => n + 1) };
}

/** #/groups: the rep's groups; straight to the workbench when there is only one. */
export function Groups() {
  const s = useAppState();
  const userId = s.session?.user.id ?? "";
  const [groups, setGroups] = useState<MyGroup[] | null>(null);
  useEffect(() => {
    const load = s.online
      ? refreshGroups(api, userId).catch(() => cachedGroups(userId))
      : cachedGroups(userId);
    load.then((g) => {
      if (g.length === 1) go(`/groups/${encodeURIComponent(g[0]!.groupId)}`);
      else setGroups(g);
    });
  }, [userId, s.online]);
  if (!groups) return <p class="hint">…</p>;
  return (
    <section>
      <h1>{t("groups.title")}</h1>
      {groups.length === 0 ? (
        <p class="hint">{t("groups.empty")}</p>
      ) : (
        <ul class="list">
          {groups.map((g) => (
            <li key={g.groupId}>
              <a href={`#/groups/${encodeURIComponent(g.groupId)}`}>
                <strong>{g.name}</strong>
                <span class="muted">{word("role.", g.role)}</span>
              </a>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function Workbench(props: { id: string }) {
  const s = useAppState();
  const wb = useRemote<WorkbenchData>(`/v1/groups/${encodeURIComponent(props.id)}/workbench`);
  // Names the workbench left out (an account in an unreachable region), from the device's cache.
  const cached = useAsync(async () => {
    const ids = (wb.data?.accounts ?? []).filter((a) => !a.name).map((a) => a.accountId);
    const rows = await Promise.all(ids.map((id) => cachedRecord(id)));
    return new Map(rows.flatMap((r) => (r ? [[r.id, String(r.data.name ?? r.id)] as const] : [])));
  }, [wb.data]);
  const [mine, setMine] = useState<MyGroup | undefined>(undefined);
  useEffect(() => {
    cachedGroups(s.session?.user.id ?? "").then((g) =>
      setMine(g.find((x) => x.groupId === props.id)),
    );
  }, [props.id, s.session?.user.id]);
  if (!wb.data)
    return (
      <section>
        <h1>{mine?.name ?? t("groups.title")}</h1>
        {wb.error ? (
          <div role="alert">
            <p class="error">{wb.error}</p>
            <button type="button" class="secondary" onClick={wb.reload}>
              {t("groups.retry")}
            </button>
          </div>
        ) : (
          <p class="hint">…</p>
        )}
      </section>
    );
  const d = wb.data;
  const names = new Map(
    d.accounts.map((a) => [a.accountId, a.name ?? cached?.get(a.accountId) ?? a.accountId]),
  );
  const role = d.group.members.find((m) => m.userId === s.session?.user.id)?.role;
  return (
    <section data-testid="workbench">
      <div class="row">
        <h1>{d.group.name}</h1>
        <button type="button" class="secondary" onClick={wb.reload}>
          {t("groups.refresh")}
        </button>
      </div>
      <p class="muted">
        {t("groups.members", { count: d.group.members.length })}
        {role && ` · ${t("groups.yourRole", { role: word("role.", role) })}`}
      </p>
      {wb.error && (
        <p class="error" role="alert">
          {wb.error}
        </p>
      )}
      <Kpis kpis={d.kpis} />
      <h2>{t("cr.open")}</h2>
      {d.openChangeRequests.length === 0 ? (
        <p class="hint">{t("cr.none")}</p>
      ) : (
        // Most urgent first, as the server orders them.
        <ul class="list" data-testid="open-change-requests">
          {d.openChangeRequests.map((c) => (
            <ChangeRequestRow key={c.id} cr={c} account={c.accountName ?? names.get(c.accountId)} />
          ))}
        </ul>
      )}
      <h2>{t("approvals.title")}</h2>
      {d.openApprovals.length === 0 ? (
        <p class="hint">{t("approvals.none")}</p>
      ) : (
        <ul class="list" data-testid="open-approvals">
          {d.openApprovals.map((a) => (
            <ApprovalRow key={a.id} approval={a} account={names.get(a.accountId)} />
          ))}
        </ul>
      )}
      <h2>{t("accounts.title")}</h2>
      {d.truncated && <p class="hint">{t("accounts.truncated")}</p>}
      <ul class="list" data-testid="group-accounts">
        {d.accounts.map((a) => (
          <li key={a.accountId}>
            <a href={`#/customers/${encodeURIComponent(a.accountId)}`}>
              <strong>{names.get(a.accountId)}</strong>
            </a>
            <AccountHealth account={a} />
          </li>
        ))}
      </ul>
    </section>
  );
}

function AccountHealth(props: { account: WorkbenchAccount }) {
  const a = props.account;
  if (a.status === "unavailable") return <p class="muted small">{t("accounts.unavailable")}</p>;
  if (a.status === "not-found") return <p class="muted small">{t("accounts.notFound")}</p>;
  if (!a.chi || a.chi.score === null) return <p class="muted small">{t("accounts.noChi")}</p>;
  return <Chi score={a.chi.score} components={a.chi.components} />;
}

function Kpis(props: { kpis: WorkbenchData["kpis"] }) {
  const k = props.kpis;
  const none = t("kpi.none");
  const cross = k.crossSellRate;
  const adoption = k.adoption;
  const rate = percent(adoption.rate);
  const interval = adoption.interval95;
  return (
    <>
      <h2>{t("kpi.title")}</h2>
      <dl class="kpis" data-testid="kpis">
        <div>
          <dt>{t("kpi.chiGroup")}</dt>
          <dd>{k.chiGroup === null ? none : `${Math.round(k.chiGroup)} / 100`}</dd>
        </div>
        <div>
          <dt>{t("kpi.crossSell")}</dt>
          <dd>
            {cross.rate === null
              ? none
              : t("kpi.crossSellValue", {
                  rate: percent(cross.rate) ?? "",
                  crossSold: cross.crossSold,
                  accounts: cross.accounts,
                })}
            <span class="muted small block">{t(`kpi.crossSell.${cross.definition}`)}</span>
          </dd>
        </div>
        <div>
          <dt>{t("kpi.resolution")}</dt>
          <dd>
            {k.serviceResolution.resolved === 0
              ? t("kpi.resolutionNone", { open: k.serviceResolution.open })
              : t("kpi.resolutionValue", {
                  p50: hours(k.serviceResolution.p50Hours),
                  p90: hours(k.serviceResolution.p90Hours),
                  resolved: k.serviceResolution.resolved,
                  open: k.serviceResolution.open,
                })}
          </dd>
        </div>
        <div>
          <dt>{t("kpi.adoption")}</dt>
          <dd>
            {adoption.scope === "unavailable"
              ? t("kpi.adoptionUnavailable")
              : rate === null
                ? none
                : t(interval ? "kpi.adoptionValue" : "kpi.adoptionNoInterval", {
                    rate,
                    low: interval ? (percent(interval[0]) ?? "") : "",
                    high: interval ? (percent(interval[1]) ?? "") : "",
                    adopted: adoption.adopted,
                    answered: adoption.answered,
                    days: adoption.windowDays,
                  })}
          </dd>
        </div>
      </dl>
    </>
  );
}

/** An account's health and how it is made: each component's score, its basis and its weight. */
function Chi(props: { score: number; components: ChiPart[] }) {
  const label = t("accounts.chi", { score: Math.round(props.score) });
  return (
    <details class="chi">
      <summary>
        <meter min={0} max={100} low={50} high={75} optimum={100} value={props.score} /> {label}
      </summary>
      <table class="breakdown">
        <caption class="visually-hidden">{t("chi.breakdown")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("chi.component")}</th>
            <th scope="col">{t("chi.score")}</th>
            <th scope="col">{t("chi.weight")}</th>
          </tr>
        </thead>
        <tbody>
          {props.components.map((c) => (
            <tr key={c.component}>
              <th scope="row">
                {word("chi.", c.component)}
                {/* The server words the basis in English only: shown where it is read as such. */}
                {c.detail && state.lang === "en" && (
                  <span class="muted small block">{c.detail}</span>
                )}
              </th>
              <td>{c.score === null ? "—" : Math.round(c.score)}</td>
              <td>
                {percent(c.effectiveWeight)}
                {Math.abs(c.effectiveWeight - c.weight) > 1e-9 && (
                  <span class="muted small block">
                    {t("chi.configured", { weight: percent(c.weight) ?? "" })}
                  </span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

function ChangeRequestRow(props: { cr: WorkbenchChangeRequest; account: string | undefined }) {
  const c = props.cr;
  return (
    <li data-testid="change-request-row">
      <a href={`#/change-requests/${encodeURIComponent(c.id)}`}>
        <strong>
          {word("cr.kind.", c.kind)}
          {c.summary ? `: ${c.summary}` : ""}
        </strong>
        {props.account && <span class="muted">{props.account}</span>}
      </a>
      <SlaBadge cr={c} />
    </li>
  );
}

function ApprovalRow(props: { approval: Approval; account: string | undefined }) {
  const a = props.approval;
  const [keys] = useState(() => new ActionKey());
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const decide = async (outcome: ApprovalDecisionRequest["outcome"]) => {
    setBusy(true);
    setError(null);
    const json: ApprovalDecisionRequest = { outcome };
    const r = await write(keys, {
      method: "POST",
      path: `/v1/approvals/${encodeURIComponent(a.id)}/decision`,
      json,
    });
    setBusy(false);
    const body = r?.body as Partial<ApprovalDecisionAnswer> | null;
    if (r?.status === 200 && body?.decision) setResult(describeDecision(body.decision));
    else setError(failure(r));
  };
  return (
    <li data-testid="approval">
      <div class="row">
        <strong>
          {word("approval.kind.", a.kind)} ·{" "}
          {formatAmount(a.amount.value, a.amount.currency, state.lang)}
          {a.discountPercent !== undefined && ` (${a.discountPercent} %)`}
        </strong>
        {props.account && <span class="muted">{props.account}</span>}
      </div>
      <p>{a.reason}</p>
      <p class="muted small">
        {t("approvals.requested", { who: a.requestedBy, when: when(a.requestedAt) })}
      </p>
      {result ? (
        <p role="status" data-testid="decision">
          {result}
        </p>
      ) : (
        <div class="row actions">
          <button type="button" disabled={busy} onClick={() => void decide("approve")}>
            {t("approvals.approve")}
          </button>
          <button
            type="button"
            class="secondary"
            disabled={busy}
            onClick={() => void decide("reject")}
          >
            {t("approvals.reject")}
          </button>
        </div>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}

/** The decision in the rep's words: approved under which delegation, or where it went and why. */
export function describeDecision(d: ApprovalDecisionAnswer["decision"]): string {
  if (d.outcome === "escalated")
    return t("approval.escalateTo", {
      to: word("role.", d.escalateTo ?? "tenant-admin"),
      why: d.why,
    }).trim();
  return t("approval.result", {
    outcome: word("approval.outcome.", d.outcome),
    path: t(`approval.path.${d.path}`, { delegation: d.delegationId ?? "" }),
    why: d.why,
  }).trim();
}
