// Runs one task's model over a batch of utterances and says why when it cannot:
// unknown task and invalid input are expected outcomes, not exceptions.
import { z } from "zod";
import { MODELS } from "./models.ts";
import { refused, type TaskResult, unknownTask } from "./result.ts";
import { runOne, sessionFor } from "./sessions.ts";

/** Bounds so one call cannot hold the isolate: utterances per call, features per utterance. */
export const MAX_INPUTS = 256;
export const MAX_FEATURES = 8192;

export const SparseInput = z
  .object({
    indices: z.array(z.number().int().nonnegative()).max(MAX_FEATURES),
    values: z.array(z.number().finite()).max(MAX_FEATURES),
  })
  .refine((x) => x.indices.length === x.values.length, "indices and values differ in length");
export type SparseInput = z.infer<typeof SparseInput>;

export const ClassifyRequest = z.object({
  task: z.string().min(1).max(64),
  inputs: z.array(SparseInput).min(1).max(MAX_INPUTS),
});

export type ClassifyResult = TaskResult<
  { probabilities: number[] },
  "unknown-task" | "invalid-input"
>;

export async function classify(
  task: string,
  inputs: SparseInput[],
  now: () => number,
): Promise<ClassifyResult> {
  const parsed = ClassifyRequest.safeParse({ task, inputs });
  if (!parsed.success) return refused("invalid-input", z.prettifyError(parsed.error));
  if (Object.hasOwn(MODELS, task) && MODELS[task]!.manifest.kind === "char-cnn")
    return refused("invalid-input", `task "${task}" reads text (a char-CNN): use analyzeTexts`);
  const pending = sessionFor(task, now);
  if (!pending) return unknownTask(task);
  const { session, manifest } = await pending;
  const { D } = manifest.dims;
  const outOfRange = inputs.findIndex((x) => x.indices.some((i) => i >= D));
  if (outOfRange >= 0) return refused("invalid-input", `inputs[${outOfRange}]: index ≥ D=${D}`);
  const results: Array<{ probabilities: number[] }> = [];
  // One run per utterance: the graph takes a single [N] feature list (no batching yet).
  for (const { indices, values } of inputs) {
    results.push({ probabilities: await runOne(session, indices, values) });
  }
  return { ok: true, task, modelVersion: manifest.modelVersion, labels: manifest.labels, results };
}
