// The inference worker in workerd for one test file, in its test build (fixture/: the
// shipped worker plus the tiny `test` model): started before its tests, stopped after
// them, and a JSON POST to one of its routes.
import { afterAll, beforeAll } from "vitest";
import { startTestWorker, type TestWorker } from "../support/workerd.ts";

/** The shipped inference worker with the `test` model added (never deployed). */
export const INFERENCE_TEST_CONFIG = "test/inference/fixture/wrangler.toml";

export function useInferenceWorker() {
  let worker: TestWorker | undefined;

  beforeAll(async () => {
    worker = await startTestWorker({ config: INFERENCE_TEST_CONFIG });
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
