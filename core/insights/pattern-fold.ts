// Folds a tenant pattern's literal characters the way text is folded before matching (NFKC,
// lower case, curly apostrophes straightened, white space as one space), so that "ＶＩＰ",
// "don’t" or [０-９] can match the folded text at all. Escapes such as \d and \p{…},
// groups and quantifiers are kept as written; the result has the same shape.
import { fold, isMark } from "./normalise.ts";
import { classEnd, escapeEnd, groupBodyStart, quantifierAt } from "./pattern-safety.ts";

const SYNTAX = /[\\^$.*+?()[\]{}|/]/gu;
const CLASS_SYNTAX = /[\\\][^-]/gu;

/** The one character an escape stands for (\u2019, \u{FF21}, \xA0, \t), or null for \d, \b, … */
function escapedChar(sequence: string): string | null {
  const hex = /^\\(?:u([0-9a-fA-F]{4})|u\{([0-9a-fA-F]+)\}|x([0-9a-fA-F]{2}))$/u.exec(sequence);
  if (hex) {
    const cp = Number.parseInt(hex[1] ?? hex[2] ?? hex[3]!, 16);
    // A lone surrogate is half of a pair written as two escapes; leave it as written.
    return cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ? null : String.fromCodePoint(cp);
  }
  const control = { "\\t": "\t", "\\n": "\n", "\\r": "\r", "\\f": "\f", "\\v": "\v" }[sequence];
  return control ?? null;
}

const codePoints = (s: string) => [...s].length;

/** The end of the escape at `i`, counting the hex digits of \uXXXX and \xHH as part of it. */
function escapeAt(source: string, i: number): number {
  const hex = /^\\(?:u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2})/u.exec(source.slice(i, i + 6));
  return hex ? i + hex[0].length : escapeEnd(source, i);
}

/** A character class with the folded form of each member that folding changes added to it. */
function foldClass(source: string): string {
  const negated = source[1] === "^";
  let i = negated ? 2 : 1;
  const end = source.length - 1;
  const members: Array<{ raw: string; char: string | null }> = [];
  while (i < end) {
    const width = source.codePointAt(i)! > 0xffff ? 2 : 1;
    const next = source[i] === "\\" ? escapeAt(source, i) : i + width;
    const raw = source.slice(i, next);
    members.push({ raw, char: raw[0] === "\\" ? escapedChar(raw) : raw });
    i = next;
  }
  const added: string[] = [];
  const single = (c: string | null) => {
    if (c === null) return null;
    const f = fold(c);
    return f !== c && codePoints(f) === 1 ? f : null;
  };
  for (let k = 0; k < members.length; k++) {
    const m = members[k]!;
    const hi = members[k + 2];
    if (members[k + 1]?.raw === "-" && hi) {
      // A range folds as a range only when folding shifts every member by one offset, as
      // it does for full-width ASCII (［０-９］).
      const [lo, top] = [single(m.char), single(hi.char)];
      if (lo && top && m.char && hi.char) {
        const width = hi.char.codePointAt(0)! - m.char.codePointAt(0)!;
        if (top.codePointAt(0)! - lo.codePointAt(0)! === width) {
          added.push(`${lo.replace(CLASS_SYNTAX, "\\$&")}-${top.replace(CLASS_SYNTAX, "\\$&")}`);
        }
      }
      k += 2;
      continue;
    }
    const f = single(m.char);
    if (f) added.push(f.replace(CLASS_SYNTAX, "\\$&"));
  }
  return added.length === 0 ? source : `${source.slice(0, end)}${added.join("")}]`;
}

/**
 * `source` (valid with the u flag) with its literal characters folded: a character that
 * folds to several ("ﬁ" to "fi") is grouped when a quantifier follows, and a run of
 * literal white space becomes one space, as it does in the text.
 */
export function foldPattern(source: string): string {
  let out = "";
  let afterSpace = false;
  let i = 0;
  while (i < source.length) {
    const quantifier = quantifierAt(source, i);
    if (quantifier) {
      out += source.slice(i, quantifier.end);
      i = quantifier.end;
      afterSpace = false;
      continue;
    }
    const c = source[i]!;
    let next: number;
    let literal: string | null = null;
    if (c === "\\") {
      next = escapeAt(source, i);
      literal = escapedChar(source.slice(i, next));
    } else if (c === "[") {
      next = classEnd(source, i);
      out += foldClass(source.slice(i, next));
      i = next;
      afterSpace = false;
      continue;
    } else if (c === "(") {
      next = groupBodyStart(source, i);
    } else if ("^$.|)".includes(c)) {
      next = i + 1;
    } else {
      // A literal character with the combining marks that NFKC may compose with it.
      next = i + (source.codePointAt(i)! > 0xffff ? 2 : 1);
      for (let cp = source.codePointAt(next); cp !== undefined && isMark(cp); ) {
        next += cp > 0xffff ? 2 : 1;
        cp = source.codePointAt(next);
      }
      literal = source.slice(i, next);
    }
    const raw = source.slice(i, next);
    i = next;
    if (literal === null) {
      out += raw;
      afterSpace = false;
      continue;
    }
    const folded = fold(literal);
    const quantified = quantifierAt(source, i) !== null;
    if (folded === " ") {
      if (afterSpace && !quantified) continue;
      out += " ";
      afterSpace = !quantified;
      continue;
    }
    afterSpace = false;
    if (folded === literal) {
      out += raw;
      continue;
    }
    const escaped = folded.replace(SYNTAX, "\\$&");
    out += quantified && codePoints(folded) > 1 ? `(?:${escaped})` : escaped;
  }
  return out;
}
