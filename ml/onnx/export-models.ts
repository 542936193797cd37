// `npx tsx ml/onnx/export-models.ts`: exports every trained `models/<task>/` to
// `models/<task>/{model.onnx,manifest.json}` beside it, which the inference worker bundles.
// Re-running on unchanged models rewrites identical bytes; test/inference/shipped-models.test.ts
// checks they are current.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { exportTrained, readTrained, trainedTasks } from "./trained.ts";

const repoRoot = resolve(import.meta.dirname, "../..");
const modelsDir = join(repoRoot, "models");

for (const task of trainedTasks(modelsDir)) {
  const dir = join(modelsDir, task);
  const { onnx, manifest, manifestJson } = exportTrained(readTrained(dir));
  writeFileSync(join(dir, "model.onnx"), onnx);
  const manifestPath = join(dir, "manifest.json");
  writeFileSync(manifestPath, manifestJson);
  // In the repo's JSON style, so `biome check` stays clean; the test compares it parsed.
  execFileSync(join(repoRoot, "node_modules/.bin/biome"), ["format", "--write", manifestPath], {
    stdio: "ignore",
  });
  const kib = (n: number) => (n / 1024).toFixed(0);
  console.log(
    `${task}: ${manifest.modelVersion} (${manifest.weightType}), ${kib(onnx.length)} KiB, ` +
      `${kib(gzipSync(onnx, { level: 9 }).length)} KiB gzip → ${dir}`,
  );
}
