// Text in, labels out: runs the model's own feature recipe (ml/features, the code training
// used) inside the worker, then the ONNX graph. Bounded so one call cannot hold the isolate.
import { z } from "zod";
import { argmax } from "../../ml/serve/argmax.ts";
import { run } from "../../ml/serve/run.ts";
import { MAX_NORMALISED_LENGTH, MAX_TEXT_LENGTH, MAX_TEXTS } from "./limits.ts";
import { refused, type TaskResult, unknownTask } from "./result.ts";
import { sessionFor } from "./sessions.ts";

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

/** One result per text, in order; `label` is the most probable of `labels`. */
export type AnalyzeResult = TaskResult<
  { label: string; probabilities: number[] },
  "unknown-task" | "invalid-input" | "no-text-model"
>;

export async function analyzeTexts(
  task: string,
  texts: string[],
  now: () => number,
): Promise<AnalyzeResult> {
  const parsed = AnalyzeRequest.safeParse({ task, texts });
  if (!parsed.success) return refused("invalid-input", z.prettifyError(parsed.error));
  const pending = sessionFor(task, now);
  if (!pending) return unknownTask(task);
  const { session, manifest, reader } = await pending;
  if (!reader) return refused("no-text-model", `task "${task}" takes sparse features only`);
  const results: Array<{ label: string; probabilities: number[] }> = [];
  for (const text of parsed.data.texts) {
    const probabilities = await run(session, reader(text));
    results.push({ label: manifest.labels[argmax(probabilities)]!, probabilities });
  }
  return { ok: true, task, modelVersion: manifest.modelVersion, labels: manifest.labels, results };
}
