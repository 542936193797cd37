// Finds sales signals in one utterance: each kind's keywords and patterns plus the tenant's
// competitor gazetteer and product-line vocabulary, matched on folded text and reported at
// the original's offsets.
// Keyword matching is linear and always complete; tenant patterns draw on a work budget.

import { MAX_UTTERANCES } from "./limits.ts";
import { fold, foldWithMap } from "./normalise.ts";
import { foldPattern } from "./pattern-fold.ts";
import { patternShape } from "./pattern-safety.ts";
import { DEFAULT_PRODUCT_LINES } from "./product-lines-default.ts";
import { type InsightRules, MAX_PATTERNS, type Signal, SignalKind } from "./schema.ts";

interface Terminal {
  kind: SignalKind;
  competitor?: string;
  productLine?: string;
  /** Gazetteer hits are not negatable: "we don't use 华康" still names 华康. */
  negatable: boolean;
  latinStart: boolean;
  latinEnd: boolean;
}

interface TrieNode {
  next: Map<number, TrieNode>;
  terminals: Terminal[];
}

interface CompiledPattern {
  kind: SignalKind;
  regex: RegExp;
  /** Ways its bounded optional and counted parts can split a match (pattern-safety's paths). */
  paths: number;
  /**
   * With an unbounded quantifier, where an attempt can reach it: "anywhere", or where this
   * lookahead of the pattern before it matches. Null: no unbounded quantifier.
   */
  reaches: RegExp | "anywhere" | null;
}

export interface SignalMatcher {
  readonly trie: TrieNode;
  readonly patterns: readonly CompiledPattern[];
  readonly negations: readonly string[];
}

/**
 * Tenant patterns' work for one request, in estimated backtracking steps. A pattern run
 * over n folded characters costs n × paths, plus, when it has an unbounded quantifier,
 * (n − i) × paths for every position i where an attempt can reach the quantifier, which
 * may then scan to the end and back. An upper bound, not a measurement: on ordinary text
 * a quantifier behind a literal prefix (预算.*万) is reached rarely and costs little; on
 * adversarial text the bound is what the engine does. A run that does not fit what is
 * left is skipped, and so is every later one: the request's patterns stop there.
 */
export interface PatternBudget {
  remaining: number;
  /** Some pattern run was skipped: pattern signals are missing from there on. */
  truncated: boolean;
}

/** A full call at this many characters per utterance fits even with 20 patterns that lead with .* */
const NORMAL_UTTERANCE_CHARS = 256;
/**
 * 100 utterances × 20 patterns × 256 × 257 / 2 steps: about 66 million, which at the ~12 ns
 * a step measured for `.*` over Chinese text (u flag, a loaded machine) is under a second,
 * where adversarial text within the request limits took 18 s and more unbudgeted.
 */
export const PATTERN_WORK_BUDGET =
  (MAX_UTTERANCES * MAX_PATTERNS * NORMAL_UTTERANCE_CHARS * (NORMAL_UTTERANCE_CHARS + 1)) / 2;

export function patternBudget(steps: number = PATTERN_WORK_BUDGET): PatternBudget {
  return { remaining: steps, truncated: false };
}

function runCost(p: CompiledPattern, text: string): number {
  const n = text.length;
  let reachable = 0;
  if (p.reaches === "anywhere") reachable = (n * (n + 1)) / 2;
  else if (p.reaches) for (const m of text.matchAll(p.reaches)) reachable += n - m.index;
  return (n + reachable) * p.paths;
}

interface Candidate {
  kind: SignalKind;
  start: number;
  end: number;
  competitor?: string | undefined;
  productLine?: string | undefined;
  negatable: boolean;
}

const KIND_ORDER = new Map(SignalKind.options.map((k, i) => [k, i]));
/** Latin words need boundaries ("sign" is not in "design"); Chinese has none to need. */
const WORDY = /[\p{Script=Latin}\p{N}]/u;
const isWordy = (c: string | undefined) => c !== undefined && WORDY.test(c);

function insert(
  trie: TrieNode,
  phrase: string,
  terminal: Omit<Terminal, "latinStart" | "latinEnd">,
) {
  let node = trie;
  for (let k = 0; k < phrase.length; k++) {
    const unit = phrase.charCodeAt(k);
    let child = node.next.get(unit);
    if (!child) {
      child = { next: new Map(), terminals: [] };
      node.next.set(unit, child);
    }
    node = child;
  }
  if (node.terminals.some((t) => t.kind === terminal.kind)) return;
  node.terminals.push({
    ...terminal,
    latinStart: isWordy(phrase[0]),
    latinEnd: isWordy(phrase[phrase.length - 1]),
  });
}

/** Where a pattern's unbounded quantifier can be reached from (see PatternBudget). */
function reach(prefix: string | null): CompiledPattern["reaches"] {
  if (prefix === null) return null;
  if (prefix === "") return "anywhere";
  try {
    return new RegExp(`(?=${prefix})`, "giu");
  } catch {
    // The prefix is cut at a top-level atom and should compile; if not, assume the worst.
    return "anywhere";
  }
}

/** Compiles validated rules once; callers keep the result per tenant rules version. */
export function buildMatcher(rules: InsightRules): SignalMatcher {
  const trie: TrieNode = { next: new Map(), terminals: [] };
  // The gazetteer goes first: a named competitor wins over a generic "competitor" keyword.
  for (const c of rules.competitors) {
    for (const alias of [c.name, ...c.aliases]) {
      insert(trie, fold(alias), {
        kind: "competitor-mention",
        competitor: c.name,
        negatable: false,
      });
    }
  }
  for (const rule of rules.signals) {
    for (const keyword of rule.keywords)
      insert(trie, fold(keyword), { kind: rule.kind, negatable: true });
  }
  // "We don't need CT" is no call about CT. A word two lines share names the first.
  for (const line of rules.productLines ?? DEFAULT_PRODUCT_LINES) {
    for (const keyword of line.keywords) {
      insert(trie, fold(keyword), {
        kind: "product-mention",
        productLine: line.id,
        negatable: true,
      });
    }
  }
  return {
    trie,
    patterns: rules.signals.flatMap((r) =>
      r.patterns.map((p): CompiledPattern => {
        // The text is folded before matching; the pattern's own characters must be too.
        const source = foldPattern(p);
        const { paths, prefix } = patternShape(source);
        return { kind: r.kind, regex: new RegExp(source, "giu"), paths, reaches: reach(prefix) };
      }),
    ),
    negations: [...new Set(rules.negations.map(fold))],
  };
}

/**
 * A cue right before the hit cancels it, except in an A-not-A question (是不是太贵, 有没有优惠),
 * which asks rather than denies.
 */
function negated(text: string, start: number, cues: readonly string[]): boolean {
  let end = start;
  while (end > 0 && text[end - 1] === " ") end--;
  for (const cue of cues) {
    if (!text.endsWith(cue, end)) continue;
    const at = end - cue.length;
    if (isWordy(cue[0]) && isWordy(text[at - 1])) continue;
    if ((cue[0] === "不" || cue[0] === "没") && at > 0 && text[at - 1] === text[at + 1]) continue;
    return true;
  }
  return false;
}

function candidates(text: string, matcher: SignalMatcher, budget: PatternBudget): Candidate[] {
  const found: Candidate[] = [];
  for (let p = 0; p < text.length; p++) {
    let node: TrieNode | undefined = matcher.trie;
    for (let q = p; q < text.length; q++) {
      node = node.next.get(text.charCodeAt(q));
      if (!node) break;
      for (const t of node.terminals) {
        if (t.latinStart && isWordy(text[p - 1])) continue;
        if (t.latinEnd && isWordy(text[q + 1])) continue;
        found.push({
          kind: t.kind,
          start: p,
          end: q + 1,
          competitor: t.competitor,
          productLine: t.productLine,
          negatable: t.negatable,
        });
      }
    }
  }
  for (const p of matcher.patterns) {
    const cost = budget.truncated ? 0 : runCost(p, text);
    if (budget.truncated || cost > budget.remaining) {
      budget.truncated = true;
      break;
    }
    budget.remaining -= cost;
    const { kind, regex } = p;
    for (const m of text.matchAll(regex)) {
      if (m[0] !== "")
        found.push({ kind, start: m.index, end: m.index + m[0].length, negatable: true });
    }
  }
  return found;
}

/**
 * Signals in `text`, ordered by position. Within a kind, hits never overlap: the leftmost
 * wins, then the longest, then a named competitor. A negated hit still takes its span, so a
 * shorter keyword inside it cannot slip past the negation. Pattern runs draw on `budget`,
 * which a caller shares across a request's utterances.
 */
export function detectSignals(
  text: string,
  matcher: SignalMatcher,
  budget: PatternBudget = patternBudget(),
): Signal[] {
  const folded = foldWithMap(text);
  const found = candidates(folded.text, matcher, budget).sort(
    (a, b) =>
      KIND_ORDER.get(a.kind)! - KIND_ORDER.get(b.kind)! ||
      a.start - b.start ||
      b.end - a.end ||
      Number(b.competitor !== undefined) - Number(a.competitor !== undefined),
  );
  const signals: Signal[] = [];
  let kind: SignalKind | undefined;
  let reach = 0;
  for (const c of found) {
    if (c.kind !== kind) [kind, reach] = [c.kind, 0];
    if (c.start < reach) continue;
    reach = c.end;
    if (c.negatable && negated(folded.text, c.start, matcher.negations)) continue;
    const start = folded.starts[c.start]!;
    const end = folded.ends[c.end - 1]!;
    const signal: Signal = { kind: c.kind, match: text.slice(start, end), start, end };
    if (c.competitor !== undefined) signal.competitor = c.competitor;
    if (c.productLine !== undefined) signal.productLine = c.productLine;
    signals.push(signal);
  }
  return signals.sort(
    (a, b) =>
      a.start - b.start || a.end - b.end || KIND_ORDER.get(a.kind)! - KIND_ORDER.get(b.kind)!,
  );
}
