// N-gram extraction: the feature strings before hashing. Each kind carries a prefix so a
// word "ab" and a character bigram "ab" land on different hashes.
import type { FeatureConfig } from "./config.ts";

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
  return out;
}
