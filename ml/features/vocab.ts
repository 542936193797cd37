// Character vocabulary for the char-CNN: chars seen ≥ minCount times in train get their own
// id, every other char hashes into a few OOV buckets; id 0 is the padding/boundary token.
import { murmur3String } from "./murmur3.ts";
import { normalise } from "./normalise.ts";

export const NORMALISE = {
  nfkc: true,
  lowercase: true,
  punctuation: "fold",
  foldDigits: true,
} as const;

export type Vocab = {
  readonly chars: readonly string[];
  readonly buckets: number;
  readonly hashSeed: number;
  /** Total token ids: 1 (pad) + chars + buckets. */
  readonly size: number;
  readonly index: ReadonlyMap<string, number>;
};

export function textChars(text: string): string[] {
  return Array.from(normalise(text, NORMALISE));
}

export function buildVocab(
  texts: Iterable<string>,
  minCount: number,
  buckets: number,
  hashSeed = 0x5eed,
): Vocab {
  const counts = new Map<string, number>();
  for (const t of texts) for (const c of textChars(t)) counts.set(c, (counts.get(c) ?? 0) + 1);
  const chars = [...counts.entries()]
    .filter(([, n]) => n >= minCount)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([c]) => c);
  return vocabFrom(chars, buckets, hashSeed);
}

/** The vocabulary of an artifact: chars in id order (id = position + 1). */
export function vocabFrom(chars: readonly string[], buckets: number, hashSeed: number): Vocab {
  const index = new Map(chars.map((c, i) => [c, i + 1]));
  if (index.size !== chars.length) throw new Error("vocabulary repeats a character");
  return { chars, buckets, hashSeed, size: 1 + chars.length + buckets, index };
}

/**
 * What the CNN reads of a text, in training's evaluation and in serving alike: the ids of its
 * first `maxLen` normalised characters. An empty text reads as one padding id, which the
 * forward pass treats exactly like no text (every window is padding either way), so the ONNX
 * graph never sees an empty sequence.
 */
export function readTokens(vocab: Vocab, text: string, maxLen: number): Int32Array {
  return tokensOf(vocab, normalise(text, NORMALISE), maxLen);
}

/** `readTokens` of a text already normalised with NORMALISE. */
export function tokensOf(vocab: Vocab, normalised: string, maxLen: number): Int32Array {
  const ids = encode(vocab, Array.from(normalised), maxLen);
  return ids.length > 0 ? ids : Int32Array.of(0);
}

/** Token ids of a text, truncated to maxLen chars (from `start`), without padding. */
export function encode(
  vocab: Vocab,
  chars: readonly string[],
  maxLen: number,
  start = 0,
): Int32Array {
  const n = Math.min(maxLen, chars.length - start);
  const out = new Int32Array(Math.max(0, n));
  for (let i = 0; i < n; i++) {
    const c = chars[start + i]!;
    const id = vocab.index.get(c);
    out[i] =
      id ??
      (vocab.buckets > 0
        ? 1 + vocab.chars.length + (murmur3String(c, vocab.hashSeed) % vocab.buckets)
        : 0);
  }
  return out;
}
