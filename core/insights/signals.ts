// Finds sales signals in one utterance: each kind's keywords and patterns plus the tenant's
// competitor gazetteer, matched on folded text and reported at the original's offsets.
import { fold, foldWithMap } from "./normalise.ts";
import { type InsightRules, type Signal, SignalKind } from "./schema.ts";

interface Terminal {
  kind: SignalKind;
  competitor?: string;
  /** Gazetteer hits are not negatable: "we don't use 华康" still names 华康. */
  negatable: boolean;
  latinStart: boolean;
  latinEnd: boolean;
}

interface TrieNode {
  next: Map<number, TrieNode>;
  terminals: Terminal[];
}

export interface SignalMatcher {
  readonly trie: TrieNode;
  readonly patterns: ReadonlyArray<{ kind: SignalKind; regex: RegExp }>;
  readonly negations: readonly string[];
}

interface Candidate {
  kind: SignalKind;
  start: number;
  end: number;
  competitor?: string | undefined;
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
  return {
    trie,
    patterns: rules.signals.flatMap((r) =>
      r.patterns.map((p) => ({ kind: r.kind, regex: new RegExp(p, "giu") })),
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

function candidates(text: string, matcher: SignalMatcher): Candidate[] {
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
          negatable: t.negatable,
        });
      }
    }
  }
  for (const { kind, regex } of matcher.patterns) {
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
 * shorter keyword inside it cannot slip past the negation.
 */
export function detectSignals(text: string, matcher: SignalMatcher): Signal[] {
  const folded = foldWithMap(text);
  const found = candidates(folded.text, matcher).sort(
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
    signals.push(signal);
  }
  return signals.sort(
    (a, b) =>
      a.start - b.start || a.end - b.end || KIND_ORDER.get(a.kind)! - KIND_ORDER.get(b.kind)!,
  );
}
