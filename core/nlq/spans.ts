// How a question is consumed [NQ2]: each recogniser claims spans of the normalised text
// and blanks them out, so what is left at the end is exactly what nobody understood.

/** NFKC (full-width → ASCII, ￥ → ¥), lower case, one kind of apostrophe, single spaces. */
export function normalizeQuery(text: string): string {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc`]/g, "'")
    .replace(/\s+/g, " ")
    .trim();
}

const LATIN = /[a-z0-9]/;

/** Whether `text[start, end)` is not glued to Latin letters or digits on a Latin edge. */
export function atWordBoundary(text: string, start: number, end: number): boolean {
  const first = text[start] ?? "";
  const last = text[end - 1] ?? "";
  if (LATIN.test(first) && start > 0 && LATIN.test(text[start - 1]!)) return false;
  if (LATIN.test(last) && end < text.length && LATIN.test(text[end]!)) return false;
  return true;
}

export interface Hit<T> {
  start: number;
  end: number;
  value: T;
}

export type LiteralMatcher<T> = (text: string) => Hit<T>[];

/**
 * Leftmost-longest, non-overlapping occurrences of literal `needles` (Latin ones as whole
 * words), indexed by first character so a long gazetteer costs a lookup per position.
 * Needles are never regular expressions: tenant aliases stay literal. On equal text the
 * first needle wins.
 */
export function literalMatcher<T>(
  needles: ReadonlyArray<{ text: string; value: T }>,
): LiteralMatcher<T> {
  const byFirst = new Map<string, Array<{ text: string; value: T }>>();
  for (const needle of needles) {
    if (!needle.text) continue;
    const bucket = byFirst.get(needle.text[0]!) ?? [];
    bucket.push(needle);
    byFirst.set(needle.text[0]!, bucket);
  }
  for (const bucket of byFirst.values()) bucket.sort((a, b) => b.text.length - a.text.length);
  return (text) => {
    const hits: Hit<T>[] = [];
    let i = 0;
    while (i < text.length) {
      const bucket = byFirst.get(text[i]!);
      const needle = bucket?.find(
        (n) => text.startsWith(n.text, i) && atWordBoundary(text, i, i + n.text.length),
      );
      if (needle) {
        hits.push({ start: i, end: i + needle.text.length, value: needle.value });
        i += needle.text.length;
      } else i++;
    }
    return hits;
  };
}

/** Keeps, scanning left to right, the longest hit at each start that overlaps none kept. */
export function leftmostLongest<T>(hits: Hit<T>[]): Hit<T>[] {
  const sorted = [...hits].sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: Hit<T>[] = [];
  let reach = 0;
  for (const hit of sorted) {
    if (hit.start < reach) continue;
    kept.push(hit);
    reach = hit.end;
  }
  return kept;
}

/** All matches of `re` (which must be global; compiled once by the caller), with groups. */
export function findAll(text: string, re: RegExp): Hit<RegExpExecArray>[] {
  if (!re.global) throw new TypeError(`findAll needs a global pattern: ${re.source}`);
  const hits: Hit<RegExpExecArray>[] = [];
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (m[0].length === 0) {
      re.lastIndex++;
      continue;
    }
    hits.push({ start: m.index, end: m.index + m[0].length, value: m });
  }
  return hits;
}

/** `text` with the given spans replaced by spaces (same length, so offsets stay valid). */
export function blank(text: string, spans: ReadonlyArray<{ start: number; end: number }>): string {
  if (spans.length === 0) return text;
  const chars = text.split("");
  for (const { start, end } of spans) for (let i = start; i < end; i++) chars[i] = " ";
  return chars.join("");
}

/** The words (letters or digits) left in blanked text: what was not understood. */
export function leftoverWords(text: string): string[] {
  return text.match(/[\p{L}\p{N}]+/gu) ?? [];
}
