// MODEL_CARD.md for a char-CNN artifact: the same data, licence and baseline sections as the
// n-gram models (ml/train/model-card.ts), with the architecture and serving recipe of ml/cnn.
import { DATA, metricsAndCommand } from "../train/model-card.ts";
import type { CharCnnPreset, CnnTaskResult } from "./task.ts";

export type CnnCardInput = {
  task: string;
  preset: CharCnnPreset;
  result: CnnTaskResult;
  labels: readonly string[];
  evaluatedOn: string;
  counts: { train: number; validation: number; eval: number };
  seed: number;
  command: string;
  trainSeconds: number;
};

export function renderCnnCard(c: CnnCardInput): string {
  const d = DATA[c.task];
  if (!d) throw new Error(`no data description for task ${c.task}`);
  const p = c.preset;
  const r = c.result;
  const wide = p.wideFeatures;
  const weights = Object.entries(p.sourceWeights)
    .map(([s, w]) => `\`${s}\` ×${w}`)
    .join(", ");
  return `# Model card: ${c.task}

A wide & deep text classifier trained in TypeScript (\`ml/cnn\`) for edge inference (DESIGN.md §7):

- **Deep:** a character CNN. Each normalised character (NFKC, lower case, punctuation and
  digits folded) has a ${p.embDim}-dimensional embedding (${r.vocabChars} characters seen at
  least ${p.minCount} times in train, the rest hashed into ${p.buckets} shared ids);
  ${p.filters} convolution filters each of widths ${p.widths.join(", ")} slide over the text;
  each filter's maximum over the text, through a ReLU, feeds a linear layer. Dropout
  ${p.train.dropout} in training.
- **Wide:** ${wide ? `hashed character ${JSON.stringify(wide.charNgrams)}-grams (D = 2^${wide.dimensionBits}, MurmurHash3 seed ${wide.hashSeed}, signed, L2-normalised) with a linear weight per class, added to the CNN's logits.` : "none."}
- **Parameters:** ${r.params.cnn.toLocaleString("en")} in the CNN, ${r.params.wide.toLocaleString("en")} in the wide part.
- **Reads:** the first ${p.maxLen} characters of an utterance (training reads random
  ${p.train.maxLen}-character windows of longer rows). The inference worker reads a text the
  same way (\`ml/cnn/vocab.ts\` \`readTokens\`, \`ml/cnn/predict.ts\`).

## Data

${d.data}

Example weights by source: ${weights}. Adam, ${p.train.epochs} epochs at most, batch
${p.train.batch}, learning rate ${p.train.learningRate} (× ${p.train.learningRateDecay} per
epoch; × ${p.train.wideLearningRate} for the wide part), validated ${p.train.checksPerEpoch}× per
epoch with early stopping after ${p.train.patience} checks without improvement; the best check
(${r.bestCheck} of ${r.checks}) ships.

## How the configuration was chosen

${p.selection}

## Licence and caveats

${d.licence}

## Metrics

Evaluated on ${c.evaluatedOn}, on the stored artifact (embedding and wide tables float16, as
shipped), reading each text as the worker does. The longest evaluated text has
${r.longestChars.eval} characters (validation: ${r.longestChars.validation}), so these figures
say nothing about longer utterances, which sales calls have; early stopping scored the
validation slice in float32 reading ${p.train.maxLen} characters, which for texts this short
reads the same.

${metricsAndCommand({
  accuracy: r.eval.accuracy,
  macroF1: r.eval.macroF1,
  perClassF1: Object.fromEntries(c.labels.map((l, i) => [l, r.eval.perClass[i]!.f1])),
  validationLabel: "train slice",
  validationAccuracy: r.validation.accuracy,
  counts: c.counts,
  trainSeconds: c.trainSeconds,
  weights: `${(r.blob.length / 2 ** 20).toFixed(2)} MiB (embedding and wide tables float16; convolutions and output layer float32)`,
  baseline: d.baseline,
  command: c.command,
})}

Seed ${c.seed}. Same seed, data and Node/V8 version give bit-identical weights
(single-threaded arithmetic in a fixed order; \`Math.exp\` may differ between engines). The n-gram model it replaced: \`npm run train -- --task ${c.task} --kind linear --out /tmp/linear\` (without \`--out\` it overwrites this artifact).

## Limitations

${d.limits} Characters outside the vocabulary share ${p.buckets} hashed embeddings, and hashed
n-grams can share a weight. Idioms and set phrases absent from the training data (张冠李戴,
难能可贵) are judged by their characters, often wrongly.
`;
}
