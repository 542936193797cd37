// The char-CNN's ONNX graph, run by onnxruntime-web in Node, agrees with the TypeScript forward
// pass training uses (ml/cnn/model.ts), on texts of every awkward shape; seeds are fixed.
import { describe, expect, test } from "vitest";
import { predictor } from "../../ml/cnn/predict.ts";
import { RANDOM_CNN_CHARS, randomCnn } from "../../ml/cnn/random-artifact.ts";
import { readTokens } from "../../ml/features/vocab.ts";
import { exportCharCnn } from "../../ml/onnx/export-cnn.ts";
import { cnnManifestFor } from "../../ml/onnx/manifest.ts";
import { textReader } from "../../ml/serve/text-input.ts";
import { loadSession, runInput } from "./ort-node.ts";

const TOLERANCE = 1e-5;

const TEXTS = [
  "",
  "好",
  "价格太贵了",
  "我们考虑一下，服务很好！",
  "ＡＢＣ 价格 123 太贵", // full-width, digits, spaces
  "完全陌生的字符组成的句子", // all out of vocabulary: hashed buckets
  `${RANDOM_CNN_CHARS}${RANDOM_CNN_CHARS}`, // longer than maxLen: the head is read
  "。。。！？", // punctuation only
  "😀不错😀",
];

const shapes = [
  { classes: 2, widths: [1, 2, 3], wideBits: 10 },
  { classes: 3, widths: [2, 4], wideBits: null },
  { classes: 2, widths: [3], wideBits: 8 },
];

describe.each(shapes)("widths $widths, $classes classes, wide 2^$wideBits", (shape) => {
  const model = randomCnn(4242 + shape.classes + shape.widths.length, shape);
  const reference = predictor(model);

  test("ONNX probabilities, fed as the worker feeds them, equal the training forward pass to 1e-5", async () => {
    const session = await loadSession(exportCharCnn(model));
    // The manifest round-trips through JSON, as it does into the worker's bundle.
    const manifest = JSON.parse(JSON.stringify(cnnManifestFor(model, "0".repeat(64))));
    const read = textReader(manifest)!;
    for (const text of TEXTS) {
      const got = await runInput(session, read(text));
      const want = reference(text);
      expect(got.length).toBe(want.length);
      const worst = Math.max(...Array.from(got, (g, i) => Math.abs(g - want[i]!)));
      expect(worst, `text ${JSON.stringify(text)}`).toBeLessThan(TOLERANCE);
    }
    await session.release();
  });
});

test("an empty or blank text reads as one padding id, so the graph never gets an empty sequence", () => {
  const model = randomCnn(7, { classes: 2, widths: [1, 2, 3], wideBits: 10 });
  expect(Array.from(readTokens(model.vocab, "", 12))).toEqual([0]);
  expect(Array.from(readTokens(model.vocab, "  ", 12))).toEqual([0]);
});

test("a manifest built with another text normalisation is refused at load, not read wrongly", () => {
  const model = randomCnn(13, { classes: 2, widths: [1, 2], wideBits: 8 });
  const manifest = cnnManifestFor(model, "0".repeat(64));
  expect(textReader(manifest)).not.toBeNull();
  expect(() =>
    textReader({ ...manifest, normalise: { ...manifest.normalise, foldDigits: false } }),
  ).toThrow(/another text normalisation/);
});
