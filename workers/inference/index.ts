// The inference worker's entrypoint: the typed RPC `classify` for service-binding callers,
// and `GET /health` plus `POST /classify` over HTTP for probes and tests.
import { WorkerEntrypoint } from "cloudflare:workers";
import { Hono } from "hono";
import { type ClassifyResult, classify, type SparseInput } from "./classify.ts";
import { MODELS } from "./models.ts";
import { loadedModels, sessionFor } from "./sessions.ts";

const now = () => performance.now();

const app = new Hono();

/** Loads every task's session, so a readiness probe leaves the isolate warm for real traffic. */
app.get("/health", async (c) => {
  const tasks = Object.keys(MODELS);
  const settled = await Promise.allSettled(tasks.map((task) => sessionFor(task, now)));
  const failed = tasks.filter((_, i) => settled[i]!.status === "rejected");
  const body = { ok: failed.length === 0, tasks, failed, loaded: loadedModels() };
  return c.json(body, failed.length === 0 ? 200 : 503);
});

app.post("/classify", async (c) => {
  const body = await c.req.json().catch(() => null);
  const result = await classify(body?.task, body?.inputs, now);
  if (result.ok) return c.json(result);
  const status = result.error === "unknown-task" ? 404 : 400;
  return c.json(
    { type: `about:blank#${result.error}`, title: result.error, status, detail: result.detail },
    status,
    { "content-type": "application/problem+json" },
  );
});

export default class InferenceWorker extends WorkerEntrypoint {
  /** Probabilities per utterance, in the order of `inputs`, with the model version that made them. */
  classify(task: string, inputs: SparseInput[]): Promise<ClassifyResult> {
    return classify(task, inputs, now);
  }

  override fetch(request: Request): Response | Promise<Response> {
    return app.fetch(request, this.env, this.ctx);
  }
}
