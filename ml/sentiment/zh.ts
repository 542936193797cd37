// sentiment-zh, three classes: the shipped two-class char-CNN (models/sentiment-zh/base)
// widened with a neutral class and the in-domain corpus's new characters (ml/cnn/widen.ts),
// then fine-tuned on a mix of our sales-call train split and public rows drawn afresh each
// epoch; the best check on the in-domain dev split ships, with a temperature fitted on dev
// folded into its logits.
import { mulberry32 } from "../../core/prng.ts";
import { type CnnArtifact, type CnnHeader, decodeCnn, encodeCnn } from "../cnn/artifact.ts";
import { predictor } from "../cnn/predict.ts";
import type { CnnTrainOptions, Sample } from "../cnn/train.ts";
import { trainCnn } from "../cnn/train.ts";
import { widenCnn } from "../cnn/widen.ts";
import { SENTIMENT_LABELS } from "../data/corpus.ts";
import { extract } from "../features/extract.ts";
import { encode, textChars, type Vocab } from "../features/vocab.ts";
import { type Calibration, foldCalibrationCnn } from "./fold.ts";
import { fitCalibration } from "./report.ts";

export type ZhAdaptPreset = {
  /** Characters seen at least this often in the in-domain train rows join the vocabulary. */
  newCharMinCount: number;
  /** Weight of an in-domain example; a public one weighs 1. */
  inDomainWeight: number;
  /** Public rows drawn (seeded, without replacement) for each epoch. */
  publicPerEpoch: number;
  /**
   * How a public row (labelled negative or positive, never neutral) trains the three-class
   * head: "polar-only", cross-entropy over negative vs positive alone, so it says which pole
   * and nothing about neutrality; "three-way", over all three, so it also says "not neutral".
   */
  publicLoss: "polar-only" | "three-way";
  /** "neutral-shift": after the temperature, shift the neutral logit for balanced dev recall. */
  decision: "argmax" | "neutral-shift";
  train: Omit<CnnTrainOptions, "seed">;
  selection: string;
};

export type LabelledText = { text: string; label: string };

export type ZhAdapted = {
  /** Calibrated: the temperature is folded in. */
  header: CnnHeader;
  blob: Uint8Array;
  /** The same weights before calibration, to report what temperature scaling changed. */
  uncalibrated: CnnArtifact;
  calibration: Calibration;
  newChars: string[];
  bestCheck: number;
  checks: number;
};

/** In-domain characters the base vocabulary lacks, most frequent first (then by code point). */
export function newCharacters(vocab: Vocab, texts: readonly string[], minCount: number): string[] {
  const counts = new Map<string, number>();
  for (const t of texts)
    for (const ch of textChars(t))
      if (!vocab.index.has(ch) && ch.trim() !== "") counts.set(ch, (counts.get(ch) ?? 0) + 1);
  return [...counts.entries()]
    .filter(([, n]) => n >= minCount)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([c]) => c);
}

export function adaptZh(
  base: CnnArtifact,
  preset: ZhAdaptPreset,
  data: {
    train: readonly LabelledText[];
    dev: readonly LabelledText[];
    publicTrain: readonly LabelledText[];
  },
  seed: number,
  log: (s: string) => void,
): ZhAdapted {
  const labels: string[] = [...SENTIMENT_LABELS];
  const newChars = newCharacters(
    base.vocab,
    data.train.map((r) => r.text),
    preset.newCharMinCount,
  );
  const widened = widenCnn(base, labels, newChars);
  const wide = base.header.wideFeatures;
  const polar = [labels.indexOf("negative"), labels.indexOf("positive")];
  const sample = (r: LabelledText, weight: number, among?: readonly number[]): Sample => {
    const y = labels.indexOf(r.label);
    if (y < 0) throw new Error(`label ${r.label} is not one of ${labels.join(", ")}`);
    return {
      ids: encode(widened.vocab, textChars(r.text), Number.MAX_SAFE_INTEGER),
      wide: wide ? extract(r.text, wide) : null,
      y,
      weight,
      ...(among ? { among } : {}),
    };
  };
  const inDomain = data.train.map((r) => sample(r, preset.inDomainWeight));
  const dev = data.dev.map((r) => sample(r, 1));
  const publicAmong = preset.publicLoss === "polar-only" ? polar : undefined;
  const cache = new Map<number, Sample>();
  const publicSample = (i: number) => {
    let s = cache.get(i);
    if (!s) {
      s = sample(data.publicTrain[i]!, 1, publicAmong);
      cache.set(i, s);
    }
    return s;
  };
  const draw = Math.min(preset.publicPerEpoch, data.publicTrain.length);
  /** Each epoch: every in-domain row plus a fresh seeded draw of public rows. */
  const epochRows = (epoch: number): Sample[] => {
    const rng = mulberry32((seed * 0x9e3779b1 + epoch) >>> 0);
    const idx = Int32Array.from(data.publicTrain.keys());
    for (let i = 0; i < draw; i++) {
      const j = i + Math.floor(rng() * (idx.length - i));
      const t = idx[i]!;
      idx[i] = idx[j]!;
      idx[j] = t;
    }
    return [...inDomain, ...Array.from(idx.subarray(0, draw), publicSample)];
  };
  log(
    `sentiment-zh adapt: ${inDomain.length} in-domain rows ×${preset.inDomainWeight} + ${draw} public rows per epoch (${preset.publicLoss}); ${newChars.length} new characters; ${dev.length} dev rows`,
  );
  const trained = trainCnn(
    widened.config,
    epochRows,
    dev,
    { ...preset.train, seed },
    log,
    widened.params,
  );
  const meta = {
    labels,
    maxLen: base.header.maxLen,
    vocab: {
      chars: [...widened.vocab.chars],
      buckets: widened.vocab.buckets,
      hashSeed: widened.vocab.hashSeed,
    },
    wideFeatures: wide,
  };
  // Calibrated on dev as stored (float16 tables), read as the worker reads.
  const raw = encodeCnn(meta, widened.config, trained.params);
  const uncalibrated = decodeCnn(JSON.parse(JSON.stringify(raw.header)), raw.blob);
  const predict = predictor(uncalibrated);
  const calibration = fitCalibration(
    data.dev.map((r) => predict(r.text)),
    data.dev.map((r) => labels.indexOf(r.label)),
    labels.length,
    preset.decision === "neutral-shift" ? labels.indexOf("neutral") : null,
  );
  log(
    `calibration on ${dev.length} dev rows: T = ${calibration.temperature.toFixed(3)}, shift ${JSON.stringify(calibration.shift)}`,
  );
  const { header, blob } = encodeCnn(
    meta,
    widened.config,
    foldCalibrationCnn(widened.config, trained.params, calibration),
  );
  return {
    header,
    blob,
    uncalibrated,
    calibration,
    newChars,
    bestCheck: trained.bestCheck,
    checks: trained.history.length,
  };
}
