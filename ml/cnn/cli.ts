// Experiment CLI for the char-CNN: trains a variant of the shipped sentiment-zh preset
// (ml/train/tasks.ts) on the same split as `npm run train` and appends one JSON line with its
// validation (weak-labelled chat, the selection criterion) and dev accuracy. Dev is never
// trained on, but a dev figure seen while choosing is no longer blind: say so when a variant
// is adopted. Writes no artifact (`npm run train -- --task sentiment-zh-base` does).
// Usage: npx tsx ml/cnn/cli.ts [--emb 48 --filters 96 --widths 1,2,3 --wide 18 ...]
import { appendFileSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { labelSet, parseJsonl, stratifiedSplit } from "../train/dataset.ts";
import { PRESETS } from "../train/tasks.ts";
import { trainCharCnn } from "./task.ts";

const base = PRESETS["sentiment-zh-base"].charCnn!;
const t = base.train;
const { values: a } = parseArgs({
  options: {
    data: { type: "string", default: "../shared/data/sentiment-zh" },
    emb: { type: "string", default: String(base.embDim) },
    filters: { type: "string", default: String(base.filters) },
    widths: { type: "string", default: base.widths.join(",") },
    "max-len": { type: "string", default: String(t.maxLen) },
    "serve-len": { type: "string", default: String(base.maxLen) },
    crop: { type: "string", default: t.crop },
    epochs: { type: "string", default: String(t.epochs) },
    batch: { type: "string", default: String(t.batch) },
    lr: { type: "string", default: String(t.learningRate) },
    "lr-decay": { type: "string", default: String(t.learningRateDecay) },
    "wide-lr": { type: "string", default: String(t.wideLearningRate) },
    wd: { type: "string", default: String(t.weightDecay) },
    dropout: { type: "string", default: String(t.dropout) },
    "min-count": { type: "string", default: String(base.minCount) },
    buckets: { type: "string", default: String(base.buckets) },
    "chat-weight": {
      type: "string",
      default: String(base.sourceWeights.conversation_weak_labels ?? 1),
    },
    /** log2 of the wide part's hashed dimension; 0 for the CNN alone. */
    wide: { type: "string", default: String(base.wideFeatures?.dimensionBits ?? 0) },
    seed: { type: "string", default: "1" },
    patience: { type: "string", default: String(t.patience) },
    checks: { type: "string", default: String(t.checksPerEpoch) },
    /** Train on about this many rows (a quick smoke run); 0 for all. */
    limit: { type: "string", default: "0" },
    name: { type: "string", default: "" },
    out: { type: "string", default: "/tmp/cnn-runs.jsonl" },
  },
});
const num = (k: keyof typeof a) => Number(a[k]);
const log = (s: string) => process.stderr.write(`${s}\n`);

const dir = resolve(a.data!);
const all = parseJsonl(readFileSync(`${dir}/train.jsonl`, "utf8"));
const dev = parseJsonl(readFileSync(`${dir}/dev.jsonl`, "utf8"));
const CHAT = "conversation_weak_labels";
// The split of ml/train/cli.ts with seed 1: 10% of the weak-labelled chat validates.
const { left, right } = stratifiedSplit(
  all.filter((r) => r.source === CHAT),
  0.1,
  1,
);
let train = [...all.filter((r) => r.source !== CHAT), ...left];
const limit = num("limit");
if (limit > 0) train = train.filter((_, i) => i % Math.ceil(train.length / limit) === 0);
const crop = a.crop === "head" ? "head" : "random";
const wideBits = num("wide");
const preset = {
  ...base,
  embDim: num("emb"),
  widths: a.widths!.split(",").map(Number),
  filters: num("filters"),
  minCount: num("min-count"),
  buckets: num("buckets"),
  wideFeatures:
    wideBits > 0 && base.wideFeatures ? { ...base.wideFeatures, dimensionBits: wideBits } : null,
  train: {
    epochs: num("epochs"),
    batch: num("batch"),
    learningRate: num("lr"),
    learningRateDecay: num("lr-decay"),
    wideLearningRate: num("wide-lr"),
    weightDecay: num("wd"),
    dropout: num("dropout"),
    maxLen: num("max-len"),
    crop,
    patience: num("patience"),
    checksPerEpoch: num("checks"),
  },
  sourceWeights: { [CHAT]: num("chat-weight") },
  maxLen: num("serve-len"),
} as const;

const started = performance.now();
const r = trainCharCnn(
  preset,
  { train, valid: right, evalRows: dev },
  labelSet(all),
  num("seed"),
  log,
);
const seconds = Math.round((performance.now() - started) / 1000);
const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
log(
  `RESULT ${a.name}: ${seconds} s, best check ${r.bestCheck}/${r.checks}, validation ${pct(r.validation.accuracy)}, dev ${pct(r.eval.accuracy)} (macro-F1 ${pct(r.eval.macroF1)})`,
);
appendFileSync(
  a.out!,
  `${JSON.stringify({
    name: a.name,
    args: a,
    params: r.params,
    seconds,
    validation: r.validation.accuracy,
    dev: r.eval.accuracy,
    devMacroF1: r.eval.macroF1,
  })}\n`,
);
