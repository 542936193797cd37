// The tenant's own place names [NQ8]: destinations come from its data (warehouses,
// plants, DCs with their aliases), never from a built-in list of cities. Compiled once
// per gazetteer object; aliases stay literal strings.
import { z } from "zod";
import { isLexiconWord } from "./lexicon.ts";
import { type LiteralMatcher, literalMatcher, normalizeQuery } from "./spans.ts";

export const MAX_DESTINATIONS = 2000;
export const MAX_ALIASES = 20;
const Name = z.string().trim().min(1).max(100);

export const Gazetteer = z.strictObject({
  destinations: z
    .array(z.strictObject({ name: Name, aliases: z.array(Name).max(MAX_ALIASES) }))
    .max(MAX_DESTINATIONS),
});
export type Gazetteer = z.infer<typeof Gazetteer>;

export interface Place {
  /** Canonical names this text may mean: one, or several for an alias two places share. */
  names: string[];
  /** The alias as the tenant wrote it, for suggestions in the user's words. */
  surface: string;
}

export interface CompiledGazetteer {
  match: LiteralMatcher<Place>;
  /** One alias per destination in each script, for example questions [NQ10]. */
  examples: Array<{ name: string; han?: string; latin?: string }>;
}

const HAN = /\p{Script=Han}/u;
const cache = new WeakMap<Gazetteer, CompiledGazetteer>();

/** Compiles (and validates: a gazetteer beyond the bounds throws) `gazetteer`, cached. */
export function compileGazetteer(gazetteer: Gazetteer): CompiledGazetteer {
  const hit = cache.get(gazetteer);
  if (hit) return hit;
  const { destinations } = Gazetteer.parse(gazetteer);
  const byText = new Map<string, Place>();
  for (const { name, aliases } of destinations) {
    for (const alias of [name, ...aliases]) {
      const text = normalizeQuery(alias);
      const place = byText.get(text);
      if (!place) byText.set(text, { names: [name], surface: alias });
      else if (!place.names.includes(name)) place.names.push(name);
    }
  }
  // A Latin word of an alias stands for its destination alone ("Hamburg" for "Hamburg
  // Lager") when at least two of that destination's aliases contain it and no other
  // destination's does: "warehouse" or "DC" never qualify, a city the tenant uses does.
  const owners = new Map<string, Map<string, number>>();
  for (const { name, aliases } of destinations) {
    for (const alias of [name, ...aliases]) {
      for (const word of new Set(normalizeQuery(alias).match(/[a-z][a-z0-9]{3,}/g) ?? [])) {
        const counts = owners.get(word) ?? new Map<string, number>();
        counts.set(name, (counts.get(name) ?? 0) + 1);
        owners.set(word, counts);
      }
    }
  }
  for (const [word, counts] of owners) {
    const [only] = [...counts];
    if (counts.size !== 1 || only![1] < 2 || byText.has(word) || isLexiconWord(word)) continue;
    byText.set(word, { names: [only![0]], surface: word });
  }
  const unique = (alias: string) => byText.get(normalizeQuery(alias))?.names.length === 1;
  const examples = destinations.flatMap(({ name, aliases }) => {
    const usable = [name, ...aliases].filter(unique);
    if (usable.length === 0) return [];
    return [
      { name, han: usable.find((a) => HAN.test(a)), latin: usable.find((a) => !HAN.test(a)) },
    ];
  });
  const compiled: CompiledGazetteer = {
    match: literalMatcher([...byText].map(([text, value]) => ({ text, value }))),
    examples,
  };
  cache.set(gazetteer, compiled);
  return compiled;
}
