// Experiment CLI: trains the char-CNN on sentiment-zh/train.jsonl (early stopping on a seeded
// 10% of the weak-labelled chat) and reports accuracy on the hand-labelled dev.jsonl, which is
// never used for training or for choosing epochs. Usage: npx tsx ml/cnn/cli.ts --help
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import type { FeatureConfig } from "../features/config.ts";
import { extract } from "../features/extract.ts";
import { labelSet, parseJsonl, stratifiedSplit } from "../train/dataset.ts";
import type { CnnConfig } from "./model.ts";
import { layout } from "./model.ts";
import { metricsOf, predictAll, type Sample, trainCnn } from "./train.ts";
import { buildVocab, encode, textChars } from "./vocab.ts";

const { values: a } = parseArgs({
  options: {
    data: { type: "string", default: "../shared/data/sentiment-zh" },
    emb: { type: "string", default: "32" },
    filters: { type: "string", default: "64" },
    widths: { type: "string", default: "2,3,4" },
    "max-len": { type: "string", default: "64" },
    crop: { type: "string", default: "head" },
    epochs: { type: "string", default: "4" },
    batch: { type: "string", default: "64" },
    lr: { type: "string", default: "0.002" },
    "lr-decay": { type: "string", default: "0.7" },
    "wide-lr": { type: "string", default: "1" },
    wd: { type: "string", default: "0" },
    dropout: { type: "string", default: "0.5" },
    "min-count": { type: "string", default: "2" },
    buckets: { type: "string", default: "256" },
    "chat-weight": { type: "string", default: "2" },
    wide: { type: "string", default: "0" },
    seeds: { type: "string", default: "1" },
    patience: { type: "string", default: "3" },
    checks: { type: "string", default: "2" },
    limit: { type: "string", default: "0" },
    name: { type: "string", default: "" },
    out: { type: "string", default: "/tmp/cnn-runs.jsonl" },
    /** Writes the first seed's trained parameters, vocabulary and config as JSON here. */
    save: { type: "string" },
  },
});
const num = (k: keyof typeof a) => Number(a[k]);
const log = (s: string) => process.stderr.write(`${s}\n`);

const zhWide: FeatureConfig = {
  version: 1,
  language: "zh",
  dimensionBits: num("wide"),
  hashSeed: 0x5eed,
  signedHash: true,
  normalise: { nfkc: true, lowercase: true, punctuation: "fold", foldDigits: true },
  charNgrams: [1, 3],
  wordNgrams: null,
  boundaryMarkers: true,
  sublinearTf: true,
  l2Normalise: true,
};

const dir = resolve(a.data!);
const all = parseJsonl(readFileSync(`${dir}/train.jsonl`, "utf8"));
const dev = parseJsonl(readFileSync(`${dir}/dev.jsonl`, "utf8"));
const CHAT = "conversation_weak_labels";
// The same split as ml/train/cli.ts with seed 1: 10% of the weak-labelled chat validates.
const { left, right } = stratifiedSplit(
  all.filter((r) => r.source === CHAT),
  0.1,
  1,
);
let trainRows = [...all.filter((r) => r.source !== CHAT), ...left];
const limit = num("limit");
if (limit > 0)
  trainRows = trainRows.filter((_, i) => i % Math.ceil(trainRows.length / limit) === 0);
const labels = labelSet(all);
const vocab = buildVocab(
  trainRows.map((r) => r.text),
  num("min-count"),
  num("buckets"),
);
const wideOn = num("wide") > 0;
const toSamples = (rows: typeof all): Sample[] =>
  rows.map((r) => ({
    ids: encode(vocab, textChars(r.text), Number.MAX_SAFE_INTEGER),
    wide: wideOn ? extract(r.text, zhWide) : null,
    y: labels.indexOf(r.label),
    weight: r.source === CHAT ? num("chat-weight") : 1,
  }));
const trainS = toSamples(trainRows);
const validS = toSamples(right);
const devS = toSamples(dev);
const config: CnnConfig = {
  vocab: vocab.size,
  embDim: num("emb"),
  widths: a.widths!.split(",").map(Number),
  filters: num("filters"),
  classes: labels.length,
  wideDim: wideOn ? 2 ** num("wide") : 0,
};
const l = layout(config);
log(
  `train ${trainS.length}, validation ${validS.length}, dev ${devS.length}; vocab ${vocab.chars.length} chars + ${vocab.buckets} buckets; params ${l.cnnSize} CNN + ${l.size - l.cnnSize} wide`,
);
const opts = {
  epochs: num("epochs"),
  batch: num("batch"),
  learningRate: num("lr"),
  learningRateDecay: num("lr-decay"),
  wideLearningRate: num("wide-lr"),
  weightDecay: num("wd"),
  dropout: num("dropout"),
  maxLen: num("max-len"),
  crop: a.crop as "head" | "random",
  patience: num("patience"),
  checksPerEpoch: num("checks"),
  seed: 1,
};
const seeds = a.seeds!.split(",").map(Number);
const t0 = performance.now();
const validProbs: Float64Array[][] = [];
const devProbs: Float64Array[][] = [];
const members: { seed: number; bestCheck: number; validation: number; dev: number }[] = [];
for (const seed of seeds) {
  const t = performance.now();
  const r = trainCnn(config, trainS, validS, { ...opts, seed }, log);
  if (a.save && seed === seeds[0]) {
    const bytes = new Uint8Array(r.params.buffer, r.params.byteOffset, r.params.byteLength);
    const saved = {
      config,
      opts: { ...opts, seed },
      labels,
      vocab: { chars: vocab.chars, buckets: vocab.buckets, hashSeed: vocab.hashSeed },
      wide: wideOn ? zhWide : null,
      params: Buffer.from(bytes).toString("base64"),
    };
    writeFileSync(a.save, JSON.stringify(saved));
  }
  const vp = predictAll(config, r.params, validS, opts.maxLen);
  const dp = predictAll(config, r.params, devS, opts.maxLen);
  validProbs.push(vp);
  devProbs.push(dp);
  const d = metricsOf(dp, devS, config.classes);
  members.push({
    seed,
    bestCheck: r.bestCheck,
    validation: r.bestValidation.accuracy,
    dev: d.accuracy,
  });
  log(
    `seed ${seed}: ${((performance.now() - t) / 1000).toFixed(1)} s, best check ${r.bestCheck}, validation ${(r.bestValidation.accuracy * 100).toFixed(2)}%, dev ${(d.accuracy * 100).toFixed(2)}% (macro-F1 ${(d.macroF1 * 100).toFixed(2)}%)`,
  );
}
const avg = (ps: Float64Array[][]) =>
  ps[0]!.map((_, i) => {
    const o = new Float64Array(config.classes);
    for (const p of ps) for (let j = 0; j < o.length; j++) o[j]! += p[i]![j]! / ps.length;
    return o;
  });
const v = metricsOf(avg(validProbs), validS, config.classes);
const d = metricsOf(avg(devProbs), devS, config.classes);
const seconds = (performance.now() - t0) / 1000;
const result = {
  name: a.name,
  args: a,
  params: { cnn: l.cnnSize, wide: l.size - l.cnnSize },
  seconds: Math.round(seconds),
  validation: v.accuracy,
  dev: d.accuracy,
  devMacroF1: d.macroF1,
  members,
};
log(
  `RESULT ${a.name}: ${seconds.toFixed(0)} s, validation ${(v.accuracy * 100).toFixed(2)}%, dev ${(d.accuracy * 100).toFixed(2)}%, dev macro-F1 ${(d.macroF1 * 100).toFixed(2)}%`,
);
appendFileSync(a.out!, `${JSON.stringify(result)}\n`);
