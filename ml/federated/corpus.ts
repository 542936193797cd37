// The sales-call corpus as federation reads it (Node only): the committed split
// (ml/data/sales-calls/{train,dev,test}.jsonl) when it exists, else — while the corpus is
// being resolved — the same seeded split made in memory from the writers' labels (raw/,
// label1), as `ml/data/split.ts --raw` would write it. And which industries each region
// holds: the partition that makes the regions' data differ.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  CORPUS_DIR,
  parseRows,
  readSplit,
  type SalesCallRow,
  type Split,
  splitCorpus,
} from "../data/corpus.ts";

export type CorpusSource = "split" | "raw-label1";

/** Each region's tenant rows: one industry or two, both languages (DESIGN §4: cn ×2, eu). */
export const REGION_INDUSTRIES: Readonly<Record<string, readonly string[]>> = {
  "cn-east": ["medical-devices"],
  "cn-south": ["manufacturing", "education"],
  "eu-central": ["software"],
};

export function loadCorpus(dir = CORPUS_DIR): { source: CorpusSource; split: Split } {
  if (existsSync(join(dir, "train.jsonl"))) return { source: "split", split: readSplit(dir) };
  const rawDir = join(dir, "raw");
  const rows = readdirSync(rawDir)
    .filter((f) => f.endsWith(".jsonl"))
    .sort()
    .flatMap((f) => {
      const file = join(rawDir, f);
      const lines = readFileSync(file, "utf8").split("\n").filter(Boolean);
      const relabelled = lines.map((l) => {
        const r = JSON.parse(l) as Record<string, unknown>;
        const { id, lang, industry, speaker, text } = r;
        return JSON.stringify({ id, lang, industry, speaker, text, label: r.label1 });
      });
      return parseRows(relabelled.join("\n"), file);
    });
  return { source: "raw-label1", split: splitCorpus(rows) };
}

/** The rows of `region`'s industries (none for a region the partition does not name). */
export function partition(rows: readonly SalesCallRow[], region: string): SalesCallRow[] {
  const industries = REGION_INDUSTRIES[region] ?? [];
  return rows.filter((r) => industries.includes(r.industry));
}

/**
 * `region`'s rows as `POST /v1/federation/utterances` takes them: train rows, and dev rows
 * held out, all of calls with `customerId` (a customer resident in the region's jurisdiction).
 */
export function regionUtterances(split: Split, region: string, customerId: string) {
  const item = (use: "train" | "holdout") => (r: SalesCallRow) => {
    const { id, lang, industry, speaker, text, label } = r;
    return { id, customerId, lang, industry, speaker, text, label, use };
  };
  return [
    ...partition(split.train, region).map(item("train")),
    ...partition(split.dev, region).map(item("holdout")),
  ];
}
