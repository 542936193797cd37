// Built-in task presets: the feature recipe and hyper-parameters each task trains with.
// Chosen on validation slices carved from TRAIN only, never on the reported eval sets.
import type { FeatureConfig } from "../features/config.ts";
import type { FeatureWeighting } from "./feature-weights.ts";
import type { TrainOptions } from "./trainer.ts";

export type Preset = {
  featureConfig: FeatureConfig;
  train: Omit<TrainOptions, "seed">;
  /** Per-`source` example weights; unlisted sources weigh 1. */
  sourceWeights: Record<string, number>;
  /** Per-feature input scaling learned from train and folded into the weights at export. */
  weighting: FeatureWeighting;
  /** Drop training rows longer than this many characters; validation and eval keep all. */
  maxTrainChars: number | null;
};

const none: FeatureWeighting = { kind: "none" };

const zhFeatures: FeatureConfig = {
  version: 1,
  language: "zh",
  dimensionBits: 18,
  hashSeed: 0x5eed,
  signedHash: true,
  normalise: { nfkc: true, lowercase: true, punctuation: "fold", foldDigits: true },
  charNgrams: [1, 3],
  wordNgrams: null,
  boundaryMarkers: true,
  sublinearTf: true,
  l2Normalise: true,
};

const enFeatures: FeatureConfig = {
  version: 1,
  language: "en",
  dimensionBits: 14,
  hashSeed: 0x5eed,
  signedHash: true,
  normalise: { nfkc: true, lowercase: true, punctuation: "keep", foldDigits: true },
  charNgrams: [3, 5],
  wordNgrams: [1, 2],
  boundaryMarkers: true,
  sublinearTf: true,
  l2Normalise: true,
};

const linear: Omit<TrainOptions, "seed"> = {
  kind: "linear",
  hidden: 0,
  epochs: 12,
  learningRate: 0.01,
  learningRateDecay: 0.7,
  // Chosen on the train-side validation slices: 1e-6 overfits (train loss → 0.01).
  weightDecay: 0.01,
  patience: 3,
};

export const PRESETS: Record<"sentiment-zh" | "intent-en" | "custom-zh" | "custom-en", Preset> = {
  "sentiment-zh": {
    featureConfig: zhFeatures,
    train: linear,
    // The dev set is hand-labelled chat; the weak-labelled chat is the only in-domain train data.
    sourceWeights: { conversation_weak_labels: 4 },
    // NB weighting, char [1,2], chat ×8 and rows ≤ 20 chars raised validation (weak-labelled
    // chat) from 93.61% to 96.24% but lowered dev from 83.25% to 82.14%: past the labels' ~94%
    // accuracy the slice rewards copying the weak labeller, so it cannot choose these settings.
    weighting: none,
    maxTrainChars: null,
  },
  "intent-en": {
    featureConfig: enFeatures,
    train: { ...linear, weightDecay: 0.05 },
    sourceWeights: {},
    weighting: none,
    maxTrainChars: null,
  },
  "custom-zh": {
    featureConfig: { ...zhFeatures, dimensionBits: 16 },
    train: linear,
    sourceWeights: {},
    weighting: none,
    maxTrainChars: null,
  },
  "custom-en": {
    featureConfig: enFeatures,
    train: linear,
    sourceWeights: {},
    weighting: none,
    maxTrainChars: null,
  },
};
