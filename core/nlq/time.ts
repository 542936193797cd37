// Time expressions of a question, relative to the customer's local today [NQ4]: named
// periods, rolling windows, dates, months, quarters and years, and the since / before /
// after / until / between forms around them. Text is already normalised (lower case).
import {
  addMonths,
  civil,
  type DayRange,
  dayOf,
  isCivil,
  monthOffset,
  monthRange,
  quarterOffset,
  quarterRange,
  weekRange,
  yearRange,
} from "./calendar.ts";
import { EN_NUMBER_WORDS, parseCount, parseNumber } from "./numbers.ts";
import { atWordBoundary, findAll, type Hit, leftmostLongest } from "./spans.ts";

/** A found time expression: a closed range, or open at one end (before / after). */
export interface TimeConstraint {
  from?: number;
  to?: number;
}

export type TimeProblem = "conflict" | "empty-range";

export interface TimeResult {
  spans: Array<{ start: number; end: number }>;
  time?: TimeConstraint;
  problem?: TimeProblem;
}

interface Candidate {
  /** A point can take since/before/after/between; a rolling window stands alone. */
  kind: "point" | "window";
  range: DayRange;
  /** For a month, quarter or day named without a year: the latest one that has begun. */
  latest?: DayRange;
}

type Make = (m: RegExpExecArray, today: number) => Candidate | null;

const CN = "零一二两三四五六七八九十";
const MONTH_NUM = "(\\d{1,2}|十[一二]?|[一二三四五六七八九])";
const DAY_NUM = "(\\d{1,2}|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])";
const EN_MONTHS = new Map<string, number>([
  ["january", 1],
  ["february", 2],
  ["march", 3],
  ["april", 4],
  ["may", 5],
  ["june", 6],
  ["july", 7],
  ["august", 8],
  ["september", 9],
  ["october", 10],
  ["november", 11],
  ["december", 12],
  ["jan", 1],
  ["feb", 2],
  ["mar", 3],
  ["apr", 4],
  ["jun", 6],
  ["jul", 7],
  ["aug", 8],
  ["sept", 9],
  ["sep", 9],
  ["oct", 10],
  ["nov", 11],
  ["dec", 12],
]);
const MONTH_EN = `(${[...EN_MONTHS.keys()].join("|")})`;
const ORDINAL = "(?:st|nd|rd|th)?";
/** Words before a bare month name or year that make it a time ("in may", "from 2025"). */
const TIME_PREPOSITION =
  "(?<=(?:^|[^a-z])(?:in|since|before|after|from|to|until|till|through|between|and|of|during|for)\\s)";

const num = (s: string | undefined): number | null => (s === undefined ? null : parseNumber(s));

const point = (range: DayRange, latest?: DayRange): Candidate =>
  latest ? { kind: "point", range, latest } : { kind: "point", range };

/** A month (of `year`, or yearless: this year's, and the latest begun for "since"). */
function monthPoint(year: number | null, month: number | null, today: number): Candidate | null {
  if (month === null || month < 1 || month > 12) return null;
  if (year !== null) return point(monthRange(year, month));
  const { y } = civil(today);
  const thisYear = monthRange(y, month);
  return point(thisYear, thisYear.from <= today ? thisYear : monthRange(y - 1, month));
}

function dayPoint(
  year: number | null,
  month: number | null,
  day: number | null,
  today: number,
): Candidate | null {
  if (month === null || day === null) return null;
  if (year !== null) {
    if (!isCivil(year, month, day)) return null;
    const d = dayOf(year, month, day);
    return point({ from: d, to: d });
  }
  const { y } = civil(today);
  if (!isCivil(y, month, day) && !isCivil(y - 1, month, day)) return null;
  const here = isCivil(y, month, day) ? dayOf(y, month, day) : null;
  const before = isCivil(y - 1, month, day) ? dayOf(y - 1, month, day) : null;
  const latest = here !== null && here <= today ? here : before;
  if (here === null || latest === null) return null;
  return point({ from: here, to: here }, { from: latest, to: latest });
}

function quarterPoint(year: number | null, q: number | null, today: number): Candidate | null {
  if (q === null || q < 1 || q > 4) return null;
  if (year !== null) return point(quarterRange(year, q));
  const { y } = civil(today);
  const thisYear = quarterRange(y, q);
  return point(thisYear, thisYear.from <= today ? thisYear : quarterRange(y - 1, q));
}

const yearPoint = (year: number | null): Candidate | null =>
  year !== null && year >= 1900 && year <= 2199 ? point(yearRange(year)) : null;

type Period = "day" | "week" | "month" | "quarter" | "year";

function periodAt(today: number, period: Period, offset: number): DayRange {
  switch (period) {
    case "day":
      return { from: today + offset, to: today + offset };
    case "week":
      return weekRange(today, offset);
    case "month":
      return monthOffset(today, offset);
    case "quarter":
      return quarterOffset(today, offset);
    case "year": {
      const { y } = civil(today);
      return yearRange(y + offset);
    }
  }
}

/** N units ending today, today included [NQ4]. */
function windowOf(today: number, count: number, unit: "day" | "week" | "month" | "year") {
  const from =
    unit === "day"
      ? today - (count - 1)
      : unit === "week"
        ? today - (7 * count - 1)
        : addMonths(today, -(unit === "month" ? count : 12 * count)) + 1;
  return { kind: "window" as const, range: { from, to: today } };
}

/** The next N units starting today, today included ("the next 30 days", "未来两周"). */
function windowAhead(today: number, count: number, unit: "day" | "week" | "month" | "year") {
  const to =
    unit === "day"
      ? today + (count - 1)
      : unit === "week"
        ? today + (7 * count - 1)
        : addMonths(today, unit === "month" ? count : 12 * count) - 1;
  return { kind: "window" as const, range: { from: today, to } };
}

const ZH_RELATIVE_YEAR = new Map([
  ["今年", 0],
  ["去年", -1],
  ["前年", -2],
  ["明年", 1],
]);

const ZH_NAMED: ReadonlyArray<[string[], Period, number]> = [
  [["今天", "今日"], "day", 0],
  [["昨天", "昨日"], "day", -1],
  [["前天"], "day", -2],
  [["明天", "明日"], "day", 1],
  [
    ["本周", "这周", "这一周", "这个星期", "本星期", "这星期", "这礼拜", "这个礼拜", "本礼拜"],
    "week",
    0,
  ],
  [["上周", "上一周", "上个星期", "上星期", "上礼拜", "上个礼拜"], "week", -1],
  [["下周", "下一周", "下个星期", "下星期", "下礼拜", "下个礼拜"], "week", 1],
  [["本月", "这个月", "当月", "本月份", "这月"], "month", 0],
  [["上月", "上个月", "上一个月", "上月份"], "month", -1],
  [["下月", "下个月", "下一个月"], "month", 1],
  [["本季度", "这个季度", "这季度", "本季", "当季"], "quarter", 0],
  [["上季度", "上个季度", "上一季度", "上一个季度", "上季"], "quarter", -1],
  [["下季度", "下个季度", "下一季度", "下季"], "quarter", 1],
  [["今年", "本年", "本年度", "今年度"], "year", 0],
  [["去年", "上一年", "上年"], "year", -1],
  [["前年"], "year", -2],
  [["明年"], "year", 1],
];
const ZH_NAMED_INDEX = new Map<string, [Period, number]>(
  ZH_NAMED.flatMap(([words, period, offset]) =>
    words.map((w) => [w, [period, offset]] as [string, [Period, number]]),
  ),
);
const EN_OFFSET = new Map([
  ["this", 0],
  ["current", 0],
  ["last", -1],
  ["previous", -1],
  ["next", 1],
]);
const EN_DAY = new Map([
  ["today", 0],
  ["yesterday", -1],
  ["tomorrow", 1],
]);

const ZH_UNIT = (u: string) =>
  u === "天" || u === "日" ? "day" : u.endsWith("月") ? "month" : u === "年" ? "year" : "week";
const EN_UNIT = (u: string) => u.replace(/s$/, "") as "day" | "week" | "month" | "year";

const PATTERN_LIST: ReadonlyArray<[RegExp, Make]> = [
  [
    new RegExp([...ZH_NAMED_INDEX.keys()].sort((a, b) => b.length - a.length).join("|")),
    (m, today) => {
      const [period, offset] = ZH_NAMED_INDEX.get(m[0])!;
      return point(periodAt(today, period, offset));
    },
  ],
  [
    /(?:(this|current|last|previous|next) (week|month|quarter|year)|(today|yesterday|tomorrow))(?:'s)?/,
    (m, today) =>
      m[3] !== undefined
        ? point(periodAt(today, "day", EN_DAY.get(m[3])!))
        : point(periodAt(today, m[2] as Period, EN_OFFSET.get(m[1]!)!)),
  ],
  [
    /(?:(year|month) to date|(ytd|mtd)|so far (?:this|the) (week|month|quarter|year)|(?:this|the current) (week|month|quarter|year) so far)/,
    (m, today) => {
      const period = (m[1] ?? m[3] ?? m[4] ?? (m[2] === "ytd" ? "year" : "month")) as Period;
      return { kind: "window", range: { from: periodAt(today, period, 0).from, to: today } };
    },
  ],
  [
    /(?:the )?(start|beginning|end) of (?:(this|the|current|last|previous|next) )?(week|month|quarter|year)/,
    (m, today) => {
      const period = periodAt(today, m[3] as Period, m[2] ? (EN_OFFSET.get(m[2]) ?? 0) : 0);
      const day = m[1] === "end" ? period.to : period.from;
      return point({ from: day, to: day });
    },
  ],
  [
    new RegExp(
      `(今年|去年|前年|明年)\\s*(?:的\\s*)?${MONTH_NUM}\\s*月份?(?:\\s*${DAY_NUM}\\s*[日号])?`,
    ),
    (m, today) => {
      const year = civil(today).y + ZH_RELATIVE_YEAR.get(m[1]!)!;
      return m[3] !== undefined
        ? dayPoint(year, num(m[2]), num(m[3]), today)
        : monthPoint(year, num(m[2]), today);
    },
  ],
  [
    /(今年|去年|前年|明年)\s*(?:的\s*)?(?:第\s*)?([一二三四1-4])\s*季度/,
    (m, today) => quarterPoint(civil(today).y + ZH_RELATIVE_YEAR.get(m[1]!)!, num(m[2]), today),
  ],
  [
    new RegExp(
      `(?:未来|接下来的?|今后)\\s*([\\d${CN}]{1,4})\\s*(天|日|周|个?星期|个?礼拜|个?月|年)(?:以内|之内|内)?`,
    ),
    (m, today) => {
      const n = parseCount(m[1]!);
      return n === null ? null : windowAhead(today, n, ZH_UNIT(m[2]!));
    },
  ],
  [
    new RegExp(
      `(?:(?:in|over|during|within|for) )?(?:the )?(?:next|coming|upcoming) (\\d{1,3}|${EN_NUMBER_WORDS.join("|")}) (days?|weeks?|months?|years?)`,
    ),
    (m, today) => {
      const n = parseCount(m[1]!);
      return n === null ? null : windowAhead(today, n, EN_UNIT(m[2]!));
    },
  ],
  [
    new RegExp(
      `(?:过去的?|最近的?|近)\\s*([\\d${CN}]{1,4})\\s*(天|日|周|个?星期|个?礼拜|个?月|年)(?:以内|之内|内)?`,
    ),
    (m, today) => {
      const n = parseCount(m[1]!);
      return n === null ? null : windowOf(today, n, ZH_UNIT(m[2]!));
    },
  ],
  [
    new RegExp(`([\\d${CN}]{1,4})\\s*(天|日|周|个星期|个礼拜|个月)(?:以内|之内|内)`),
    (m, today) => {
      const n = parseCount(m[1]!);
      return n === null ? null : windowOf(today, n, ZH_UNIT(m[2]!));
    },
  ],
  [/(?:过去|最近|近)\s*半年/, (_m, today) => windowOf(today, 6, "month")],
  [
    new RegExp(
      `(?:(?:in|over|during|within|for) )?(?:the )?(?:last|past|previous) (\\d{1,3}|${EN_NUMBER_WORDS.join("|")}) (days?|weeks?|months?|years?)`,
    ),
    (m, today) => {
      const n = parseCount(m[1]!);
      return n === null ? null : windowOf(today, n, EN_UNIT(m[2]!));
    },
  ],
  [
    /(?:(?:in|over|during|within|for) )?(?:the )?past (day|week|month|year)/,
    (m, today) => windowOf(today, 1, EN_UNIT(m[1]!)),
  ],
  [
    /(?<![\d.])(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)/,
    (m, today) => dayPoint(Number(m[1]), Number(m[2]), Number(m[3]), today),
  ],
  [
    /(?<![\d.])(\d{4})[-/](\d{1,2})(?![-/.\d])/,
    (m, today) => monthPoint(Number(m[1]), Number(m[2]), today),
  ],
  [
    new RegExp(`(?:(\\d{4})\\s*年\\s*)?${MONTH_NUM}\\s*月份?(?:\\s*${DAY_NUM}\\s*[日号])?`),
    (m, today) =>
      m[3] !== undefined
        ? dayPoint(num(m[1]), num(m[2]), num(m[3]), today)
        : monthPoint(num(m[1]), num(m[2]), today),
  ],
  [/(\d{4})\s*年度?/, (m) => yearPoint(num(m[1]))],
  [
    /(?:(\d{4})\s*年\s*)?(?:第\s*)?([一二三四1-4])\s*季度/,
    (m, today) => quarterPoint(num(m[1]), num(m[2]), today),
  ],
  [
    /(?:(\d{4})\s*年?\s*)?q([1-4])(?:\s*(\d{4}))?/,
    (m, today) =>
      m[1] !== undefined && m[3] !== undefined
        ? null
        : quarterPoint(num(m[1] ?? m[3]), Number(m[2]), today),
  ],
  [
    /(first|second|third|fourth|1st|2nd|3rd|4th) quarter(?: (?:of )?(\d{4}))?/,
    (m, today) =>
      quarterPoint(
        num(m[2]),
        ["first", "second", "third", "fourth"].indexOf(m[1]!) + 1 ||
          ["1st", "2nd", "3rd", "4th"].indexOf(m[1]!) + 1,
        today,
      ),
  ],
  [
    new RegExp(`${MONTH_EN} (\\d{1,2})${ORDINAL}(?:,? (\\d{4}))?(?!\\d)`),
    (m, today) => dayPoint(num(m[3]), EN_MONTHS.get(m[1]!)!, Number(m[2]), today),
  ],
  [
    new RegExp(`(\\d{1,2})${ORDINAL} (?:of )?${MONTH_EN}(?:,? (\\d{4}))?`),
    (m, today) => dayPoint(num(m[3]), EN_MONTHS.get(m[2]!)!, Number(m[1]), today),
  ],
  [
    new RegExp(`${MONTH_EN},? (\\d{4})(?!\\d)`),
    (m, today) => monthPoint(Number(m[2]), EN_MONTHS.get(m[1]!)!, today),
  ],
  [
    new RegExp(`${MONTH_EN},? (?:of )?(this|last|next) year`),
    (m, today) => monthPoint(civil(today).y + EN_OFFSET.get(m[2]!)!, EN_MONTHS.get(m[1]!)!, today),
  ],
  [
    new RegExp(`${TIME_PREPOSITION}${MONTH_EN}`),
    (m, today) => monthPoint(null, EN_MONTHS.get(m[1]!)!, today),
  ],
  [
    // A bare year only after a preposition and not before a unit or currency ("over 2025 eur").
    new RegExp(
      `${TIME_PREPOSITION}((?:19|20)\\d{2})(?![\\d,.%])(?!\\s*(?:k(?![a-z])|m(?![a-z])|w(?![a-z])|eur|usd|cny|rmb|yuan|euro|dollar|元|万|千|块|美元|欧元|人民币))`,
    ),
    (m) => yearPoint(num(m[1])),
  ],
];

/** Compiled once, global: findAll scans with them. */
const PATTERNS = PATTERN_LIST.map(([re, make]) => [new RegExp(re.source, "g"), make] as const);

type Modifier = "since" | "before" | "after" | "until" | "plain" | "weak-since" | "between";

const PREFIX_EN =
  /(?:^|[^a-z0-9])(since|starting from|starting|before|prior to|earlier than|after|later than|until|till|through|up until|by|from|between)\s*$/;
const PREFIX_ZH = /(自从|自|从|截至|截止到|截止|直到|早于|晚于)\s*$/;
const SUFFIX = /^\s*(以来|至今|起|开始|以后|之后|后|以前|之前|前|为止|onwards?)/;
const MODIFIERS = new Map<string, Modifier>([
  ["since", "since"],
  ["starting from", "since"],
  ["starting", "since"],
  ["before", "before"],
  ["prior to", "before"],
  ["earlier than", "before"],
  ["after", "after"],
  ["later than", "after"],
  ["until", "until"],
  ["till", "until"],
  ["through", "until"],
  ["up until", "until"],
  ["by", "until"],
  ["from", "plain"],
  ["between", "between"],
  ["自从", "weak-since"],
  ["自", "weak-since"],
  ["从", "weak-since"],
  ["截至", "until"],
  ["截止到", "until"],
  ["截止", "until"],
  ["直到", "until"],
  ["早于", "before"],
  ["晚于", "after"],
  ["以来", "since"],
  ["至今", "since"],
  ["起", "since"],
  ["开始", "since"],
  ["onward", "since"],
  ["onwards", "since"],
  ["以后", "after"],
  ["之后", "after"],
  ["后", "after"],
  ["以前", "before"],
  ["之前", "before"],
  ["前", "before"],
  ["为止", "until"],
]);
const RANGE_GAP = /^\s*(到|至|~|-|–|—|to|until|till|through|and)\s*$/;
const RANGE_TAIL = /^\s*(之间|期间|为止)/;

function candidates(text: string, today: number): Hit<Candidate>[] {
  const hits: Hit<Candidate>[] = [];
  for (const [re, make] of PATTERNS) {
    for (const hit of findAll(text, re)) {
      if (!atWordBoundary(text, hit.start, hit.end)) continue;
      const made = make(hit.value, today);
      if (made) hits.push({ start: hit.start, end: hit.end, value: made });
    }
  }
  return leftmostLongest(hits);
}

function prefixOf(text: string, start: number) {
  const before = text.slice(0, start);
  const m = PREFIX_EN.exec(before) ?? PREFIX_ZH.exec(before);
  if (!m) return null;
  const word = m[1]!;
  return { start: before.length - m[0].length + m[0].indexOf(word), word };
}

function suffixOf(text: string, end: number) {
  const m = SUFFIX.exec(text.slice(end));
  if (!m) return null;
  const word = m[1]!;
  if (
    /^[a-z]/.test(word) &&
    !atWordBoundary(text, end + m[0].length - word.length, end + m[0].length)
  )
    return null;
  return { end: end + m[0].length, word };
}

/** Finds the one time expression of `text`; two that do not form a range are a conflict. */
export function findTime(text: string, today: number): TimeResult {
  const found = candidates(text, today);
  if (found.length === 0) return { spans: [] };
  const spans = found.map(({ start, end }) => ({ start, end }));
  if (found.length === 2) {
    const [a, b] = found as [Hit<Candidate>, Hit<Candidate>];
    const gap = RANGE_GAP.exec(text.slice(a.end, b.start));
    const pre = prefixOf(text, a.start);
    const preMod = pre ? MODIFIERS.get(pre.word) : undefined;
    if (
      gap &&
      a.value.kind === "point" &&
      b.value.kind === "point" &&
      (gap[1] !== "and" || preMod === "between") &&
      (preMod === undefined || ["plain", "weak-since", "between"].includes(preMod))
    ) {
      const tail = RANGE_TAIL.exec(text.slice(b.end));
      const start = pre ? pre.start : a.start;
      const end = tail ? b.end + tail[0].length : b.end;
      const range = { from: a.value.range.from, to: b.value.range.to };
      return range.from <= range.to
        ? { spans: [{ start, end }], time: range }
        : { spans: [{ start, end }], problem: "empty-range" };
    }
  }
  if (found.length > 1) return { spans, problem: "conflict" };
  const only = found[0]!;
  if (only.value.kind === "window") return { spans, time: only.value.range };
  const pre = prefixOf(text, only.start);
  const post = suffixOf(text, only.end);
  const mods = [pre, post].flatMap((m) => (m ? [MODIFIERS.get(m.word)!] : []));
  const strong = [...new Set(mods.filter((m) => m !== "plain" && m !== "weak-since"))];
  if (strong.length > 1 || strong.includes("between")) return { spans, problem: "conflict" };
  const mod = strong[0] ?? (mods.includes("weak-since") ? "since" : "plain");
  const span = { start: pre ? pre.start : only.start, end: post ? post.end : only.end };
  const { range, latest } = only.value;
  switch (mod) {
    case "plain":
      return { spans: [span], time: range };
    case "since": {
      const from = (latest ?? range).from;
      return from <= today
        ? { spans: [span], time: { from, to: today } }
        : { spans: [span], problem: "empty-range" };
    }
    case "before":
      return { spans: [span], time: { to: range.from - 1 } };
    case "after":
      return { spans: [span], time: { from: range.to + 1 } };
    case "until":
      return { spans: [span], time: { to: range.to } };
    default:
      return { spans, problem: "conflict" };
  }
}
