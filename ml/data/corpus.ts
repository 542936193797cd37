// Our sales-call corpus as training reads it: the row of a split file (ml/data/sales-calls/
// {train,dev,test}.jsonl), and the one seeded split of the resolved corpus into them,
// stratified by language × label so each split keeps every class's share in both languages.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { mulberry32, shuffle } from "../../core/prng.ts";

export const SENTIMENT_LABELS = ["negative", "neutral", "positive"] as const;
export const SalesCallLabel = z.enum(SENTIMENT_LABELS);
export const SalesCallLang = z.enum(["zh", "en"]);
export type SalesCallLang = z.infer<typeof SalesCallLang>;

export const SalesCallRow = z.object({
  id: z.string().min(1),
  lang: SalesCallLang,
  industry: z.string().min(1),
  speaker: z.enum(["customer", "rep"]),
  text: z.string().min(1),
  label: SalesCallLabel,
});
export type SalesCallRow = z.infer<typeof SalesCallRow>;

export const SPLITS = ["train", "dev", "test"] as const;
export type SplitName = (typeof SPLITS)[number];
export type Split = Record<SplitName, SalesCallRow[]>;

/** Dev and test take these shares of every language × label group; train keeps the rest. */
export const SPLIT_FRACTIONS = { dev: 0.15, test: 0.15 } as const;
export const SPLIT_SEED = 12;

export const CORPUS_DIR = join(import.meta.dirname, "sales-calls");

export function parseRows(text: string, file: string): SalesCallRow[] {
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((line, i) => {
      const r = SalesCallRow.safeParse(JSON.parse(line));
      if (!r.success) throw new Error(`${file}:${i + 1}: ${z.prettifyError(r.error)}`);
      return r.data;
    });
}

/** The committed split (or one written elsewhere with `split.ts --out`). */
export function readSplit(dir = CORPUS_DIR): Split {
  const read = (name: SplitName) => {
    const file = join(dir, `${name}.jsonl`);
    return parseRows(readFileSync(file, "utf8"), file);
  };
  return { train: read("train"), dev: read("dev"), test: read("test") };
}

/**
 * One seeded split: within each language × label group (rows ordered by id first, so the
 * input's order does not matter) a shuffle puts round(n·dev) rows in dev, round(n·test) in
 * test and the rest in train. Each output keeps the input's id order.
 */
export function splitCorpus(rows: readonly SalesCallRow[], seed = SPLIT_SEED): Split {
  const ids = new Set<string>();
  for (const r of rows) {
    if (ids.has(r.id)) throw new Error(`id ${r.id} repeats`);
    ids.add(r.id);
  }
  const groups = new Map<string, SalesCallRow[]>();
  for (const r of rows) {
    const key = `${r.lang}/${r.label}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const rng = mulberry32(seed);
  const chosen = new Map<string, SplitName>();
  for (const key of [...groups.keys()].sort()) {
    const group = shuffle(
      [...groups.get(key)!].sort((a, b) => (a.id < b.id ? -1 : 1)),
      rng,
    );
    const dev = Math.round(group.length * SPLIT_FRACTIONS.dev);
    const test = Math.round(group.length * SPLIT_FRACTIONS.test);
    group.forEach((r, i) => {
      chosen.set(r.id, i < dev ? "dev" : i < dev + test ? "test" : "train");
    });
  }
  const byId = [...rows].sort((a, b) => (a.id < b.id ? -1 : 1));
  const pick = (name: SplitName) => byId.filter((r) => chosen.get(r.id) === name);
  return { train: pick("train"), dev: pick("dev"), test: pick("test") };
}
