// `npm run train -- --task sentiment-zh-base` for the char-CNN: trains the wide & deep model (a
// char-CNN plus hashed n-grams added to its logits), stores it as a lifeline-char-cnn/1
// artifact and scores the STORED artifact (float16 tables, as shipped) through the same
// reading of a text the inference worker does (predict.ts), so the metrics are those of
// what ships.
import type { FeatureConfig } from "../features/config.ts";
import { extract } from "../features/extract.ts";
import { buildVocab, encode, textChars } from "../features/vocab.ts";
import { argmax } from "../serve/argmax.ts";
import type { Row } from "../train/dataset.ts";
import { evaluate, type Metrics } from "../train/metrics.ts";
import { type CnnHeader, decodeCnn, encodeCnn } from "./artifact.ts";
import { type CnnConfig, layout } from "./model.ts";
import { predictor } from "./predict.ts";
import { type CnnTrainOptions, type Sample, trainCnn } from "./train.ts";

export type CharCnnPreset = {
  embDim: number;
  widths: number[];
  filters: number;
  /** Characters seen fewer times in train share hashed out-of-vocabulary ids. */
  minCount: number;
  buckets: number;
  vocabHashSeed: number;
  /** The wide part's n-gram recipe; null for a CNN alone. */
  wideFeatures: FeatureConfig | null;
  train: Omit<CnnTrainOptions, "seed">;
  /** Per-`source` example weights; unlisted sources weigh 1. */
  sourceWeights: Record<string, number>;
  /** Characters read at serving and evaluation (training reads random `train.maxLen` crops). */
  maxLen: number;
  selection: string;
};

export type CnnTaskResult = {
  header: CnnHeader;
  blob: Uint8Array;
  eval: Metrics;
  validation: Metrics;
  bestCheck: number;
  checks: number;
  params: { cnn: number; wide: number };
  vocabChars: number;
  /** Longest normalised text in the eval and validation rows: what the metrics cover. */
  longestChars: { eval: number; validation: number };
};

export function trainCharCnn(
  preset: CharCnnPreset,
  data: { train: readonly Row[]; valid: readonly Row[]; evalRows: readonly Row[] },
  labels: string[],
  seed: number,
  log: (s: string) => void,
): CnnTaskResult {
  const vocab = buildVocab(
    data.train.map((r) => r.text),
    preset.minCount,
    preset.buckets,
    preset.vocabHashSeed,
  );
  const wide = preset.wideFeatures;
  const samples = (rows: readonly Row[], weighted: boolean): Sample[] =>
    rows.map((r) => ({
      // Untruncated: training crops a window of train.maxLen each time it sees the row.
      ids: encode(vocab, textChars(r.text), Number.MAX_SAFE_INTEGER),
      wide: wide ? extract(r.text, wide) : null,
      y: labels.indexOf(r.label),
      weight: weighted ? (preset.sourceWeights[r.source ?? ""] ?? 1) : 1,
    }));
  const config: CnnConfig = {
    vocab: vocab.size,
    embDim: preset.embDim,
    widths: preset.widths,
    filters: preset.filters,
    classes: labels.length,
    wideDim: wide ? 2 ** wide.dimensionBits : 0,
  };
  const l = layout(config);
  log(
    `char-CNN: vocabulary ${vocab.chars.length} chars + ${vocab.buckets} buckets; ${l.cnnSize} CNN + ${l.size - l.cnnSize} wide parameters`,
  );
  const trained = trainCnn(
    config,
    samples(data.train, true),
    samples(data.valid, false),
    { ...preset.train, seed },
    log,
  );
  const { header, blob } = encodeCnn(
    {
      labels,
      maxLen: preset.maxLen,
      vocab: { chars: [...vocab.chars], buckets: vocab.buckets, hashSeed: vocab.hashSeed },
      wideFeatures: wide,
    },
    config,
    trained.params,
  );
  // Scored as stored and as served: decoded float16 tables, the worker's reading of a text.
  const predict = predictor(decodeCnn(JSON.parse(JSON.stringify(header)), blob));
  const score = (rows: readonly Row[]) => {
    const kept = rows.filter((r) => labels.includes(r.label));
    return evaluate(
      kept.map((r) => labels.indexOf(r.label)),
      kept.map((r) => argmax(predict(r.text))),
      labels.length,
    );
  };
  return {
    header,
    blob,
    eval: score(data.evalRows),
    validation: score(data.valid),
    bestCheck: trained.bestCheck,
    checks: trained.history.length,
    params: { cnn: l.cnnSize, wide: l.size - l.cnnSize },
    vocabChars: vocab.chars.length,
    longestChars: {
      eval: Math.max(0, ...data.evalRows.map((r) => textChars(r.text).length)),
      validation: Math.max(0, ...data.valid.map((r) => textChars(r.text).length)),
    },
  };
}
