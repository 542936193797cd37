// English sentiment cues beside the n-grams: real-valued features from published valence
// tables (per table, the sums and extremes of what an utterance's words rate, turned by
// negators and intensifiers and weighted toward the clause after the last "but", since the
// guide labels a mixed utterance by what the speaker lands on) and punctuation the word
// n-grams cannot see; plus hashed grams for that last clause, a negator's scope and word
// stems. Pure and runtime-agnostic: the tables travel in the FeatureConfig, so serving needs
// no package.
import { z } from "zod";

const weights = z.record(z.string().min(1), z.number().finite());

export const ValenceSchema = z.object({
  tables: z
    .array(
      z.object({
        /** Feature-name prefix; changing it re-hashes the table's features. */
        name: z.string().regex(/^[a-z0-9-]+$/),
        /** Name, version and licence, for the model card. */
        source: z.string().min(1),
        /** The valence of a full-strength entry: contributions are valence ÷ scale. */
        scale: z.number().positive(),
        /** Lower-case token, or up to three space-joined tokens → valence (never 0). */
        entries: z.record(
          z.string().min(1),
          z
            .number()
            .finite()
            .refine((v) => v !== 0, "a valence entry needs a sign"),
        ),
      }),
    )
    .min(1),
  negators: z.array(z.string().min(1)),
  /** A valence this many tokens or fewer after a negator is negated. */
  negationWindow: z.number().int().min(0).max(5),
  /** Multiplies a negated valence (VADER: −0.74, so "not good" leans negative, weakly). */
  negationScalar: z.number().finite(),
  /** Intensifier or dampener (a token or two) → fraction added to the next valence's size. */
  boosters: weights,
  /** Markers of the clause a speaker lands on: valences after the last one weigh more. */
  contrast: z.array(z.string().min(1)),
  /** Multipliers of valences before and after the last contrast marker (VADER: 0.5, 1.5). */
  beforeContrast: z.number().nonnegative(),
  afterContrast: z.number().nonnegative(),
  /** Emit the last clause's words again as `t1:` n-grams, so the model can weigh them apart. */
  tailWords: z.boolean(),
  /** Emit `n1:` unigrams for the words after a negator up to the clause's end ("not_" marks). */
  negationScope: z.boolean(),
  /** Emit `s1:` unigrams of crudely stemmed words, so inflections share a weight. */
  stems: z.boolean(),
  /** Size of the block beside the L2-normalised n-grams (which have norm 1). */
  weight: z.number().positive(),
});
export type Valence = z.infer<typeof ValenceSchema>;

/** Feature name → value; names are hashed like n-grams, values are used as they are. */
export type Dense = Array<[string, number]>;

/** Index of the last contrast marker that has words after it; -1 for none. */
export function contrastAt(tokens: readonly string[], markers: readonly string[]): number {
  for (let i = tokens.length - 2; i >= 0; i--) if (markers.includes(tokens[i]!)) return i;
  return -1;
}

/** Longest entry (up to three tokens) of `table` starting at token i, as [value, tokens]. */
function lookup(
  table: Record<string, number>,
  tokens: readonly string[],
  i: number,
): [number, number] | null {
  for (let n = Math.min(3, tokens.length - i); n >= 1; n--) {
    const key = n === 1 ? tokens[i]! : tokens.slice(i, i + n).join(" ");
    // Own keys only: "constructor" is no entry.
    if (Object.hasOwn(table, key)) return [table[key]!, n];
  }
  return null;
}

/** x / (1 + x) for a non-negative sum: monotone, 0 at 0, below 1 however many words rate. */
const squash = (x: number) => x / (1 + x);

/** The dense features of already-tokenised, normalised text (`raw` for punctuation cues). */
export function valenceFeatures(raw: string, tokens: readonly string[], v: Valence): Dense {
  const out: Dense = [];
  const cut = contrastAt(tokens, v.contrast);
  const negators = new Set(v.negators);
  let anyHit = false;
  for (const table of v.tables) {
    let pos = 0;
    let neg = 0;
    let max = 0;
    let min = 0;
    let tailPos = 0;
    let tailNeg = 0;
    let negated = 0;
    let lastNegator = Number.NEGATIVE_INFINITY;
    let boost = 0;
    let boostAt = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      if (negators.has(t)) {
        lastNegator = i;
        continue;
      }
      // Boosters carry no valence of their own (as in VADER): they scale the next one.
      const two = i + 1 < tokens.length ? `${t} ${tokens[i + 1]}` : "";
      const booster = Object.hasOwn(v.boosters, two) ? two : Object.hasOwn(v.boosters, t) ? t : "";
      if (booster !== "") {
        boost = v.boosters[booster]!;
        if (booster === two) i++;
        boostAt = i;
        continue;
      }
      const hit = lookup(table.entries, tokens, i);
      if (!hit) continue;
      const [valence, n] = hit;
      let c = valence / table.scale;
      // An intensifier one or two words before ("really very good") scales the size.
      if (i - boostAt <= 2) c *= 1 + boost;
      if (i - lastNegator <= v.negationWindow) {
        c *= v.negationScalar;
        negated += Math.abs(c);
      }
      if (cut >= 0) c *= i > cut ? v.afterContrast : v.beforeContrast;
      if (c > 0) pos += c;
      else neg -= c;
      if (cut >= 0 && i > cut) {
        if (c > 0) tailPos += c;
        else tailNeg -= c;
      }
      max = Math.max(max, c);
      min = Math.min(min, c);
      anyHit = true;
      i += n - 1;
    }
    const p = `v:${table.name}:`;
    out.push(
      [`${p}pos`, squash(pos)],
      [`${p}neg`, squash(neg)],
      [`${p}net`, Math.tanh(pos - neg)],
      [`${p}max`, Math.min(1, max)],
      [`${p}min`, Math.max(-1, min)],
      [`${p}tail-pos`, squash(tailPos)],
      [`${p}tail-neg`, squash(tailNeg)],
      [`${p}negated`, squash(negated)],
    );
  }
  const questions = raw.split("?").length - 1;
  const exclamations = raw.split("!").length - 1;
  out.push(
    ["v:none", anyHit ? 0 : 1],
    ["v:question", questions > 0 ? 1 : 0],
    ["v:ends-question", raw.endsWith("?") ? 1 : 0],
    ["v:exclaim", squash(exclamations)],
    ["v:contrast", cut >= 0 ? 1 : 0],
    ["v:negator", tokens.some((t) => negators.has(t)) ? 1 : 0],
  );
  return out.filter(([, x]) => x !== 0).map(([k, x]) => [k, x * v.weight]);
}

/** The words after the last contrast marker, as their own unigrams. */
export function tailGrams(tokens: readonly string[], v: Valence): string[] {
  const cut = contrastAt(tokens, v.contrast);
  return cut < 0 ? [] : tokens.slice(cut + 1).map((t) => `t1:${t}`);
}

/** Words in a negator's scope: from it to the next clause break (punctuation or contrast). */
export function negationGrams(text: string, v: Valence): string[] {
  const out: string[] = [];
  const negators = new Set(v.negators);
  for (const clause of text.split(/[.,;:!?]+/)) {
    let on = false;
    // The tokens of ngrams.ts `words` (not imported: ngrams.ts imports this file).
    for (const t of clause.match(/[\p{L}\p{N}\p{M}']+/gu) ?? []) {
      if (v.contrast.includes(t)) on = false;
      else if (negators.has(t)) on = true;
      else if (on) out.push(`n1:${t}`);
    }
  }
  return out;
}

const SUFFIXES = [
  "ments",
  "ment",
  "ness",
  "ingly",
  "ings",
  "ing",
  "edly",
  "ed",
  "ies",
  "es",
  "s",
  "ly",
  "er",
  "est",
];

/** A crude suffix stripper (no dictionary): enough for "delays", "delayed", "delaying". */
export function stem(t: string): string {
  for (const s of SUFFIXES)
    if (t.length - s.length >= 3 && t.endsWith(s)) return t.slice(0, t.length - s.length);
  return t;
}

export function stemGrams(tokens: readonly string[]): string[] {
  return tokens.map((t) => `s1:${stem(t)}`);
}
