// Refuses tenant regular expressions shaped for catastrophic backtracking: a repeated group
// whose body itself has a quantifier or an alternation, as in (a+)+, (a*)* or (a|a)*; more
// than one unbounded quantifier, as in \d*\d*x (polynomial), where a bound above MAX_BOUND
// counts as unbounded; chains of alternation groups, each of which doubles the paths; and
// backreferences, which repeat a group's variable length. `npx tsx bench/regex-shapes.ts`
// times each refused shape on an adversarial input.

/** Each unbounded quantifier can multiply the steps of a failing match by the text length. */
const MAX_UNBOUNDED = 1;
/** A counted repetition above this is as costly as an unbounded one. */
const MAX_BOUND = 10;
/** Groups with alternatives in one pattern: their arities multiply the paths to try. */
const MAX_ALTERNATION_GROUPS = 3;

interface Quantifier {
  end: number;
  /** Allows more than one repetition: the shape that multiplies backtracking paths. */
  repeats: boolean;
  unbounded: boolean;
}

function quantifierAt(source: string, i: number): Quantifier | null {
  const c = source[i];
  let end: number;
  let repeats: boolean;
  let unbounded: boolean;
  if (c === "*" || c === "+" || c === "?") {
    end = i + 1;
    repeats = c !== "?";
    unbounded = repeats;
  } else if (c === "{") {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i));
    if (!m) return null;
    end = i + m[0].length;
    unbounded = m[3] === "" || Number(m[3] ?? m[1]) > MAX_BOUND;
    repeats = unbounded || Number(m[3] ?? m[1]) > 1;
  } else {
    return null;
  }
  return { end: source[end] === "?" ? end + 1 : end, repeats, unbounded };
}

/** The index just past the escape sequence at `i` (`\p{…}`, `\u{…}` and `\k<…>` included). */
function escapeEnd(source: string, i: number): number {
  const braced = /^\\([pPu]\{[^}]*\}|k<[^>]*>)/.exec(source.slice(i));
  return braced ? i + braced[0].length : i + 2;
}

/** The index just past the character class opening at `i`. */
function classEnd(source: string, i: number): number {
  let j = i + 1;
  while (j < source.length && source[j] !== "]")
    j = source[j] === "\\" ? escapeEnd(source, j) : j + 1;
  return j + 1;
}

/** The index just past a group's opening: `(`, `(?:`, `(?=`, `(?!`, `(?<=`, `(?<!`, `(?<name>`. */
function groupBodyStart(source: string, i: number): number {
  if (source[i + 1] !== "?") return i + 1;
  if (source[i + 2] !== "<" || source[i + 3] === "=" || source[i + 3] === "!") {
    return source[i + 2] === "<" ? i + 4 : i + 3;
  }
  const close = source.indexOf(">", i);
  return close < 0 ? source.length : close + 1;
}

/**
 * Why `source` (which must already compile with the `u` flag) risks catastrophic
 * backtracking, or null. Conservative: it also refuses some safe shapes such as
 * `(?:ab|cd)+`, which tenants can write as separate keywords or character classes.
 */
export function backtrackingRisk(source: string): string | null {
  // For every open group: where it starts and whether its body quantifies or alternates.
  type Group = { start: number; risky: boolean; alternates: boolean };
  const open: Group[] = [{ start: 0, risky: false, alternates: false }];
  let closed: Group | null = null;
  let unbounded = 0;
  let alternationGroups = 0;
  let i = 0;
  while (i < source.length) {
    const quantifier = quantifierAt(source, i);
    if (quantifier) {
      if (quantifier.repeats && closed?.risky) {
        const group = source.slice(closed.start, i);
        return `repeats the group ${group}, which itself has a quantifier or an alternation, so matching can backtrack exponentially; use a character class or drop one quantifier`;
      }
      open[open.length - 1]!.risky = true;
      if (quantifier.unbounded) unbounded++;
      closed = null;
      i = quantifier.end;
      continue;
    }
    closed = null;
    const c = source[i];
    if (c === "\\" && /^\\([1-9]|k<)/.test(source.slice(i, i + 3))) {
      return "uses a backreference, which repeats a group's variable-length match; list the forms as keywords instead";
    }
    if (c === "\\") i = escapeEnd(source, i);
    else if (c === "[") i = classEnd(source, i);
    else if (c === "(") {
      open.push({ start: i, risky: false, alternates: false });
      i = groupBodyStart(source, i);
    } else if (c === ")" && open.length > 1) {
      closed = open.pop()!;
      if (closed.alternates) alternationGroups++;
      if (closed.risky) open[open.length - 1]!.risky = true;
      i++;
    } else {
      if (c === "|") {
        open[open.length - 1]!.risky = true;
        open[open.length - 1]!.alternates = true;
      }
      i++;
    }
  }
  if (open[0]!.alternates) alternationGroups++;
  if (unbounded > MAX_UNBOUNDED) {
    return `has ${unbounded} unbounded quantifiers (*, +, {n,} or a bound above ${MAX_BOUND}); keep one and bound the others, e.g. .{0,${MAX_BOUND}}`;
  }
  if (alternationGroups > MAX_ALTERNATION_GROUPS) {
    return `has ${alternationGroups} groups of alternatives, whose paths multiply; use at most ${MAX_ALTERNATION_GROUPS}, or separate patterns and keywords`;
  }
  return null;
}
