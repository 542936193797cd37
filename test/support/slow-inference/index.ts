// A deliberately slow stand-in for the inference worker, for shedding tests: the same RPC
// surface as workers/inference, answering only after SLOW_MS (its wrangler.toml: 10 s), so the API's
// budget is what decides. Run beside a region's API with its wrangler.toml.
import { WorkerEntrypoint } from "cloudflare:workers";

type SlowEnv = { SLOW_MS?: string };

export default class SlowInference extends WorkerEntrypoint<SlowEnv> {
  private async slowly<T>(value: T): Promise<T> {
    const ms = Number(this.env.SLOW_MS ?? 2_000);
    await new Promise((resolve) => setTimeout(resolve, ms));
    return value;
  }

  analyzeTexts(task: string, texts: string[]) {
    return this.slowly({
      ok: true as const,
      task,
      modelVersion: "slow-stand-in",
      labels: ["negative", "positive"],
      results: texts.map(() => ({ label: "positive", probabilities: [0.5, 0.5] })),
    });
  }

  health() {
    return this.slowly({ ok: true, tasks: [], failed: [], loaded: {} });
  }

  override fetch(): Response {
    return new Response("slow inference stand-in");
  }
}
