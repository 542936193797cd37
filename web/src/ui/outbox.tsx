// The outbox as the rep sees it: every command, newest first, with its state — pending,
// confirmed (and where), rejected with the server's reason in the rep's language, or
// conflict with what to do.
import type { Command } from "../app/commands.ts";
import type { Key } from "../app/i18n.ts";
import { clearConfirmed, commands, discard } from "../app/outbox.ts";
import { drain, queued, t } from "../app/state.ts";
import { useAppState, useAsync } from "./hooks.ts";
import { conflictAdvice, problemMessage } from "./parts.tsx";

function describe(c: Command): string {
  const party = c.kind === "signature.add" ? t(`party.${c.body.party}` as Key) : "";
  return t(`kind.${c.kind}` as Key, { name: c.label, party });
}

export function Outbox() {
  const s = useAppState();
  const all = useAsync(commands, []) ?? [];
  const rows = [...all].sort((a, b) => b.seq - a.seq);
  return (
    <section>
      <div class="row">
        <h1>{t("queue.title")}</h1>
        {s.pending > 0 && s.online && (
          <button type="button" onClick={() => void drain()}>
            {t("queue.retry")}
          </button>
        )}
        {all.some((c) => c.state === "confirmed") && (
          <button type="button" class="secondary" onClick={() => clearConfirmed().then(queued)}>
            {t("queue.clearDone")}
          </button>
        )}
      </div>
      {rows.length === 0 && <p class="hint">{t("queue.empty")}</p>}
      <ol class="list outbox" data-testid="outbox">
        {rows.map((c) => (
          <li key={c.id} data-state={c.state} data-kind={c.kind}>
            <span class={`tag ${c.state}`}>{t(`queue.state.${c.state}` as Key)}</span> {describe(c)}
            {c.state === "confirmed" && c.result?.region && (
              <span class="muted"> {t("queue.in", { region: c.result.region })}</span>
            )}
            {(c.state === "rejected" || c.state === "conflict") && c.problem && (
              <div class="reason" role="note">
                <p data-testid="reason">{problemMessage(c.problem)}</p>
                {c.state === "conflict" && <p>{conflictAdvice(c)}</p>}
                <button type="button" class="secondary" onClick={() => discard(c.id).then(queued)}>
                  {t("queue.discard")}
                </button>
              </div>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}
