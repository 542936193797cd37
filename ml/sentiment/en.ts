// sentiment-en, three classes: a hashed n-gram model of its own (ml/train's trainer), trained
// on the English rows of our sales-call train split, early-stopped on the English dev rows
// and calibrated there by a temperature folded into its last layer.

import { SENTIMENT_LABELS } from "../data/corpus.ts";
import { type FeatureConfig, FeatureConfigSchema } from "../features/config.ts";
import { extract } from "../features/extract.ts";
import { decodeModel, encodeModel } from "../train/codec.ts";
import { averageLogits } from "../train/ensemble.ts";
import { type Model, predict } from "../train/model.ts";
import { type Example, type TrainOptions, train } from "../train/trainer.ts";
import { type Calibration, foldCalibrationSparse } from "./fold.ts";
import { fitCalibration } from "./report.ts";
import { type ValenceRecipe, valenceFor } from "./valence-en.ts";
import type { LabelledText } from "./zh.ts";

export type EnPreset = {
  /** The n-gram recipe; the valence block joins it from `valence` (its tables are large). */
  featureConfig: Omit<FeatureConfig, "valence">;
  valence: ValenceRecipe | null;
  /**
   * Train-only rows written after the split (relative to ml/data/sales-calls, or absolute):
   * a resolved.jsonl whose English rows join the train split's; null for none.
   */
  supplement: string | null;
  train: Omit<TrainOptions, "seed">;
  /** Members trained with seeds seed, seed+1, …, their logits averaged into one model. */
  members: number;
  /** Weigh each class's rows by N / (classes · rows of the class), so none dominates. */
  classBalanced: boolean;
  /** "neutral-shift": after the temperature, shift the neutral logit for balanced dev recall. */
  decision: "argmax" | "neutral-shift";
  selection: string;
};

export type EnTrained = {
  /** As stored (first layer float16), calibrated. */
  model: Model;
  uncalibrated: Model;
  calibration: Calibration;
  /** Epochs each member ran, and the one it kept. */
  epochs: Array<{ run: number; best: number }>;
};

/** As stored: encoded (first layer float16) and decoded again. */
const stored = (m: Model): Model => {
  const { header, blob } = encodeModel(m);
  return decodeModel(JSON.parse(JSON.stringify(header)), blob);
};

export function trainEn(
  preset: EnPreset,
  data: { train: readonly LabelledText[]; dev: readonly LabelledText[] },
  seed: number,
  log: (s: string) => void,
): EnTrained {
  const labels: string[] = [...SENTIMENT_LABELS];
  const fc = FeatureConfigSchema.parse({
    ...preset.featureConfig,
    ...(preset.valence ? { valence: valenceFor(preset.valence) } : {}),
  });
  const count = (l: string) => data.train.filter((r) => r.label === l).length;
  const classWeight = labels.map((l) =>
    preset.classBalanced ? data.train.length / (labels.length * Math.max(1, count(l))) : 1,
  );
  const examples = (rows: readonly LabelledText[], weighted: boolean): Example[] =>
    rows.map((r) => {
      const y = labels.indexOf(r.label);
      if (y < 0) throw new Error(`label ${r.label} is not one of ${labels.join(", ")}`);
      return { x: extract(r.text, fc), y, weight: weighted ? classWeight[y]! : 1 };
    });
  const trainEx = examples(data.train, true);
  const devEx = examples(data.dev, false);
  log(
    `sentiment-en: ${trainEx.length} train rows, ${devEx.length} dev rows, ${preset.members} member(s)`,
  );
  const runs = Array.from({ length: preset.members }, (_, m) =>
    train(trainEx, devEx, labels, fc, { ...preset.train, seed: seed + m }, (r) =>
      log(
        `member ${m + 1} epoch ${r.epoch}: loss ${r.loss.toFixed(4)}, dev accuracy ${(r.validation.accuracy * 100).toFixed(2)}%${r.best ? " *" : ""}`,
      ),
    ),
  );
  const uncalibrated = stored(averageLogits(runs.map((r) => r.model)));
  const calibration = fitCalibration(
    devEx.map((e) => predict(uncalibrated, e.x)),
    devEx.map((e) => e.y),
    labels.length,
    preset.decision === "neutral-shift" ? labels.indexOf("neutral") : null,
  );
  log(
    `calibration on ${devEx.length} dev rows: T = ${calibration.temperature.toFixed(3)}, shift ${JSON.stringify(calibration.shift)}`,
  );
  return {
    model: stored(foldCalibrationSparse(averageLogits(runs.map((r) => r.model)), calibration)),
    uncalibrated,
    calibration,
    epochs: runs.map((r) => ({
      run: r.history.length,
      best: r.history.findLast((h) => h.best)?.epoch ?? 0,
    })),
  };
}
