// The inference worker (workers/inference/wrangler.toml) in workerd for one test file:
// started before its tests, stopped after them, and a JSON POST to one of its routes.
import { afterAll, beforeAll } from "vitest";
import { startTestWorker, type TestWorker } from "../support/workerd.ts";

export function useInferenceWorker() {
  let worker: TestWorker | undefined;

  beforeAll(async () => {
    worker = await startTestWorker({ config: "workers/inference/wrangler.toml" });
  });

  afterAll(async () => {
    await worker?.dispose();
  });

  const inference = {
    /** The worker's base URL; only inside tests (it starts in beforeAll). */
    get url(): string {
      if (!worker) throw new Error("the inference worker is not started yet");
      return worker.url;
    },
    post: (path: string, body: unknown) =>
      fetch(new URL(path, inference.url), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      }),
  };
  return inference;
}
