// Small pieces every portal screen uses: facts that render only what is present, status
// tags, the SLA countdown, and failures said in the user's language.
import type { ComponentChildren } from "preact";
import { problemCode, problemDetail, type Reply, retryAfterSeconds } from "../client.ts";
import { isKey, type Key } from "../i18n.ts";
import { formatDuration, timeLeft } from "../sla.ts";
import { state, t } from "../state.ts";
import { type Failure, useNow } from "./hooks.ts";

/** A definition list of the facts that are present; nothing at all when none is. */
export function Facts(props: { rows: Array<[string, ComponentChildren | null | undefined]> }) {
  const rows = props.rows.filter(([, v]) => v !== null && v !== undefined && v !== "");
  if (rows.length === 0) return null;
  return (
    <dl class="facts">
      {rows.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** A status in words (from `prefix` + value), or the server's word for one we do not know. */
export function Tag(props: { prefix: string; value: string | null | undefined; tone?: string }) {
  if (!props.value) return null;
  const key = `${props.prefix}${props.value}`;
  return (
    <span class={`tag ${props.tone ?? props.value}`}>
      {isKey(key) ? t(key as Key) : props.value}
    </span>
  );
}

/** "Answer due in 2 h 14 min" / "Answer overdue", refreshed as time passes. */
export function Countdown(props: { dueAt: string | undefined }) {
  const now = useNow();
  const left = timeLeft(props.dueAt, now);
  if (!left) return null;
  return (
    <time
      class={`sla ${left.overdue ? "sla-overdue" : "sla-open"}`}
      dateTime={props.dueAt}
      data-testid="sla-countdown"
    >
      {left.overdue
        ? t("cr.overdue")
        : t("cr.dueIn", { time: formatDuration(left.ms, state.lang) })}
    </time>
  );
}

export function replyMessage(r: Reply, notFound: Key = "contract.notFound"): string {
  const code = problemCode(r.body);
  if (code === "portal-read-only") return t("banner.readOnly");
  if (r.status === 404) return t(notFound);
  if (r.status === 403) return t("common.forbidden");
  if (r.status === 429)
    return t("common.rateLimited", { seconds: retryAfterSeconds(r.headers, Date.now()) ?? 5 });
  if (r.status === 400 || r.status === 422)
    return t("common.validation", { detail: problemDetail(r.body, r.status) });
  return t("common.error", { detail: problemDetail(r.body, r.status) });
}

export function failureMessage(f: Failure, notFound?: Key): string {
  return f.kind === "unreachable" ? t("common.unreachable") : replyMessage(f.reply, notFound);
}

/** A load that failed: why, and a way to try again. */
export function FailureNote(props: { failure: Failure; retry: () => void; notFound?: Key }) {
  return (
    <div class="card" role="alert">
      <p class="error">{failureMessage(props.failure, props.notFound)}</p>
      <button type="button" class="secondary" onClick={props.retry}>
        {t("common.retry")}
      </button>
    </div>
  );
}

export function Loading() {
  return (
    <p class="hint" role="status">
      {t("common.loading")}
    </p>
  );
}
