// `npx tsx ml/data/blind.ts OUT_DIR`: the second reader's input. For each language, every
// raw utterance's id, speaker, industry and text, without the writer's label, in a seeded
// shuffle (so neither the writer's order nor its industry blocks hint at a label).
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

const dir = resolve(import.meta.dirname, "sales-calls/raw");
const out = resolve(process.argv[2] ?? "/tmp/lifeline-blind");
mkdirSync(out, { recursive: true });

/** mulberry32: a small seeded generator, enough for a reproducible shuffle. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

for (const lang of ["zh", "en"]) {
  const rows = readdirSync(dir)
    .filter((f) => f.endsWith(`.${lang}.jsonl`))
    .sort()
    .flatMap((f) => readFileSync(join(dir, f), "utf8").split("\n").filter(Boolean))
    .map((l) => JSON.parse(l) as { id: string; speaker: string; industry: string; text: string });
  const next = rng(lang === "zh" ? 12 : 13);
  for (let i = rows.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [rows[i], rows[j]] = [rows[j]!, rows[i]!];
  }
  const lines = rows.map(({ id, speaker, industry, text }) =>
    JSON.stringify({ id, speaker, industry, text }),
  );
  writeFileSync(join(out, `${lang}.jsonl`), `${lines.join("\n")}\n`);
  console.log(`${lang}: ${rows.length} utterances → ${join(out, `${lang}.jsonl`)}`);
}
