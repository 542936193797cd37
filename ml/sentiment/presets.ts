// The configurations sentiment-zh (three-class fine-tune) and sentiment-en train with, and how
// each was chosen: on the in-domain dev split only (the test split is read only to report).
import type { FeatureConfig } from "../features/config.ts";
import type { EnPreset } from "./en.ts";
import { LEXICON_EN } from "./lexicon-en.ts";
import type { ZhAdaptPreset } from "./zh.ts";

export const ZH_ADAPT: ZhAdaptPreset = {
  newCharMinCount: 2,
  inDomainWeight: 3,
  publicPerEpoch: 3000,
  publicLoss: "polar-only",
  decision: "neutral-shift",
  train: {
    epochs: 12,
    batch: 32,
    learningRate: 0.002,
    learningRateDecay: 0.85,
    wideLearningRate: 2,
    weightDecay: 0,
    dropout: 0.5,
    // Serving reads 64 characters; so does every dev check and (in random windows) training.
    maxLen: 64,
    crop: "random",
    patience: 6,
    checksPerEpoch: 1,
    selectBy: "macroF1",
  },
  selection:
    "Chosen on the Chinese rows of the in-domain dev split (126; the test split never read), each run `npm run train -- --task sentiment-zh --dev-only --set '…'`. The public loss (the design question of the mix): polar-only (this preset) reached a best dev three-way accuracy of 86.51% at argmax (pos/neg 86.59%, neutral recall 86.36%), 89.68% after the neutral shift (92.68%, 84.09%), public dev pos-vs-neg decision 85.34%; the same run with a three-way public loss 82.54% at argmax (pos/neg 90.24%, neutral recall 68.18%: the public rows taught it that little is neutral), 85.71% after its shift, public dev 85.19%. The learning rate: 0.0005 vs 0.002, compared before the corpus was resolved on a provisional split of the writers' labels (dev 77.78% vs 85.71%, the larger rate still rising at the last epoch with the smaller). Kept as first set: ×3 in-domain weight, 3,000 public rows per epoch (so an epoch is about 5,000 rows and the fine-tune takes minutes, not the base's full 93k-row epochs), 12 epochs, batch 32, dropout 0.5, characters seen twice in our train split added to the vocabulary.",
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
  lexicon: LEXICON_EN,
};

export const EN: EnPreset = {
  featureConfig: enFeatures,
  train: {
    kind: "linear",
    hidden: 0,
    epochs: 30,
    learningRate: 0.01,
    learningRateDecay: 0.9,
    weightDecay: 0.01,
    patience: 6,
  },
  members: 1,
  classBalanced: false,
  decision: "argmax",
  selection:
    "Chosen on the English rows of the in-domain dev split (125; the test split never read), each run `npm run train -- --task sentiment-en --dev-only --set '…'`, three-way dev accuracy (pos/neg, neutral recall): this linear model over word 1–2-grams, in-word character 3–5-grams and the lexicon 76.0% (79.0%, 70.5%); the same without the lexicon 75.2% (77.8%, 70.5%); learning rate 0.003 76.0%, 0.03 73.6%; 4 seeds averaged 73.6%; one-hidden-layer MLPs of 16 and 64 units 73.6% and 70.4%, 4 × 32 units 75.2%; character 2–4-grams 76.8% (75.3%, 79.5%); word 1–3-grams 76.0%; words and lexicon without character n-grams 78.4% (72.8%, 88.6%); D = 2^16 76.8%; character 4–6-grams 75.2%; word n-grams read with a `not_` mark inside a negator's clause (Das & Chen 2001) 75.2%, the same without character n-grams 80.8% (76.5%, 88.6%), with character 2–4-grams 75.2%. Class-balanced weights, and a neutral-logit shift fitted for balanced recall, both bought neutral recall with pos/neg accuracy (74.1%, 84.1%), which the targets do not ask for. Every alternative is within dev's sampling error (±4 points); kept: the best dev pos/neg accuracy (the target furthest away), and of the two that share it the one with fewer features. Before the corpus was resolved, the pipeline was tried on a provisional split of the writers' labels (different English texts and labels); its figures chose nothing kept here.",
};
