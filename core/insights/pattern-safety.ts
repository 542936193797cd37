// Refuses tenant regular expressions shaped for catastrophic backtracking: a repeated group
// whose body itself has a quantifier or an alternation, as in (a+)+, (a*)* or (a|a)*; more
// than one unbounded quantifier, as in \d*\d*x (polynomial), where a bound above MAX_BOUND
// counts as unbounded; chains of alternation groups, each of which doubles the paths; chains
// of optional or counted parts whose ranges multiply (a{0,10}a{0,10}a{0,10}b); and
// backreferences, which repeat a group's variable length. `npx tsx bench/regex-shapes.ts`
// times each refused shape on an adversarial input.

/** Each unbounded quantifier can multiply the steps of a failing match by the text length. */
const MAX_UNBOUNDED = 1;
/** A counted repetition above this is as costly as an unbounded one. */
const MAX_BOUND = 10;
/** Groups with alternatives in one pattern: their arities multiply the paths to try. */
const MAX_ALTERNATION_GROUPS = 3;
/**
 * Ways the bounded variable quantifiers of one pattern can split a match (the product of
 * their ranges: ? is 2, {0,10} is 11). Eight {0,10} in a row took 86 s on 80 characters.
 */
export const MAX_PATHS = 128;

/** What a pattern's worst case per match attempt depends on; see `patternShape`. */
export interface PatternShape {
  /** Quantifiers without a bound, or with one above MAX_BOUND. */
  unbounded: number;
  /** The product of the ranges of the bounded variable quantifiers. */
  paths: number;
  /**
   * With an unbounded quantifier: the pattern before it, cut at a top-level atom, which an
   * attempt must match before the quantifier can scan the rest of the text; "" when that
   * cannot be cut out (the quantifier leads, or the pattern alternates at top level).
   */
  prefix: string | null;
}

interface Quantifier {
  end: number;
  /** Allows more than one repetition: the shape that multiplies backtracking paths. */
  repeats: boolean;
  unbounded: boolean;
  /** How many repetition counts a bounded quantifier allows: 2 for ?, 1 for {3}. */
  range: number;
}

export function quantifierAt(source: string, i: number): Quantifier | null {
  const c = source[i];
  let end: number;
  let repeats: boolean;
  let unbounded: boolean;
  let range = 1;
  if (c === "*" || c === "+" || c === "?") {
    end = i + 1;
    repeats = c !== "?";
    unbounded = repeats;
    if (c === "?") range = 2;
  } else if (c === "{") {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i));
    if (!m) return null;
    end = i + m[0].length;
    const max = Number(m[3] ?? m[1]);
    unbounded = m[3] === "" || max > MAX_BOUND;
    repeats = unbounded || max > 1;
    if (!unbounded) range = Math.max(1, max - Number(m[1]) + 1);
  } else {
    return null;
  }
  return { end: source[end] === "?" ? end + 1 : end, repeats, unbounded, range };
}

/** The index just past the escape sequence at `i` (`\p{…}`, `\u{…}` and `\k<…>` included). */
export function escapeEnd(source: string, i: number): number {
  const braced = /^\\([pPu]\{[^}]*\}|k<[^>]*>)/.exec(source.slice(i));
  return braced ? i + braced[0].length : i + 2;
}

/** The index just past the character class opening at `i`. */
export function classEnd(source: string, i: number): number {
  let j = i + 1;
  while (j < source.length && source[j] !== "]")
    j = source[j] === "\\" ? escapeEnd(source, j) : j + 1;
  return j + 1;
}

/** The index just past a group's opening: `(`, `(?:`, `(?=`, `(?!`, `(?<=`, `(?<!`, `(?<name>`. */
export function groupBodyStart(source: string, i: number): number {
  if (source[i + 1] !== "?") return i + 1;
  if (source[i + 2] !== "<" || source[i + 3] === "=" || source[i + 3] === "!") {
    return source[i + 2] === "<" ? i + 4 : i + 3;
  }
  const close = source.indexOf(">", i);
  return close < 0 ? source.length : close + 1;
}

interface Scan extends PatternShape {
  alternationGroups: number;
  /** A shape refused whatever the counts: a repeated risky group, a backreference. */
  refused: string | null;
}

function scan(source: string): Scan {
  // For every open group: where it starts and whether its body quantifies or alternates.
  type Group = { start: number; risky: boolean; alternates: boolean };
  const open: Group[] = [{ start: 0, risky: false, alternates: false }];
  let closed: Group | null = null;
  const result: Scan = {
    unbounded: 0,
    paths: 1,
    prefix: null,
    alternationGroups: 0,
    refused: null,
  };
  // Where the last top-level atom starts, and where the prefix before the first unbounded quantifier ends.
  let atom = 0;
  let prefixEnd: number | undefined;
  let i = 0;
  while (i < source.length) {
    const quantifier = quantifierAt(source, i);
    if (quantifier) {
      if (quantifier.repeats && closed?.risky) {
        const group = source.slice(closed.start, i);
        result.refused = `repeats the group ${group}, which itself has a quantifier or an alternation, so matching can backtrack exponentially; use a character class or drop one quantifier`;
        return result;
      }
      open[open.length - 1]!.risky = true;
      if (quantifier.unbounded) {
        result.unbounded++;
        prefixEnd ??= open.length > 1 ? open[1]!.start : atom;
      }
      result.paths *= quantifier.range;
      closed = null;
      i = quantifier.end;
      continue;
    }
    closed = null;
    const c = source[i];
    if (open.length === 1 && c !== ")" && c !== "|") atom = i;
    if (c === "\\" && /^\\([1-9]|k<)/.test(source.slice(i, i + 3))) {
      result.refused =
        "uses a backreference, which repeats a group's variable-length match; list the forms as keywords instead";
      return result;
    }
    if (c === "\\") i = escapeEnd(source, i);
    else if (c === "[") i = classEnd(source, i);
    else if (c === "(") {
      open.push({ start: i, risky: false, alternates: false });
      i = groupBodyStart(source, i);
    } else if (c === ")" && open.length > 1) {
      closed = open.pop()!;
      if (closed.alternates) result.alternationGroups++;
      if (closed.risky) open[open.length - 1]!.risky = true;
      i++;
    } else {
      if (c === "|") {
        open[open.length - 1]!.risky = true;
        open[open.length - 1]!.alternates = true;
      }
      // A surrogate pair is one atom: a quantifier after it repeats both halves.
      i += source.codePointAt(i)! > 0xffff ? 2 : 1;
    }
  }
  if (open[0]!.alternates) result.alternationGroups++;
  if (prefixEnd !== undefined)
    result.prefix = open[0]!.alternates ? "" : source.slice(0, prefixEnd);
  return result;
}

/** The counts a safe pattern's matching cost grows with (the signal matcher's work budget). */
export function patternShape(source: string): PatternShape {
  const { unbounded, paths, prefix } = scan(source);
  return { unbounded, paths, prefix };
}

/**
 * Why `source` (which must already compile with the `u` flag) risks catastrophic
 * backtracking, or null. Conservative: it also refuses some safe shapes such as
 * `(?:ab|cd)+`, which tenants can write as separate keywords or character classes.
 */
export function backtrackingRisk(source: string): string | null {
  const { refused, unbounded, alternationGroups, paths } = scan(source);
  if (refused) return refused;
  if (unbounded > MAX_UNBOUNDED) {
    return `has ${unbounded} unbounded quantifiers (*, +, {n,} or a bound above ${MAX_BOUND}); keep one and bound the others, e.g. .{0,${MAX_BOUND}}`;
  }
  if (alternationGroups > MAX_ALTERNATION_GROUPS) {
    return `has ${alternationGroups} groups of alternatives, whose paths multiply; use at most ${MAX_ALTERNATION_GROUPS}, or separate patterns and keywords`;
  }
  if (paths > MAX_PATHS) {
    return `has optional or counted parts (?, {m,n}) whose ranges multiply to ${paths} ways to split a match; at most ${MAX_PATHS}: merge neighbouring windows into one or split the pattern`;
  }
  return null;
}
