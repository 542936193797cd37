// `npx tsx ml/data/split.ts`: writes the one seeded split of sales-calls/resolved.jsonl into
// sales-calls/{train,dev,test}.jsonl, once (it refuses to overwrite a split: the test split
// must stay the one nothing was chosen on). `--raw --out DIR` splits the writers' labels
// (raw/*.jsonl, label1) into DIR instead, for building the pipeline before resolution; such a
// split never goes into sales-calls/.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { CORPUS_DIR, parseRows, type SalesCallRow, SPLITS, splitCorpus } from "./corpus.ts";

const { values: args } = parseArgs({
  options: {
    raw: { type: "boolean", default: false },
    out: { type: "string" },
  },
});

const pickRow = (r: Record<string, unknown>) => ({
  id: r.id,
  lang: r.lang,
  industry: r.industry,
  speaker: r.speaker,
  text: r.text,
  label: r.label,
});

function rowsFrom(file: string, labelField: "label" | "label1"): SalesCallRow[] {
  const lines = readFileSync(file, "utf8").split("\n").filter(Boolean);
  const picked = lines.map((l) => {
    const r = JSON.parse(l) as Record<string, unknown>;
    return JSON.stringify(pickRow({ ...r, label: r[labelField] }));
  });
  return parseRows(picked.join("\n"), file);
}

let rows: SalesCallRow[];
let out: string;
if (args.raw) {
  if (!args.out)
    throw new Error("--raw needs --out DIR (a raw split never goes into sales-calls/)");
  out = resolve(args.out);
  if (out === CORPUS_DIR) throw new Error("a raw split never goes into sales-calls/");
  const rawDir = join(CORPUS_DIR, "raw");
  rows = readdirSync(rawDir)
    .filter((f) => f.endsWith(".jsonl"))
    .sort()
    .flatMap((f) => rowsFrom(join(rawDir, f), "label1"));
} else {
  out = resolve(args.out ?? CORPUS_DIR);
  const taken = SPLITS.filter((s) => existsSync(join(out, `${s}.jsonl`)));
  if (out === CORPUS_DIR && taken.length > 0)
    throw new Error(`the split exists (${taken.join(", ")}); it is written once`);
  rows = rowsFrom(join(CORPUS_DIR, "resolved.jsonl"), "label");
}

const split = splitCorpus(rows);
mkdirSync(out, { recursive: true });
for (const name of SPLITS) {
  const text = split[name].map((r) => JSON.stringify(pickRow(r))).join("\n");
  writeFileSync(join(out, `${name}.jsonl`), `${text}\n`);
}
const count = (rs: SalesCallRow[], lang: string, label: string) =>
  rs.filter((r) => r.lang === lang && r.label === label).length;
for (const name of SPLITS) {
  const parts = ["zh", "en"].map(
    (lang) =>
      `${lang} ${["negative", "neutral", "positive"].map((l) => count(split[name], lang, l)).join("/")}`,
  );
  console.log(`${name}: ${split[name].length} rows (neg/neu/pos ${parts.join(", ")}) → ${out}`);
}
