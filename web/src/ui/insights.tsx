// Call notes → insights: sentiment, signals and next-best actions, with adopted / not
// adopted buttons. Online the region analyses them; offline (or when no region answers)
// the shipped sentiment model runs on the device in a Web Worker with the same rules
// engine, the result is marked on-device, and a re-analysis by the region is queued.
import { useEffect, useState } from "preact/hooks";
import { Unreachable } from "../app/api.ts";
import { db, getMeta, type StoredInsight, setMeta } from "../app/db.ts";
import { ulid } from "../app/ids.ts";
import { enqueue } from "../app/outbox.ts";
import { api, queued, state, t } from "../app/state.ts";
import { parseTranscript } from "../app/transcript.ts";
import type { CachedRules } from "../insights/on-device.ts";
import { useAppState, useAsync } from "./hooks.ts";

type Analysis = {
  utterances: Array<{
    index: number;
    speaker: string;
    sentiment: { label: string; probability: number } | null;
    signals: Array<{ kind: string; match?: string }>;
  }>;
  actions: Array<{ strategy: string; title: string; reason: string }>;
};
type Answer = { id: string; region?: string; insights: Analysis | null; rulesOnly?: Analysis };

async function analyzeRemote(
  transcript: ReturnType<typeof parseTranscript>,
): Promise<Answer | null> {
  if (!state.online) return null;
  try {
    const a = await api.request({
      method: "POST",
      path: "/v1/insights/analyze",
      json: { transcript },
    });
    if (a.status === 200) return a.body as Answer;
    return null;
  } catch (err) {
    if (err instanceof Unreachable) return null;
    throw err;
  }
}

async function analyzeLocal(transcript: ReturnType<typeof parseTranscript>): Promise<Answer> {
  // Loaded lazily: ORT, the model and the rules engine are not part of the app shell.
  const { analyzeOnDevice } = await import("../insights/on-device.ts");
  const rules = (await getMeta<CachedRules>("insight-rules")) ?? null;
  return (await analyzeOnDevice(
    { transcript },
    { rules, ...(state.session ? { jurisdiction: state.session.jurisdiction } : {}) },
  )) as unknown as Answer;
}

/** The tenant's insight rules, cached when online so the device analyses as the region does. */
export async function cacheInsightRules(): Promise<void> {
  const a = await api.request({ method: "GET", path: "/v1/insights/rules" });
  if (a.status === 200) await setMeta("insight-rules", a.body);
}

export function Insights() {
  const s = useAppState();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [current, setCurrent] = useState<string | null>(null);
  const [answered, setAnswered] = useState<Record<string, boolean>>({});
  useEffect(() => {
    if (s.online) cacheInsightRules().catch(() => {});
  }, [s.online]);
  const stored = useAsync(
    async () => (current ? await (await db()).get("insights", current) : undefined),
    [current],
  );
  // An on-device result whose re-analysis the region has answered shows the region's.
  const reanalysed = useAsync(async () => {
    if (!stored?.reanalysis) return null;
    const c = await (await db()).getFromIndex("outbox", "id", stored.reanalysis);
    return c?.state === "confirmed" ? (c.result?.body as Answer) : null;
  }, [stored?.id]);
  const submit = async (e: Event) => {
    e.preventDefault();
    const text = String(new FormData(e.currentTarget as HTMLFormElement).get("notes") ?? "");
    const transcript = parseTranscript(text);
    if (transcript.length === 0) return;
    setBusy(true);
    setError(null);
    try {
      const remote = await analyzeRemote(transcript);
      const id = ulid();
      let row: StoredInsight;
      if (remote) {
        row = {
          id,
          createdAt: Date.now(),
          text,
          customerId: null,
          source: "region",
          region: remote.region ?? null,
          result: remote,
          reanalysis: null,
        };
      } else {
        const local = await analyzeLocal(transcript);
        const cmd = await enqueue(
          { kind: "insight.analyze", localInsightId: id, body: { transcript } },
          transcript[0]!.text.slice(0, 40),
        );
        row = {
          id,
          createdAt: Date.now(),
          text,
          customerId: null,
          source: "on-device",
          region: null,
          result: local,
          reanalysis: cmd.id,
        };
        await queued();
      }
      await (await db()).put("insights", row);
      setCurrent(id);
    } catch (err) {
      setError(
        `${t("insights.unavailable")} (${err instanceof Error ? err.message : String(err)})`,
      );
    } finally {
      setBusy(false);
    }
  };
  const answer = (reanalysed ?? (stored?.result as Answer | undefined)) || undefined;
  const analysis = answer ? (answer.insights ?? answer.rulesOnly ?? null) : null;
  const onDevice = stored?.source === "on-device" && !reanalysed;
  const feedback = async (strategy: string, adopted: boolean) => {
    if (!stored) return;
    const insightId =
      reanalysed?.id ??
      (stored.source === "region" ? (stored.result as Answer).id : { $ref: stored.reanalysis! });
    await enqueue({ kind: "insight.feedback", insightId, body: { strategy, adopted } }, strategy);
    await queued();
    setError(null);
    setAnswered({ ...answered, [strategy]: adopted });
  };
  const customerSentiments =
    analysis?.utterances.filter((u) => u.speaker === "customer" && u.sentiment) ?? [];
  return (
    <section>
      <h1>{t("insights.title")}</h1>
      <form onSubmit={submit} class="card">
        <label>
          {t("insights.text")}
          <textarea name="notes" rows={6} required maxLength={20000} />
        </label>
        <button type="submit" disabled={busy}>
          {busy ? t("insights.loading") : t("insights.analyze")}
        </button>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {answer && (
        <div class="card" data-testid="insight" data-source={onDevice ? "on-device" : "region"}>
          <p class="muted" data-testid="insight-source">
            {onDevice
              ? t("insights.onDevice")
              : t("insights.fromRegion", { region: answer.region ?? s.region ?? "" })}
          </p>
          {analysis === null ? (
            <p>{t("insights.unavailable")}</p>
          ) : (
            <>
              <h2>{t("insights.sentiment")}</h2>
              <ul class="list">
                {customerSentiments.map((u) => (
                  <li key={u.index} data-testid="sentiment" data-label={u.sentiment!.label}>
                    {t(`sentiment.${u.sentiment!.label}` as "sentiment.positive")} ·{" "}
                    {Math.round(u.sentiment!.probability * 100)}%
                  </li>
                ))}
              </ul>
              <h2>{t("insights.signals")}</h2>
              <ul class="chips">
                {analysis.utterances.flatMap((u) =>
                  u.signals.map((sig, i) => (
                    <li key={`${u.index}-${i}`}>
                      {sig.kind}
                      {sig.match ? ` «${sig.match}»` : ""}
                    </li>
                  )),
                )}
              </ul>
              <h2>{t("insights.actions")}</h2>
              <ol class="list">
                {analysis.actions.map((a) => (
                  <li key={a.strategy}>
                    <strong>{a.title}</strong>
                    <p class="muted">{a.reason}</p>
                    <div class="row">
                      <button
                        type="button"
                        class="secondary"
                        aria-pressed={answered[a.strategy] === true}
                        onClick={() => void feedback(a.strategy, true)}
                      >
                        {t("insights.adopted")}
                      </button>
                      <button
                        type="button"
                        class="secondary"
                        aria-pressed={answered[a.strategy] === false}
                        onClick={() => void feedback(a.strategy, false)}
                      >
                        {t("insights.notAdopted")}
                      </button>
                    </div>
                    {a.strategy in answered && <p class="muted">{t("insights.feedbackQueued")}</p>}
                  </li>
                ))}
              </ol>
            </>
          )}
        </div>
      )}
    </section>
  );
}
