// The ONNX files the inference worker bundles are exactly what `ml/onnx/export-models.ts`
// makes from the committed `models/*` beside them: a retrained model that was not re-exported
// fails here.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { exportTrained, readTrained, trainedTasks } from "../../ml/onnx/trained.ts";

const RERUN = "stale export: run `npx tsx ml/onnx/export-models.ts` and commit models/";
const tasks = trainedTasks("models");

test("the trained tasks are found", () => {
  expect(tasks).toEqual(expect.arrayContaining(["intent-en", "sentiment-en", "sentiment-zh"]));
});

test("the test model is not shipped: the worker bundles the trained tasks and nothing else", () => {
  const imports = [
    ...readFileSync("workers/inference/models.ts", "utf8").matchAll(
      /from "\.\.\/\.\.\/models\/([^/]+)\//g,
    ),
  ].map((m) => m[1]);
  expect([...new Set(imports)].sort()).toEqual([...tasks].sort());
});

test.each(tasks)("%s: shipped model.onnx and manifest.json match a fresh export", (task) => {
  const shippedDir = join("models", task);
  expect(existsSync(join(shippedDir, "model.onnx")), `${task} not exported; ${RERUN}`).toBe(true);
  const fresh = exportTrained(readTrained(shippedDir));
  const shipped = readFileSync(join(shippedDir, "model.onnx"));
  // Buffer.equals, not toEqual: a diff of megabytes of weights helps nobody.
  expect(shipped.equals(fresh.onnx), `${task}/model.onnx differs; ${RERUN}`).toBe(true);
  // Parsed: the script writes it through biome's formatter.
  const manifest = JSON.parse(readFileSync(join(shippedDir, "manifest.json"), "utf8"));
  expect(manifest, `${task}/manifest.json differs; ${RERUN}`).toEqual(fresh.manifest);
  expect(fresh.manifest.featureConfig ?? null).toEqual(readTrained(shippedDir).featureConfig);
});
