// Call metrics: each side's share of the talk, the longest monologue and how often each side
// asks questions. By time when every utterance has a start time, else by characters spoken.
import type { CallMetrics, Speaker, Utterance } from "./schema.ts";

/** Typical speaking rates: how long an utterance's words take to say. */
const MS_PER_HAN_CHAR = 250;
const MS_PER_OTHER_CHAR = 60;
const HAN = /\p{Script=Han}/u;
const UNSPOKEN = /[^\p{L}\p{N}]+/gu;

// After NFKC ？！；… read ?!;... as well.
const SENTENCE = /[^.!?。;\n]+[.!?。;\n]*/gu;
const A_NOT_A = /(\p{Script=Han})[不没]\1/u;
/**
 * 呢 after an ongoing or not-yet state tells, not asks: 我还在考虑呢, 正在开会呢, 早着呢,
 * 还没定呢. 你们呢, 价格呢, 现在价格呢 (and the price?) still ask.
 */
const ZH_DURATIVE_NE = /(?:还在|正在|着|还没|还不)[^，,]*呢$/u;

/** Chinese question words; the first four always ask, the rest also serve as "any", "some". */
const ZH_WH = /为什么|为何|是否|请问|什么|怎么|多少|哪|几|谁/gu;
const ZH_ALWAYS_ASKS = new Set(["为什么", "为何", "是否", "请问"]);
/** 什么都可以, 多少钱都行, 谁来也没用: a question word with 都 or 也 after it in its clause means "any". */
const ZH_UNIVERSAL = /^[^,、:\s]{0,4}?[都也]/u;
/** 没什么, 不怎么, 无论多少, 随便哪个: negated or "no matter" means "not much", "any". */
const ZH_INDEFINITE_BEFORE = /(?:[没不]|不管|无论|不论|随便)$/u;
/** Fixed phrases with a question word that ask nothing. */
const ZH_IDIOM: Record<string, { before?: RegExp; after?: RegExp }> = {
  几: { before: /[好十]$/u, after: /^[乎十百千万]/u }, // 好几个, 十几台, 几乎, 几十万
  哪: { after: /^(?:怕|里哪里)/u }, // 哪怕, 哪里哪里
  什么: { after: /^的/u }, // 价格什么的 (and so on)
  多少: { before: /多$/u, after: /^有[点些]/u }, // 多多少少, 多少有点贵
};

const EN_WH = new Set(["what", "when", "where", "who", "whom", "whose", "why", "which", "how"]);
const EN_AUX = new Set(
  (
    "do does did is are was were am can could will would shall should may might have has had " +
    "isn't aren't wasn't weren't don't doesn't didn't won't wouldn't can't couldn't shouldn't " +
    "haven't hasn't"
  ).split(" "),
);
/**
 * After an auxiliary, words that cannot be its subject: the subject was dropped and the
 * auxiliary states ("Can do", "Will send it today", "Could be", "Don't worry").
 */
const EN_NOT_SUBJECT = new Set(
  (
    "be been being do done doing go gone get got make made take taken give send sent call try " +
    "tried check help work see seen look come meet sign signed pay paid ship deliver arrange " +
    "email confirm follow start wait manage happen happened say said tell told ask think " +
    "consider talk discuss review schedule book set put keep let need want love like use buy " +
    "order offer add update share forward handle complain agree imagine guess bet hope promise " +
    "afford assure worry mind forget remember hesitate to not also definitely probably " +
    "certainly surely maybe just really never always only still already actually easily " +
    "possibly well too so either neither as totally absolutely hardly barely fine ok okay good " +
    "great true right possible"
  ).split(" "),
);
/** "Do it", "Do that": an imperative, not "Does it". "Have a look": likewise. */
const EN_IMPERATIVE: Record<string, Set<string>> = {
  do: new Set(["it", "this", "that", "me", "us", "them", "him", "her"]),
  have: new Set(["a", "an", "fun"]),
};
const WORD = /[\p{L}']+/gu;

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

/** A spoken word takes at least this long, however close the next utterance starts. */
const MIN_UTTERANCE_MS = 200;
/** Slow speakers and hesitations stretch speech this far; beyond it the gap is silence. */
const MAX_SPEECH_STRETCH = 2;
/**
 * A per-minute rate needs a minute: 2 questions in a 10 s call is no "12 a minute" a
 * dashboard should show next to real calls, so shorter calls get null, not a number.
 */
const MIN_RATED_MS = 60_000;

export function estimateSpeechMs(text: string): number {
  let ms = 0;
  for (const c of text.replace(UNSPOKEN, ""))
    ms += HAN.test(c) ? MS_PER_HAN_CHAR : MS_PER_OTHER_CHAR;
  return ms;
}

function zhAsks(body: string): boolean {
  for (const m of body.matchAll(ZH_WH)) {
    const word = m[0];
    if (ZH_ALWAYS_ASKS.has(word)) return true;
    const before = body.slice(0, m.index);
    const after = body.slice(m.index + word.length);
    const idiom = ZH_IDIOM[word];
    if (idiom?.before?.test(before) || idiom?.after?.test(after)) continue;
    if (ZH_INDEFINITE_BEFORE.test(before) || ZH_UNIVERSAL.test(after)) continue;
    return true;
  }
  return false;
}

function enAsks(body: string): boolean {
  const [first, second] = body.match(WORD) ?? [];
  if (first === undefined) return false;
  // "What a deal" exclaims.
  if (EN_WH.has(first)) return !(first === "what" && (second === "a" || second === "an"));
  if (!EN_AUX.has(first) || second === undefined) return false;
  return !EN_NOT_SUBJECT.has(second) && !EN_IMPERATIVE[first]?.has(second);
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
    (body.endsWith("呢") && !ZH_DURATIVE_NE.test(body)) ||
    A_NOT_A.test(body) ||
    zhAsks(body) ||
    enAsks(body.trimStart())
  );
}

/** Questions in one utterance: zh and en, punctuated or not (speech recognisers often omit it). */
export function countQuestions(text: string): number {
  let n = 0;
  const folded = text.normalize("NFKC").toLowerCase().replace(/[‘’]/gu, "'");
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

/**
 * Each utterance's talk time, or null unless every utterance has a start time. It talks
 * until the next one starts, within [min(200 ms, speech), 2 × speech] where speech is the
 * time its words take to say; the last, or one whose successor starts no later than it
 * (equal or backward times), talks for its speech time.
 */
export function utteranceTalkMs(transcript: readonly Utterance[]): number[] | null {
  if (transcript.length === 0 || transcript.some((u) => u.atMs === undefined)) return null;
  return transcript.map((u, i) => {
    const speech = estimateSpeechMs(u.text);
    const next = transcript[i + 1];
    const gap = next ? next.atMs! - u.atMs! : Number.NaN;
    if (!(gap > 0)) return speech;
    return Math.min(Math.max(gap, Math.min(MIN_UTTERANCE_MS, speech)), speech * MAX_SPEECH_STRETCH);
  });
}

/** First start to last end, and never less than the talk: colliding times understate it. */
function callSpanMs(transcript: readonly Utterance[], talk: readonly number[], total: number) {
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  transcript.forEach((u, i) => {
    first = Math.min(first, u.atMs!);
    last = Math.max(last, u.atMs! + talk[i]!);
  });
  const span = last - first;
  return Number.isFinite(span) ? Math.max(span, total) : total;
}

export function callMetrics(transcript: readonly Utterance[]): CallMetrics {
  const chars = transcript.map((u) => spokenChars(u.text));
  const ms = utteranceTalkMs(transcript);
  const timed = ms !== null;
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
  if (ms) {
    const durationMs = callSpanMs(transcript, ms, total);
    metrics.durationMs = durationMs;
    metrics.questionRate.repPerMinute =
      durationMs >= MIN_RATED_MS ? questions.rep / (durationMs / 60_000) : null;
  }
  return metrics;
}
