// A trained char-CNN re-laid for more classes and more characters, ranking its old classes
// exactly as before until it is trained further (the start of a fine-tune):
// * a new class's output column (CNN and wide part alike) is the mean of the old ones, so its
//   logit starts between theirs: highest, relatively, where the old classes are closest;
// * a new character starts with the embedding of the out-of-vocabulary bucket it used to
//   hash into, so every text reads the same ids' vectors as before.
import { encode, type Vocab, vocabFrom } from "../features/vocab.ts";
import type { CnnArtifact } from "./artifact.ts";
import { type CnnConfig, layout } from "./model.ts";

export type Widened = { config: CnnConfig; vocab: Vocab; params: Float32Array };

export function widenCnn(
  base: CnnArtifact,
  labels: readonly string[],
  newChars: readonly string[],
): Widened {
  const old = base.header.labels;
  const missing = old.filter((l) => !labels.includes(l));
  if (missing.length > 0) throw new Error(`labels drop ${missing.join(", ")}`);
  const fresh = newChars.filter((c) => !base.vocab.index.has(c));
  if (fresh.length !== newChars.length || new Set(fresh).size !== fresh.length)
    throw new Error("new characters must be new to the vocabulary and distinct");
  const vocab = vocabFrom([...base.vocab.chars, ...fresh], base.vocab.buckets, base.vocab.hashSeed);
  const c0 = base.config;
  const config: CnnConfig = { ...c0, vocab: vocab.size, classes: labels.length };
  const l0 = base.layout;
  const l1 = layout(config);
  const p0 = base.params;
  const p = new Float32Array(l1.size);
  const E = c0.embDim;
  const rowOf = (id: number) => p0.subarray(l0.emb + id * E, l0.emb + (id + 1) * E);
  // Padding and the old characters keep their ids; buckets move up past the new characters.
  const oldChars = base.vocab.chars.length;
  for (let id = 0; id <= oldChars; id++) p.set(rowOf(id), l1.emb + id * E);
  fresh.forEach((ch, k) => {
    const was = encode(base.vocab, [ch], 1)[0]!;
    p.set(rowOf(was), l1.emb + (1 + oldChars + k) * E);
  });
  for (let b = 0; b < base.vocab.buckets; b++)
    p.set(rowOf(1 + oldChars + b), l1.emb + (1 + oldChars + fresh.length + b) * E);
  // The convolutions do not depend on classes or vocabulary.
  p.set(p0.subarray(l0.conv[0]!, l0.out), l1.conv[0]!);
  const from = labels.map((l) => old.indexOf(l));
  /** One [rows][classes] table: old columns copied, new ones the mean of the old. */
  const columns = (src: number, dst: number, rows: number) => {
    const C0 = old.length;
    const C1 = labels.length;
    for (let r = 0; r < rows; r++) {
      let mean = 0;
      for (let j = 0; j < C0; j++) mean += p0[src + r * C0 + j]!;
      mean /= C0;
      for (let j = 0; j < C1; j++)
        p[dst + r * C1 + j] = from[j]! >= 0 ? p0[src + r * C0 + from[j]!]! : mean;
    }
  };
  columns(l0.out, l1.out, c0.widths.length * c0.filters);
  columns(l0.outB, l1.outB, 1);
  if (c0.wideDim > 0) columns(l0.wide, l1.wide, c0.wideDim);
  return { config, vocab, params: p };
}
