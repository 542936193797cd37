// One text's graph inputs through a loaded ORT session, as the inference worker (in workerd)
// and the PWA's on-device worker (web/src/insights) both run it: the same session options
// and feeds, so the two answer with the same probabilities for the same model and text.
import type { InferenceSession } from "onnxruntime-web/wasm";
import { graphFeeds } from "./feeds.ts";
import type { GraphInput } from "./text-input.ts";

/**
 * The exported graphs are already minimal (Gather → Cast → Mul → ReduceSum → Add → …), so
 * ORT's graph optimisers find nothing to rewrite (outputs are bit-identical with them off)
 * but still cost time at creation. A fresh object per call: ORT writes into the options.
 */
export const sessionOptions = (): InferenceSession.SessionOptions => ({
  graphOptimizationLevel: "disabled",
});

/** One utterance's graph inputs through its session; class probabilities out. */
export async function run(session: InferenceSession, input: GraphInput): Promise<number[]> {
  const out = await session.run(graphFeeds(input));
  return Array.from(out.probabilities!.data as Float32Array);
}
