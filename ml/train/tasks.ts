// Built-in task presets: the feature recipe and hyper-parameters each task trains with.
// Chosen on validation slices carved from TRAIN only, never on the reported eval sets.
import type { CharCnnPreset } from "../cnn/task.ts";
import { type FeatureConfig, zhCharRecipe } from "../features/config.ts";
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
  /**
   * Members trained with seeds seed, seed+1, …; their logits are averaged into one model of
   * the same shape (`ensemble.ts`), so serving cost is that of one wider model.
   */
  members: number;
  /**
   * null: ship the validation-stopped members. A number: after the validation run, refit every
   * member on train ∪ validation for exactly this many epochs and ship those.
   */
  refitEpochs: number | null;
  /** How this configuration was chosen, for metrics.json and the model card. */
  selection: string;
  /**
   * When set, the task trains this char-CNN (ml/cnn) instead of the n-gram model above;
   * `--kind linear|mlp` still trains the n-gram model, for comparison.
   */
  charCnn?: CharCnnPreset;
};

const none: FeatureWeighting = { kind: "none" };

const zhFeatures: FeatureConfig = zhCharRecipe({ hashSeed: 0x5eed });

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

/** A tenant's own data (`--data`): one linear model with the library defaults. */
function custom(featureConfig: FeatureConfig): Preset {
  return {
    featureConfig,
    train: linear,
    sourceWeights: {},
    weighting: none,
    maxTrainChars: null,
    members: 1,
    refitEpochs: null,
    selection: "Library defaults; nothing was tuned on this data.",
  };
}

export const PRESETS: Record<
  "sentiment-zh-base" | "intent-en" | "custom-zh" | "custom-en",
  Preset
> = {
  "sentiment-zh-base": {
    featureConfig: zhFeatures,
    train: linear,
    // The dev set is hand-labelled chat; the weak-labelled chat is the only in-domain train data.
    sourceWeights: { conversation_weak_labels: 4 },
    // NB weighting, char [1,2], chat ×8 and rows ≤ 20 chars raised validation (weak-labelled
    // chat) from 93.61% to 96.24% but lowered dev from 83.25% to 82.14%: past the labels' ~94%
    // accuracy the slice rewards copying the weak labeller, so it cannot choose these settings.
    weighting: none,
    maxTrainChars: null,
    members: 1,
    refitEpochs: null,
    // 2026-11 search for the 88% dev target (23 alternatives scored on dev, none adopted):
    // chat ×1/×16 or chat only 82.3–83.0; char [1,2] 83.5, [1,4] 82.1, [1,1] 81.1; D = 2^20
    // 84.1 (4× the artifact, within dev's ±0.6% standard error); weight decay 0.003/0.03 and lr
    // 0.003 82.5–83.2; class-balanced chat 83.1; label smoothing 0.1 83.1; dropping/flipping
    // weak rows the model (or a 4-fold cross-fit) disagrees with 82.2–83.9; no L2 norm 81.5; no
    // boundary marks 83.4; one-hidden-layer MLPs 79.4–81.5, a 4-MLP ensemble 81.5.
    charCnn: {
      embDim: 48,
      widths: [1, 2, 3],
      filters: 96,
      minCount: 2,
      buckets: 256,
      vocabHashSeed: 0x5eed,
      wideFeatures: zhFeatures,
      train: {
        epochs: 5,
        batch: 64,
        learningRate: 0.002,
        learningRateDecay: 0.7,
        wideLearningRate: 2,
        weightDecay: 0,
        dropout: 0.5,
        maxLen: 32,
        crop: "random",
        patience: 3,
        checksPerEpoch: 2,
      },
      sourceWeights: { conversation_weak_labels: 2 },
      // Reads the head of long utterances only; max-over-time pooling would take any length,
      // but the model never saw more than 32 characters at once and each one costs conv time.
      maxLen: 64,
      selection:
        "Chosen by the train-side validation slice (10% of the weak-labelled chat) among four single-model configurations run with `npx tsx ml/cnn/cli.ts`: A char-CNN (emb 32, 64 filters of widths 2–4, head 64 chars) 93.20%; B the same plus hashed char 1–3-grams (D = 2^18) added to the logits 94.52%; C wide & deep with emb 48, 96 filters of widths 1–3, random 32-char crops 94.99% (chosen); D C without the wide part 93.81%. A 2-seed ensemble of C scored 95.23% on validation but doubles serving cost and was not considered. Caveat: every run also printed its dev accuracy (A 84.15%, B 84.67%, C 85.25%, D 84.55%, the ensemble 85.10%) and each configuration was designed after seeing the previous ones, so the dev figure is not perfectly blind; the sealed test set in ../eval is the unbiased one. The n-gram model this replaced scores 83.25% on dev (`npm run train -- --task sentiment-zh-base --kind linear --out /tmp/linear`).",
    },
    selection:
      "Unchanged configuration, chosen on the train-side validation slice. dev.jsonl was NOT used to choose it: 23 alternative configurations were scored on dev while looking for a better model (best 84.09%, D = 2^20, within dev's ±0.6% standard error) and none was adopted. The unbiased figure is the sealed test set in ../eval, which we cannot read.",
  },
  "intent-en": {
    featureConfig: enFeatures,
    // Four 32-unit ReLU MLPs (seeds 1–4), logits averaged, refit on train ∪ validation for the
    // validation run's best epoch count. 3-fold CV on the training 80% (never the eval 20%):
    // this 88.73%, the same at D = 2^13 88.62%, the single linear model 87.63%. Measured after
    // the choice was fixed: the D = 2^13 variant (half the 4.1 MB float16 ONNX) scores 89.99%
    // on the eval split vs 90.19% here; take it if the Worker upload (8.1 MiB gzip) gets tight.
    train: { ...linear, kind: "mlp", hidden: 32, learningRate: 0.003, weightDecay: 0.05 },
    sourceWeights: {},
    weighting: none,
    maxTrainChars: null,
    members: 4,
    refitEpochs: 8,
    selection:
      "Configuration chosen by 3-fold cross-validation on the training 80% (never the eval 20%) among 3 candidates: single linear model 87.63%, 4 × 32-unit MLP ensemble at D = 2^13 88.62% and at D = 2^14 88.73% (chosen); refit epochs (8) from the validation-stopped run. Caveat: 16 exploratory runs (linear and MLP variants, before the cross-validation) also printed the eval-split accuracy, and they suggested trying MLP ensembles, so the eval figure is not perfectly blind.",
  },
  "custom-zh": custom({ ...zhFeatures, dimensionBits: 16 }),
  "custom-en": custom(enFeatures),
};
