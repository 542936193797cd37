// The char-CNN artifact: what is stored decodes to what was trained (float16 where the format
// says so), training is bit-reproducible, and a damaged or mismatched artifact is refused.
import { expect, test } from "vitest";
import { roundToFloat16 } from "../onnx/float16.ts";
import type { Row } from "../train/dataset.ts";
import { decodeCnn, encodeCnn } from "./artifact.ts";
import { forward, layout, workspace } from "./model.ts";
import { predictor } from "./predict.ts";
import { randomCnn, wideRecipe } from "./random-artifact.ts";
import { type CharCnnPreset, trainCharCnn } from "./task.ts";

test("decoding returns the float32 parameters, float16-rounded exactly in the two big tables", () => {
  const model = randomCnn(3, { classes: 2, widths: [1, 2], wideBits: 8 });
  const l = model.layout;
  const c = model.config;
  const { header, blob } = encodeCnn(
    {
      labels: model.header.labels,
      maxLen: 12,
      vocab: model.header.vocab,
      wideFeatures: model.header.wideFeatures,
    },
    c,
    model.params,
  );
  const again = decodeCnn(header, blob);
  expect(again.params).toEqual(model.params);
  const emb = model.params.slice(l.emb, l.emb + c.vocab * c.embDim);
  expect(emb).toEqual(roundToFloat16(emb));
  const conv = model.params.slice(l.conv[0]!, l.cnnSize);
  // float32 where stored so: at least one conv weight is not a float16 value.
  expect(conv).not.toEqual(roundToFloat16(conv));
  expect(blob.length).toBe(
    (c.vocab * c.embDim + c.wideDim * c.classes) * 2 + (l.cnnSize - c.vocab * c.embDim) * 4,
  );
});

test("a damaged or mismatched artifact is refused with a message naming the mismatch", () => {
  const model = randomCnn(5, { classes: 2, widths: [1, 2], wideBits: 8 });
  const { header, blob } = encodeCnn(
    {
      labels: model.header.labels,
      maxLen: 12,
      vocab: model.header.vocab,
      wideFeatures: model.header.wideFeatures,
    },
    model.config,
    model.params,
  );
  expect(() => decodeCnn(header, blob.subarray(1))).toThrow(/weights: .* bytes, expected/);
  expect(() =>
    decodeCnn({ ...header, vocab: { ...header.vocab, chars: header.vocab.chars.slice(1) } }, blob),
  ).toThrow(/vocabulary has/);
  expect(() => decodeCnn({ ...header, labels: ["only", "two", "three"] }, blob)).toThrow(/labels/);
  expect(() =>
    decodeCnn({ ...header, normalise: { ...header.normalise, lowercase: false } }, blob),
  ).toThrow(/normalisation/);
  expect(() => decodeCnn({ ...header, wideFeatures: null }, blob)).toThrow(/wide/);
  expect(() => decodeCnn({ ...header, format: "lifeline-linear-mlp/1" }, blob)).toThrow();
  expect(() => encodeCnn(header, model.config, model.params.subarray(1))).toThrow(/params/);
});

test("an empty text predicts exactly like a text of no tokens", () => {
  const model = randomCnn(9, { classes: 3, widths: [1, 2, 3], wideBits: null });
  const ws = workspace(model.config, 12);
  const none = forward(
    model.config,
    model.layout,
    model.params,
    new Int32Array(0),
    null,
    ws,
  ).slice();
  expect(predictor(model)("")).toEqual(none);
});

const rows = (n: number, offset: number): Row[] =>
  Array.from({ length: n }, (_, i) => {
    const good = (i + offset) % 2 === 0;
    const text = good
      ? ["服务很好", "满意不错", "谢谢你们"][i % 3]!
      : ["价格太贵", "差劲退款", "很不满意"][i % 3]!;
    return { text: `${text}${i % 5}`, label: good ? "positive" : "negative", source: "t" };
  });

const tiny: CharCnnPreset = {
  embDim: 4,
  widths: [1, 2],
  filters: 3,
  minCount: 1,
  buckets: 2,
  vocabHashSeed: 1,
  wideFeatures: wideRecipe(6, 3),
  train: {
    epochs: 3,
    batch: 4,
    learningRate: 0.05,
    learningRateDecay: 0.9,
    wideLearningRate: 1,
    weightDecay: 0,
    dropout: 0.2,
    maxLen: 4,
    crop: "random",
    patience: 3,
    checksPerEpoch: 1,
  },
  sourceWeights: {},
  maxLen: 8,
  selection: "test",
};

test("same seed and data give bit-identical weights, and the stored artifact is what gets scored", () => {
  const data = { train: rows(60, 0), valid: rows(10, 1), evalRows: rows(10, 0) };
  const labels = ["negative", "positive"];
  const a = trainCharCnn(tiny, data, labels, 1, () => {});
  const b = trainCharCnn(tiny, data, labels, 1, () => {});
  expect(Buffer.from(a.blob).equals(Buffer.from(b.blob))).toBe(true);
  const c = trainCharCnn(tiny, data, labels, 2, () => {});
  expect(Buffer.from(a.blob).equals(Buffer.from(c.blob))).toBe(false);
  // The separable toy task is learnt, through the stored (float16) artifact.
  expect(a.eval.accuracy).toBeGreaterThanOrEqual(0.9);
  expect(layout(decodeCnn(JSON.parse(JSON.stringify(a.header)), a.blob).config).size).toBe(
    a.params.cnn + a.params.wide,
  );
});

test("non-finite weights, repeated labels and vocabulary entries no text can produce are refused", () => {
  const model = randomCnn(11, { classes: 2, widths: [1, 2], wideBits: 8 });
  const meta = {
    labels: model.header.labels,
    maxLen: 12,
    vocab: model.header.vocab,
    wideFeatures: model.header.wideFeatures,
  };
  const nan = model.params.slice();
  nan[model.layout.out] = Number.NaN;
  const { header, blob } = encodeCnn(meta, model.config, nan);
  expect(() => decodeCnn(header, blob)).toThrow(/not finite/);
  const ok = encodeCnn(meta, model.config, model.params);
  expect(() => decodeCnn({ ...ok.header, labels: ["a", "a"] }, ok.blob)).toThrow(/repeat/);
  for (const entry of ["Ａ", "A", "ab", "5"]) {
    const chars = [...ok.header.vocab.chars];
    chars[0] = entry;
    expect(() =>
      decodeCnn({ ...ok.header, vocab: { ...ok.header.vocab, chars } }, ok.blob),
    ).toThrow(/not one normalised character/);
  }
});
