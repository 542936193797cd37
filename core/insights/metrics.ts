// Call metrics: each side's share of the talk, the longest monologue and how often each side
// asks questions. By time when every utterance has a start time, else by characters spoken.
import type { CallMetrics, Speaker, Utterance } from "./schema.ts";

/** Speaking rates for the last utterance, whose end no later utterance tells us. */
const MS_PER_HAN_CHAR = 250;
const MS_PER_OTHER_CHAR = 60;
const HAN = /\p{Script=Han}/u;
const UNSPOKEN = /[^\p{L}\p{N}]+/gu;

// After NFKC ？！；… read ?!;... as well.
const SENTENCE = /[^.!?。;\n]+[.!?。;\n]*/gu;
const A_NOT_A = /(\p{Script=Han})[不没]\1/u;
const ZH_INTERROGATIVE =
  /什么(?![都也])|怎么(?![都也])|为什么|为何|多少|哪(?!怕)|几(?!乎)|谁|是否|请问/u;
const EN_OPENER =
  /^(what|when|where|who|whom|whose|why|which|how|do|does|did|is|are|was|were|am|can|could|will|would|shall|should|may|might|have|has|had|isn't|aren't|don't|doesn't|didn't|won't|can't)\b/u;

/** Letters and digits: punctuation, emoji and white space are not spoken. */
export function spokenChars(text: string): number {
  const spoken = text.replace(UNSPOKEN, "");
  let n = 0;
  // Code points, not code units: a low surrogate ends a character already counted.
  for (let i = 0; i < spoken.length; i++) {
    const c = spoken.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) n++;
  }
  return n;
}

export function estimateSpeechMs(text: string): number {
  let ms = 0;
  for (const c of text.replace(UNSPOKEN, ""))
    ms += HAN.test(c) ? MS_PER_HAN_CHAR : MS_PER_OTHER_CHAR;
  return ms;
}

function isQuestion(sentence: string): boolean {
  const body = sentence.replace(/[.!?。;\s]+$/u, "");
  const end = sentence.slice(body.length);
  if (end.includes("?")) return true;
  if (body === "") return false;
  if (body.endsWith("吗")) return true;
  // A full stop or exclamation mark says statement; only 吗 outweighs it.
  if (/[.!。]/u.test(end)) return false;
  return (
    body.endsWith("呢") ||
    A_NOT_A.test(body) ||
    ZH_INTERROGATIVE.test(body) ||
    EN_OPENER.test(body.trimStart())
  );
}

/** Questions in one utterance: zh and en, punctuated or not (speech recognisers often omit it). */
export function countQuestions(text: string): number {
  let n = 0;
  const folded = text.normalize("NFKC").toLowerCase();
  for (const [sentence] of folded.matchAll(SENTENCE)) if (isQuestion(sentence)) n++;
  return n;
}

interface Run {
  speaker: Speaker;
  fromIndex: number;
  toIndex: number;
  utterances: number;
  chars: number;
  weight: number;
}

export function callMetrics(transcript: readonly Utterance[]): CallMetrics {
  const timed = transcript.length > 0 && transcript.every((u) => u.atMs !== undefined);
  const chars = transcript.map((u) => spokenChars(u.text));
  // An utterance lasts until the next one starts; out-of-order times count as zero.
  const ms = timed
    ? transcript.map((u, i) => {
        const next = transcript[i + 1];
        return next ? Math.max(0, next.atMs! - u.atMs!) : estimateSpeechMs(u.text);
      })
    : null;
  const weight = ms ?? chars;

  const talk = { rep: 0, customer: 0 };
  const count = { rep: 0, customer: 0 };
  const questions = { rep: 0, customer: 0 };
  let longest: Run | null = null;
  let from = 0;
  let runChars = 0;
  let runWeight = 0;
  for (const [i, u] of transcript.entries()) {
    talk[u.speaker] += weight[i]!;
    count[u.speaker]++;
    questions[u.speaker] += countQuestions(u.text);
    if (i > 0 && transcript[i - 1]!.speaker !== u.speaker) [from, runChars, runWeight] = [i, 0, 0];
    runChars += chars[i]!;
    runWeight += weight[i]!;
    if (!longest || runWeight > longest.weight) {
      longest = {
        speaker: u.speaker,
        fromIndex: from,
        toIndex: i,
        utterances: i - from + 1,
        chars: runChars,
        weight: runWeight,
      };
    }
  }

  const total = talk.rep + talk.customer;
  const metrics: CallMetrics = {
    basis: timed ? "time" : "chars",
    talkRatio: {
      rep: total > 0 ? talk.rep / total : 0,
      customer: total > 0 ? talk.customer / total : 0,
    },
    longestMonologue: null,
    questionRate: {
      rep: count.rep > 0 ? questions.rep / count.rep : 0,
      customer: count.customer > 0 ? questions.customer / count.customer : 0,
    },
    utterances: count,
  };
  if (longest) {
    const { weight: w, ...shape } = longest;
    metrics.longestMonologue = timed ? { ...shape, ms: w } : shape;
  }
  if (timed) {
    metrics.durationMs = total;
    if (total > 0) metrics.questionRate.repPerMinute = questions.rep / (total / 60_000);
  }
  return metrics;
}
