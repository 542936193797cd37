// MODEL_CARD.md for a trained artifact: data, licence caveats, metrics and the command that
// reproduces them. The licence text follows ../shared/data/README.md.
import type { FeatureConfig } from "../features/config.ts";
import type { FeatureWeighting } from "./feature-weights.ts";

export type CardInput = {
  task: string;
  kind: string;
  labels: readonly string[];
  featureConfig: FeatureConfig;
  evaluatedOn: string;
  dataNote: string;
  accuracy: number;
  macroF1: number;
  perClassF1: Record<string, number>;
  validationAccuracy: number;
  counts: { train: number; validation: number; eval: number };
  seed: number;
  command: string;
  trainSeconds: number;
  weightsBytes: number;
  sourceWeights: Record<string, number>;
  weighting: FeatureWeighting;
  maxTrainChars: number | null;
  /** Hidden units per member (kind "mlp"). */
  hidden: number;
  members: number;
  refitEpochs: number | null;
  selection: string;
};

function architecture(c: CardInput): string {
  const one =
    c.kind === "mlp"
      ? `one-hidden-layer MLP${c.members > 1 ? "s" : ""} (${c.hidden} ReLU units${c.members > 1 ? " each" : ""})`
      : `linear softmax classifier${c.members > 1 ? "s" : ""} (multinomial logistic regression)`;
  if (c.members === 1) return `A ${one}`;
  const folded =
    c.kind === "mlp"
      ? `one ${c.members * c.hidden}-unit MLP (hidden layers side by side, output rows ÷ ${c.members})`
      : "one linear model (mean weights)";
  return `An ensemble of ${c.members} ${one}, seeds ${c.seed}–${c.seed + c.members - 1}, whose averaged logits are folded into ${folded}, so serving runs a single graph,`;
}

function trainingNote(c: CardInput): string {
  const notes: string[] = [];
  const weights = Object.entries(c.sourceWeights);
  if (weights.length > 0)
    notes.push(
      `Example weights by source: ${weights.map(([s, w]) => `\`${s}\` ×${w}`).join(", ")}.`,
    );
  if (c.maxTrainChars !== null)
    notes.push(
      `Training rows longer than ${c.maxTrainChars} characters are dropped (validation and eval keep every row).`,
    );
  if (c.weighting.kind === "nb")
    notes.push(
      `Inputs are scaled by naive-Bayes log-count ratios (Wang & Manning 2012, α = ${c.weighting.alpha}) learned from the training rows; the ratios are folded into the weights (W'[i] = r_i·W[i]), so serving is unchanged.`,
    );
  if (c.weighting.kind === "idf")
    notes.push(
      "Inputs are scaled by smoothed IDF learned from the training rows; the IDF is folded into the weights (W'[i] = idf_i·W[i]), so serving is unchanged.",
    );
  return notes.length === 0 ? "" : `\n\n${notes.join(" ")}`;
}

export const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

export const DATA: Record<
  string,
  { data: string; licence: string; baseline: string; limits: string }
> = {
  "sentiment-zh-base": {
    data:
      "`sentiment-zh/train.jsonl` (92,778 rows): food-delivery reviews (waimai_10k), product " +
      "reviews (online_shopping_10_cats, hotel category removed), hotel reviews " +
      "(ChnSentiCorp_htl_all) and 29.6k chat utterances whose labels were produced " +
      "automatically (conversation_weak_labels, ~94% correct per the authors; up-weighted in " +
      "training because it is the only in-domain data; see below). Validation for early stopping: a seeded " +
      "10% of the weak-labelled chat. Evaluated on `sentiment-zh/dev.jsonl`: 3,444 short " +
      "hand-labelled conversational utterances.",
    licence:
      "**No licence is stated upstream** for any of the Chinese sets " +
      "(github.com/SophonPlus/ChineseNlpCorpus, github.com/z17176/Chinese_conversation_sentiment). " +
      "Research and evaluation use only: the training data must not be redistributed inside the " +
      "product. The weights are a derived artifact; check with counsel before shipping them to " +
      "customers.",
    baseline:
      "Published on the same conversation data (trained on weak labels, tested on hand labels): " +
      "logistic regression 81–82%, SVM 81–82%, CNN 87.1%.",
    limits:
      "Trained mostly on reviews; sarcasm, negation across clauses and neutral utterances (there " +
      "is no neutral class) are handled poorly. Weak labels carry ~6% noise.",
  },
  "intent-en": {
    data:
      "Banking77 (PolyAI) train split, `intent-en/train.jsonl` (10,003 rows, 77 intents). A seeded " +
      "stratified 20% is held out for evaluation; 10% of the rest is the early-stopping validation set.",
    licence:
      "CC BY 4.0 (`intent-en/LICENSE-banking77`). Credit: Casanueva et al. 2020, *Efficient Intent " +
      "Detection with Dual Sentence Encoders*.",
    baseline:
      "Published on the official Banking77 test split: TF-IDF + logistic regression ~88.9%, " +
      "BERT-large 93.7%. Our figure is on our own held-out 20% of the train split, so it is " +
      "comparable in spirit, not identical.",
    limits:
      "Banking customer-service queries only; single intent per utterance; no out-of-scope class, " +
      "so every utterance gets one of the 77 intents.",
  },
};

/**
 * The metrics table, the baseline, per-class F1 and the command that reproduces them: the
 * part every model card shares, whatever the architecture.
 */
export function metricsAndCommand(m: {
  accuracy: number;
  macroF1: number;
  perClassF1: Record<string, number>;
  validationLabel: string;
  validationAccuracy: number;
  counts: { train: number; validation: number; eval: number };
  trainSeconds: number;
  weights: string;
  baseline: string;
  command: string;
}): string {
  const rows = Object.entries(m.perClassF1)
    .map(([label, f1]) => `| ${label} | ${pct(f1)} |`)
    .join("\n");
  return `| metric | value |
|---|---|
| accuracy | **${pct(m.accuracy)}** |
| macro-F1 | ${pct(m.macroF1)} |
| validation accuracy (${m.validationLabel}) | ${pct(m.validationAccuracy)} |
| rows (train / validation / eval) | ${m.counts.train} / ${m.counts.validation} / ${m.counts.eval} |
| training wall time | ${m.trainSeconds} s |
| weights | ${m.weights} |

${m.baseline}

<details><summary>Per-class F1</summary>

| label | F1 |
|---|---|
${rows}

</details>

## Reproduce

\`\`\`
${m.command}
\`\`\`

Then \`npx tsx ml/onnx/export-models.ts\` exports every model under \`models/\` to the
\`model.onnx\` and \`manifest.json\` beside its card, which the inference worker bundles.`;
}

export function renderModelCard(c: CardInput): string {
  const d = DATA[c.task] ?? {
    data: `Tenant-supplied labelled utterances from \`${c.dataNote}\`; seeded stratified 80/20 split.`,
    licence: "Whatever the tenant's data agreement says; the data stays with the tenant.",
    baseline: "None.",
    limits: "Only as good as the tenant's labels and their coverage.",
  };
  const fc = c.featureConfig;
  return `# Model card: ${c.task}

${architecture(c)} over
hashed ${fc.language === "zh" ? "character" : "word and in-word character"} n-grams, trained in TypeScript
(\`ml/train\`) for edge inference (DESIGN.md §7).

## Data

${d.data}${trainingNote(c)}${
  c.refitEpochs === null
    ? ""
    : `\n\nAfter the validation run (early stopping, epoch count), every member is refit on train ∪ validation for ${c.refitEpochs} epochs; the shipped weights are the refit ones, so the validation figure below is from before the refit.`
}

## How the configuration was chosen

${c.selection}

## Licence and caveats

${d.licence}

## Metrics

Evaluated on ${c.evaluatedOn}.

${metricsAndCommand({
  ...c,
  validationLabel: `train slice${c.refitEpochs === null ? "" : ", before refit"}`,
  weights: `${(c.weightsBytes / 2 ** 20).toFixed(2)} MiB (first layer float16, as shipped; the rest float32)`,
  baseline: d.baseline,
})}

Seed ${c.seed}. Same seed and data give bit-identical weights. Features: \`feature-config.json\`
(D = 2^${fc.dimensionBits}, char n-grams ${JSON.stringify(fc.charNgrams)}, word n-grams
${JSON.stringify(fc.wordNgrams)}, MurmurHash3 seed ${fc.hashSeed}${fc.signedHash ? ", signed" : ""}).

## Limitations

${d.limits} Hashing means unrelated n-grams can share a weight.
`;
}
