// N-gram extraction: the feature strings before hashing. Each kind carries a prefix so a
// word "ab" and a character bigram "ab" land on different hashes.
import type { FeatureConfig, Lexicon } from "./config.ts";
import { negationGrams, stemGrams, tailGrams } from "./valence.ts";

/** Code points, not UTF-16 units, so an emoji or a rare CJK character counts once. */
function chars(s: string): string[] {
  return Array.from(s);
}

/** Character n-grams of `s` for n in [lo, hi], each prefixed with `prefix`. */
export function charNgrams(s: string, [lo, hi]: readonly [number, number], prefix = "c"): string[] {
  const cs = chars(s);
  const out: string[] = [];
  for (let n = lo; n <= hi; n++) {
    for (let i = 0; i + n <= cs.length; i++)
      out.push(`${prefix}${n}:${cs.slice(i, i + n).join("")}`);
  }
  return out;
}

/** Tokens: runs of letters, digits and apostrophes; everything else separates. */
export function words(s: string): string[] {
  return s.match(/[\p{L}\p{N}\p{M}']+/gu) ?? [];
}

export function wordNgrams(
  tokens: readonly string[],
  [lo, hi]: readonly [number, number],
): string[] {
  const out: string[] = [];
  for (let n = lo; n <= hi; n++) {
    for (let i = 0; i + n <= tokens.length; i++)
      out.push(`w${n}:${tokens.slice(i, i + n).join(" ")}`);
  }
  return out;
}

/** The lexicon's features of a token list (see LexiconSchema), in token order. */
export function lexiconGrams(tokens: readonly string[], lexicon: Lexicon): string[] {
  const out: string[] = [];
  const negators = new Set(lexicon.negators);
  let lastNegator = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < tokens.length; i++) {
    if (negators.has(tokens[i]!)) {
      lastNegator = i;
      continue;
    }
    // The longest phrase starting here wins, and its tokens are not read again.
    for (let n = 3; n >= 1; n--) {
      if (i + n > tokens.length) continue;
      const key = tokens.slice(i, i + n).join(" ");
      // Own keys only: "constructor" is no entry.
      if (!Object.hasOwn(lexicon.entries, key)) continue;
      const v = lexicon.entries[key]!;
      const negated = i - lastNegator <= lexicon.negationWindow;
      out.push(`x:${negated ? "not-" : ""}${v > 0 ? "pos" : "neg"}`);
      i += n - 1;
      break;
    }
  }
  return out;
}

/** All feature strings of already-normalised text, in a deterministic order. */
export function ngrams(text: string, config: FeatureConfig): string[] {
  const out: string[] = [];
  const mark = config.boundaryMarkers;
  if (config.language === "zh") {
    if (config.charNgrams) out.push(...charNgrams(mark ? `^${text}$` : text, config.charNgrams));
    if (config.wordNgrams) out.push(...wordNgrams(words(text), config.wordNgrams));
    return out;
  }
  const tokens = words(text);
  if (config.wordNgrams) out.push(...wordNgrams(tokens, config.wordNgrams));
  if (config.charNgrams) {
    for (const t of tokens) out.push(...charNgrams(mark ? `<${t}>` : t, config.charNgrams));
  }
  if (config.lexicon) out.push(...lexiconGrams(tokens, config.lexicon));
  if (config.valence?.tailWords) out.push(...tailGrams(tokens, config.valence));
  if (config.valence?.negationScope) out.push(...negationGrams(text, config.valence));
  if (config.valence?.stems) out.push(...stemGrams(tokens));
  return out;
}
