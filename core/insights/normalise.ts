// Folding for rule matching: NFKC, lower case, curly apostrophes straightened and runs of
// white space as one space, so "ＸＹＺ" matches "xyz"; keeps a map back to original offsets.

export interface Folded {
  readonly text: string;
  /** For each code unit of `text`, where the original segment it came from starts and ends. */
  readonly starts: readonly number[];
  readonly ends: readonly number[];
}

const MARK = /\p{M}/u;

/** Combining marks belong to the character before them: NFKC may compose the two. */
export function isMark(cp: number): boolean {
  // Ranges without marks that make up nearly all of a zh or en call, tested without a regex.
  if (cp < 0x300 || (cp >= 0x3000 && cp < 0x302a) || (cp >= 0x4e00 && cp <= 0x9fff)) return false;
  return !(cp >= 0xff00 && cp <= 0xffef) && MARK.test(String.fromCodePoint(cp));
}

function foldSegment(segment: string, cp: number): string {
  if (segment.length === 1 && cp < 0x80)
    return cp >= 65 && cp <= 90 ? segment.toLowerCase() : segment;
  // CJK unified ideographs are NFKC-stable and caseless: the common case in zh calls.
  if (segment.length === 1 && cp >= 0x4e00 && cp <= 0x9fff) return segment;
  if (cp === 0x2018 || cp === 0x2019) return "'";
  // Full-width ASCII (，？！ＡＢＣ), which NFKC maps to half-width by this same offset.
  if (segment.length === 1 && cp >= 0xff01 && cp <= 0xff5e) {
    return String.fromCharCode(cp - 0xfee0).toLowerCase();
  }
  return segment.normalize("NFKC").toLowerCase();
}

/**
 * Folds character by character (a character being a code point and its combining marks),
 * so that every folded code unit maps back to the span of the original it came from.
 */
export function foldWithMap(text: string): Folded {
  let out = "";
  const starts: number[] = [];
  const ends: number[] = [];
  let i = 0;
  while (i < text.length) {
    const start = i;
    const cp = text.codePointAt(i)!;
    i += cp > 0xffff ? 2 : 1;
    for (let next = text.codePointAt(i); next !== undefined && isMark(next); ) {
      i += next > 0xffff ? 2 : 1;
      next = text.codePointAt(i);
    }
    let folded = foldSegment(text.slice(start, i), cp);
    if (folded.trim() === "") {
      if (out.endsWith(" ")) {
        ends[ends.length - 1] = i;
        continue;
      }
      folded = " ";
    }
    out += folded;
    for (let k = 0; k < folded.length; k++) {
      starts.push(start);
      ends.push(i);
    }
  }
  return { text: out, starts, ends };
}

export function fold(text: string): string {
  return foldWithMap(text).text;
}
