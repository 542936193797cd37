// `npx tsx ml/data/resolve.ts`: joins the writers' labels (raw/) with the blind second
// reading (second-read/), reports agreement per language (raw rate and Cohen's kappa) in
// sales-calls/agreement.json, and writes sales-calls/resolved.jsonl. An utterance the two
// readers labelled differently needs a decision in sales-calls/resolutions.jsonl
// ({id, label, resolution, note}); while any is missing the script lists them in
// sales-calls/disagreements.jsonl for the third pass and exits 1 without writing resolved.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { z } from "zod";

// `--corpus DIR` resolves another reading with the same layout (raw/, second-read/), e.g.
// sales-calls/supplement-en, the train-only English supplement (see the README).
const corpusArg = process.argv.indexOf("--corpus");
const dir = resolve(
  import.meta.dirname,
  corpusArg > 0 ? (process.argv[corpusArg + 1] ?? "sales-calls") : "sales-calls",
);
const Label = z.enum(["negative", "neutral", "positive"]);
const LANGS = ["zh", "en"] as const;
const Raw = z.strictObject({
  id: z.string().regex(/^[a-z-]+-(zh|en)-\d{4}$/),
  lang: z.enum(LANGS),
  industry: z.enum(["medical-devices", "education", "manufacturing", "software"]),
  speaker: z.enum(["customer", "rep"]),
  text: z.string().min(1).max(400),
  label1: Label,
});
const Second = z.strictObject({ id: z.string(), label2: Label });
const Resolution = z.strictObject({
  id: z.string(),
  label: Label,
  resolution: z.enum(["writer", "second", "rewritten-guide"]),
  note: z.string().max(300).optional(),
});

function jsonl<T>(file: string, schema: z.ZodType<T>): T[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((line, i) => {
      const r = schema.safeParse(JSON.parse(line));
      if (!r.success) throw new Error(`${file}:${i + 1}: ${z.prettifyError(r.error)}`);
      return r.data;
    });
}

const written = readdirSync(join(dir, "raw"))
  .filter((f) => f.endsWith(".jsonl"))
  .sort()
  .flatMap((f) => jsonl(join(dir, "raw", f), Raw));
// Writers worked apart, so two may write the same short formula ("Thanks, talk soon."). A
// repeated text would sit in two splits and leak train into test: the first (by file and
// id order) stays, the others are dropped and listed in agreement.json.
const texts = new Map<string, string>();
const droppedDuplicates: Array<{ id: string; keeps: string }> = [];
const raw = written.filter((r) => {
  const key = r.text.replace(/\s+/g, " ").trim().toLowerCase();
  const first = texts.get(key);
  if (first !== undefined) droppedDuplicates.push({ id: r.id, keeps: first });
  else texts.set(key, r.id);
  return first === undefined;
});

// A supplement is written after the split and joins train only: a text too close to one in
// the main corpus's dev or test split would leak them, so it is dropped (character-trigram
// Jaccard ≥ NEAR, after folding case and white space).
const NEAR = 0.6;
const trigrams = (t: string) => {
  const f = t.replace(/\s+/g, " ").trim().toLowerCase();
  const out = new Set<string>();
  for (let i = 0; i + 3 <= f.length; i++) out.add(f.slice(i, i + 3));
  return out;
};
const jaccard = (a: Set<string>, b: Set<string>) => {
  let inter = 0;
  for (const g of a) if (b.has(g)) inter++;
  return inter / (a.size + b.size - inter || 1);
};
const droppedNearHeldOut: Array<{ id: string; near: string; jaccard: number }> = [];
if (dir !== resolve(import.meta.dirname, "sales-calls")) {
  const heldOut = ["dev", "test"].flatMap((split) =>
    readFileSync(resolve(import.meta.dirname, "sales-calls", `${split}.jsonl`), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { id: string; text: string })
      .map((r) => ({ id: r.id, grams: trigrams(r.text) })),
  );
  for (let i = raw.length - 1; i >= 0; i--) {
    const grams = trigrams(raw[i]!.text);
    for (const h of heldOut) {
      const j = jaccard(grams, h.grams);
      if (j >= NEAR) {
        droppedNearHeldOut.push({ id: raw[i]!.id, near: h.id, jaccard: Number(j.toFixed(3)) });
        raw.splice(i, 1);
        break;
      }
    }
  }
}
const byId = new Map(raw.map((r) => [r.id, r]));
if (byId.size !== raw.length) throw new Error("duplicate ids in raw/");

const present = LANGS.filter((l) => raw.some((r) => r.lang === l));
const second = new Map<string, z.infer<typeof Label>>();
for (const lang of present) {
  const file = join(dir, "second-read", `${lang}.jsonl`);
  if (!existsSync(file)) throw new Error(`missing ${file}: the second reading is not done`);
  for (const s of jsonl(file, Second)) {
    if (!written.some((r) => r.id === s.id))
      throw new Error(`second-read names unknown id ${s.id}`);
    second.set(s.id, s.label2);
  }
}
const unread = raw.filter((r) => !second.has(r.id)).map((r) => r.id);
if (unread.length)
  throw new Error(`${unread.length} utterances have no second reading: ${unread.slice(0, 5)}…`);

const resolutionsFile = join(dir, "resolutions.jsonl");
const resolutions = new Map(
  (existsSync(resolutionsFile) ? jsonl(resolutionsFile, Resolution) : []).map((r) => [r.id, r]),
);

/** Cohen's kappa of two label lists: agreement beyond what the label frequencies predict. */
function kappa(pairs: Array<[string, string]>): number {
  const n = pairs.length;
  const observed = pairs.filter(([a, b]) => a === b).length / n;
  let expected = 0;
  for (const l of Label.options) {
    const a = pairs.filter(([x]) => x === l).length / n;
    const b = pairs.filter(([, y]) => y === l).length / n;
    expected += a * b;
  }
  return (observed - expected) / (1 - expected);
}

const agreement: Record<string, unknown> = {};
for (const lang of present) {
  const rows = raw.filter((r) => r.lang === lang);
  const pairs = rows.map((r) => [r.label1, second.get(r.id)!] as [string, string]);
  const disagree = pairs.filter(([a, b]) => a !== b).length;
  const confusion: Record<string, Record<string, number>> = {};
  for (const [a, b] of pairs) {
    confusion[a] ??= {};
    confusion[a][b] = (confusion[a][b] ?? 0) + 1;
  }
  agreement[lang] = {
    utterances: rows.length,
    disagreements: disagree,
    disagreementRate: Number((disagree / rows.length).toFixed(4)),
    cohensKappa: Number(kappa(pairs).toFixed(4)),
    writerByReader: confusion,
  };
}

const pending = raw.filter((r) => r.label1 !== second.get(r.id) && !resolutions.has(r.id));
if (pending.length) {
  writeFileSync(
    join(dir, "disagreements.jsonl"),
    `${pending.map((r) => JSON.stringify({ ...r, label2: second.get(r.id) })).join("\n")}\n`,
  );
  console.error(
    `${pending.length} disagreements need a decision in resolutions.jsonl (listed in disagreements.jsonl)`,
  );
  process.exit(1);
}

const resolved = raw.map((r) => {
  const label2 = second.get(r.id)!;
  if (r.label1 === label2) return { ...r, label2, label: r.label1, resolution: "agreed" };
  const d = resolutions.get(r.id)!;
  return { ...r, label2, label: d.label, resolution: d.resolution };
});
const changed = resolved.filter((r) => r.label !== r.label1).length;
writeFileSync(
  join(dir, "resolved.jsonl"),
  `${resolved.map((r) => JSON.stringify(r)).join("\n")}\n`,
);
writeFileSync(
  join(dir, "agreement.json"),
  `${JSON.stringify({ ...agreement, resolvedAgainstWriter: changed, droppedDuplicates, droppedNearHeldOut, command: "npx tsx ml/data/resolve.ts" }, null, 2)}\n`,
);
console.log(JSON.stringify(agreement, null, 2));
console.log(
  `${resolved.length} utterances resolved; ${changed} final labels differ from the writer's`,
);
