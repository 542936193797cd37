// Text in, labels out: runs the model's own feature recipe (ml/features, the code training
// used) inside the worker, then the ONNX graph. Bounded so one call cannot hold the isolate.
import { z } from "zod";
import { argmax } from "../../ml/serve/argmax.ts";
import { MAX_NORMALISED_LENGTH, MAX_TEXT_LENGTH, MAX_TEXTS } from "./limits.ts";
import { run, sessionFor } from "./sessions.ts";

export const AnalyzeRequest = z.object({
  task: z.string().min(1).max(64),
  texts: z
    .array(
      z
        .string()
        .max(MAX_TEXT_LENGTH, `a text is longer than ${MAX_TEXT_LENGTH} characters`)
        .refine(
          (t) => t.normalize("NFKC").length <= MAX_NORMALISED_LENGTH,
          `a text expands to more than ${MAX_NORMALISED_LENGTH} characters when normalised (NFKC)`,
        ),
    )
    .min(1, "texts is empty")
    .max(MAX_TEXTS, `more than ${MAX_TEXTS} texts in one call`),
});

export type AnalyzeResult =
  | {
      ok: true;
      task: string;
      modelVersion: string;
      labels: string[];
      /** One per text, in order; `label` is the most probable of `labels`. */
      results: Array<{ label: string; probabilities: number[] }>;
    }
  | { ok: false; error: "unknown-task" | "invalid-input" | "no-text-model"; detail: string };

export async function analyzeTexts(
  task: string,
  texts: string[],
  now: () => number,
): Promise<AnalyzeResult> {
  const parsed = AnalyzeRequest.safeParse({ task, texts });
  if (!parsed.success)
    return { ok: false, error: "invalid-input", detail: z.prettifyError(parsed.error) };
  const pending = sessionFor(task, now);
  if (!pending) return { ok: false, error: "unknown-task", detail: `no model for task "${task}"` };
  const { session, manifest, reader } = await pending;
  if (!reader) {
    return {
      ok: false,
      error: "no-text-model",
      detail: `task "${task}" takes sparse features only`,
    };
  }
  const results: Array<{ label: string; probabilities: number[] }> = [];
  for (const text of parsed.data.texts) {
    const probabilities = await run(session, reader(text));
    results.push({ label: manifest.labels[argmax(probabilities)]!, probabilities });
  }
  return { ok: true, task, modelVersion: manifest.modelVersion, labels: manifest.labels, results };
}
