// Writes test/inference/fixture/models/test/{model.onnx,manifest.json} from the seeded test
// model: `npx tsx ml/onnx/make-test-model.ts`. Same seed, same bytes. Only the tests' build
// of the inference worker carries it; the shipped worker does not.
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { manifestFor } from "./manifest.ts";
import { testModel, testModelOnnx } from "./test-model.ts";

const out = join(
  dirname(fileURLToPath(import.meta.url)),
  "../../test/inference/fixture/models/test",
);
const bytes = testModelOnnx();
const manifest = manifestFor(testModel(), createHash("sha256").update(bytes).digest("hex"));
mkdirSync(out, { recursive: true });
writeFileSync(join(out, "model.onnx"), bytes);
writeFileSync(join(out, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`wrote ${bytes.length} bytes, version ${manifest.modelVersion}, to ${out}`);
