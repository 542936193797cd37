import type { Command, ProblemInfo } from "../app/commands.ts";
import { isKey, type Key } from "../app/i18n.ts";
import type { QueueFull } from "../app/outbox.ts";
import { t } from "../app/state.ts";

export function PendingTag() {
  return (
    <span class="tag pending" data-testid="pending-tag">
      {t("status.pending")}
    </span>
  );
}

export function StatusTag(props: { status: string }) {
  const key = `status.${props.status}`;
  return <span class={`tag ${props.status}`}>{isKey(key) ? t(key as Key) : props.status}</span>;
}

export function queueFullMessage(err: QueueFull): string {
  return err.reason === "photos" ? t("queue.fullPhotos") : t("queue.full", { count: err.count });
}

/** A server problem in the rep's language; the server's own words for a code we do not know. */
export function problemMessage(p: ProblemInfo): string {
  const key = `problem.${p.code}`;
  const detail = p.detail ?? p.title;
  if (isKey(key)) return t(key as Key, { detail });
  return t("problem.unknown", { detail });
}

export function conflictAdvice(c: Command): string {
  return t("conflict.what", {
    what: c.kind === "payment.confirm" ? t("conflict.payment") : t("conflict.generic"),
  });
}
