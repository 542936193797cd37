// The inference worker's entrypoint: typed RPC `classify` (sparse features), `analyzeTexts`
// (raw text) and `health` for service-binding callers; `GET /health`, `POST /classify` and `POST /analyze`
// over HTTP for probes and tests.
import { WorkerEntrypoint } from "cloudflare:workers";
import { type Context, Hono } from "hono";
import { type AnalyzeResult, analyzeTexts } from "./analyze.ts";
import { type ClassifyResult, classify, type SparseInput } from "./classify.ts";
import { MODELS } from "./models.ts";
import { loadedModels, sessionFor } from "./sessions.ts";

const now = () => performance.now();

const app = new Hono();

export type InferenceHealth = {
  ok: boolean;
  tasks: string[];
  failed: string[];
  loaded: ReturnType<typeof loadedModels>;
};

/** Loads every task's session, so a readiness probe leaves the isolate warm for real traffic. */
async function health(): Promise<InferenceHealth> {
  const tasks = Object.keys(MODELS);
  const settled = await Promise.allSettled(tasks.map((task) => sessionFor(task, now)));
  const failed = tasks.filter((_, i) => settled[i]!.status === "rejected");
  return { ok: failed.length === 0, tasks, failed, loaded: loadedModels() };
}

app.get("/health", async (c) => {
  const body = await health();
  return c.json(body, body.ok ? 200 : 503);
});

/** The one place an expected failure becomes an RFC 9457 problem. */
function respond(c: Context, result: ClassifyResult | AnalyzeResult): Response {
  if (result.ok) return c.json(result);
  const status = result.error === "unknown-task" ? 404 : 400;
  return c.json(
    { type: `about:blank#${result.error}`, title: result.error, status, detail: result.detail },
    status,
    { "content-type": "application/problem+json" },
  );
}

app.post("/classify", async (c) => {
  const body = await c.req.json().catch(() => null);
  return respond(c, await classify(body?.task, body?.inputs, now));
});

app.post("/analyze", async (c) => {
  const body = await c.req.json().catch(() => null);
  return respond(c, await analyzeTexts(body?.task, body?.texts, now));
});

export default class InferenceWorker extends WorkerEntrypoint {
  /** Probabilities per utterance, in the order of `inputs`, with the model version that made them. */
  classify(task: string, inputs: SparseInput[]): Promise<ClassifyResult> {
    return classify(task, inputs, now);
  }

  /** Label and probabilities per text, in order; features are extracted here, as in training. */
  analyzeTexts(task: string, texts: string[]): Promise<AnalyzeResult> {
    return analyzeTexts(task, texts, now);
  }

  /** Warms every model (readiness): callers probe this before sending traffic. */
  health(): Promise<InferenceHealth> {
    return health();
  }

  override fetch(request: Request): Response | Promise<Response> {
    return app.fetch(request, this.env, this.ctx);
  }
}
