// Rendering an action's or a trigger's text: the locale it is written in, its placeholders
// filled from what the call and the customer give, and nothing invented — a placeholder
// without a value keeps the text from being shown at all.
import type { Hit } from "./call-facts.ts";
import { languageOf } from "./language.ts";
import { FALLBACK_LOCALE, type Locale, type LocalisedText, localesOf } from "./schema.ts";

const PLACEHOLDER = /\{(\w+)\}/g;
const MAX_QUOTES = 3;
const MAX_NAMED_COMPETITORS = 3;

/** How values are joined and what stands in for an unknown one, per locale. */
export const WORDING: Record<Locale, { list: string; facility: string; competitor: string }> = {
  en: { list: ", ", facility: "the customer", competitor: "the competitor" },
  zh: { list: "、", facility: "客户", competitor: "竞品" },
};

/**
 * The locale a template is rendered in: the one asked for if both its title and reason
 * have it (a plain string has every locale), else the fallback, else the one they share.
 * A template of plain strings alone is in whatever language its tenant wrote: read from
 * the text, so that lists, stand-ins and the reported locale match it.
 */
export function renderLocale(
  template: { title: LocalisedText; reason: LocalisedText },
  wanted: Locale,
): Locale {
  const { title, reason } = template;
  if (typeof title === "string" && typeof reason === "string") {
    return languageOf(`${title} ${reason}`.replace(PLACEHOLDER, " ")) === "zh" ? "zh" : "en";
  }
  const shared = localesOf(template.title).filter((l) => localesOf(template.reason).includes(l));
  if (shared.includes(wanted)) return wanted;
  if (shared.includes(FALLBACK_LOCALE)) return FALLBACK_LOCALE;
  // The schema refuses templates whose per-locale title and reason share none.
  if (shared[0] === undefined) throw new Error("template title and reason share no locale");
  return shared[0];
}

export const textIn = (text: LocalisedText, locale: Locale): string =>
  typeof text === "string" ? text : text[locale]!;

/** `text` with its placeholders filled, or null when one has no value or a brace is stray. */
export function render(text: string, values: Record<string, string | undefined>): string | null {
  // The schema refuses stray braces; templates handed in directly are held to it too.
  if (/[{}]/u.test(text.replace(PLACEHOLDER, "").normalize("NFKC"))) return null;
  let missing = false;
  const out = text.replace(PLACEHOLDER, (_, name: string) => {
    const value = Object.hasOwn(values, name) ? values[name] : undefined;
    if (value === undefined) missing = true;
    return value ?? "";
  });
  // A stand-in that opens a sentence ("the customer intends…") starts it with a capital.
  return missing ? null : out.replace(/^[a-z]/, (c) => c.toUpperCase());
}

/** Whether `outer` covers `inner`'s words in the same utterance, and more of them. */
const covers = (outer: Hit, inner: Hit) =>
  outer.index === inner.index &&
  outer.match.trim() !== "" &&
  outer.start <= inner.start &&
  inner.end <= outer.end &&
  outer.end - outer.start > inner.end - inner.start;

/**
 * The words said, quoted, at most three; undefined when there is nothing to quote. Words
 * inside a longer quote of the same utterance (招标 in 走招标) are not quoted twice.
 */
export function quotesOf(hits: readonly Hit[], locale: Locale): string | undefined {
  const shown = hits.filter((h) => h.match.trim() && !hits.some((o) => covers(o, h)));
  const quoted = [...new Set(shown.map((h) => `“${h.match}”`))];
  return quoted.slice(0, MAX_QUOTES).join(WORDING[locale].list) || undefined;
}

/** The competitors named in `hits`, in the order first named, or the locale's stand-in. */
export function competitorsOf(hits: readonly Hit[], locale: Locale): string {
  const named = [...new Set(hits.flatMap((h) => (h.competitor ? [h.competitor] : [])))];
  return (
    named.slice(0, MAX_NAMED_COMPETITORS).join(WORDING[locale].list) || WORDING[locale].competitor
  );
}
