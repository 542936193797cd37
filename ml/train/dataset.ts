// Labelled rows: parsing the shared JSONL format and seeded, stratified splits. Pure; the
// CLI reads the files.
import { z } from "zod";
import { mulberry32, shuffle } from "../../core/prng.ts";

export const RowSchema = z.object({
  text: z.string(),
  label: z.string().min(1),
  source: z.string().optional(),
});
export type Row = z.infer<typeof RowSchema>;

export function parseJsonl(text: string): Row[] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line, i) => {
      const parsed = RowSchema.safeParse(JSON.parse(line));
      if (!parsed.success) throw new Error(`line ${i + 1}: ${parsed.error.message}`);
      return parsed.data;
    });
}

/** Labels in sorted order, so the label index does not depend on row order. */
export function labelSet(rows: readonly Row[]): string[] {
  return [...new Set(rows.map((r) => r.label))].sort();
}

/**
 * Splits each label's rows separately so every class keeps its share on both sides;
 * `fraction` of each label (rounded, at least one when a label has two or more rows) goes right.
 */
export function stratifiedSplit<T extends { label: string }>(
  rows: readonly T[],
  fraction: number,
  seed: number,
): { left: T[]; right: T[] } {
  const rng = mulberry32(seed);
  const byLabel = new Map<string, T[]>();
  for (const r of rows) {
    const group = byLabel.get(r.label);
    if (group) group.push(r);
    else byLabel.set(r.label, [r]);
  }
  const left: T[] = [];
  const right: T[] = [];
  for (const label of [...byLabel.keys()].sort()) {
    const group = shuffle([...byLabel.get(label)!], rng);
    const k = group.length < 2 ? 0 : Math.max(1, Math.round(group.length * fraction));
    right.push(...group.slice(0, k));
    left.push(...group.slice(k));
  }
  return { left, right };
}
