// The configurations sentiment-zh (three-class fine-tune) and sentiment-en train with, and how
// each was chosen: on the in-domain dev split only (the test split is read only to report).
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

const enFeatures: EnPreset["featureConfig"] = {
  version: 1,
  language: "en",
  dimensionBits: 16,
  hashSeed: 0x5eed,
  signedHash: true,
  normalise: { nfkc: true, lowercase: true, punctuation: "keep", foldDigits: true },
  charNgrams: null,
  wordNgrams: [1, 2],
  boundaryMarkers: true,
  sublinearTf: true,
  l2Normalise: true,
  lexicon: LEXICON_EN,
};

export const EN: EnPreset = {
  featureConfig: enFeatures,
  valence: {
    tables: ["afinn"],
    negationWindow: 3,
    negationScalar: -0.74,
    contrast: ["but", "however", "though"],
    beforeContrast: 0.5,
    afterContrast: 1.5,
    tailWords: true,
    negationScope: true,
    stems: true,
    weight: 1,
  },
  supplement: "supplement-en/resolved.jsonl",
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
    "Chosen on the English rows of the in-domain dev split (125; the test split never read), from train = the train split's English rows + the English supplement. Each figure is the mean over seeds 1–5 of dev three-way accuracy (pos/neg accuracy, neutral recall) after the temperature; each setting was changed alone from the kept one (`npm run train -- --task sentiment-en --dev-only --set '…'` runs one seed). Kept: 87.5% (87.2%, 88.2%). Data: without the supplement 83.0% (81.2%, 86.4%). Lexicons: AFINN and VADER tables together 87.0% (86.9%, 87.3%), VADER alone 86.7% (86.2%, 87.7%), no valence block (and so no last-clause, negation-scope or stem grams) 82.9% (81.2%, 85.9%), without the team-written list 85.8% (85.2%, 86.8%); the last clause at the same weight as the rest and no `t1:` grams 86.2%, no negation-scope grams 87.0%, no stems 86.4% (84.0%, 90.9%). N-grams: in-word character 3–5-grams added 82.2% (they dilute the L2-normalised word features), D = 2^14 82.6% (collisions), word unigrams alone 84.3%, word 1–3-grams 87.7% (more features, within noise: not kept). Regularisation: weight decay 0.001 87.0%, 0.1 86.9%; learning rate 0.005 85.6%, 0.02 86.4%; label smoothing 0.1 85.9%. Families: one-hidden-layer MLPs of 16 and 64 units 81.8% and 84.6% (and 7–12× slower to train); logit-averaged ensembles of 2 and 3 seeds 87.4% and 87.2%. Decision: the balanced-recall neutral shift 87.5% (88.1%, 86.4%), no better three-way and fitted on the same dev rows it is scored on, so argmax. Every alternative within about ±3 points is inside dev's sampling error; kept the best three-way mean, and among near-equals the smaller artifact (AFINN's 3.3k entries, not VADER's 7.4k) and the single model. Before the supplement was resolved, settings were explored with its writers' labels (label1, near-duplicates of dev/test dropped as the resolver does); every figure above is with the resolved rows.",
};
