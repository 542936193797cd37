// Which language an utterance is in, as far as model routing needs: a sentiment model is
// trained per language, and an utterance gets none rather than a wrong language's guess;
// and which language a call's next-best actions are written in.
import type { Locale, Utterance } from "./schema.ts";

const HAN = /\p{Script=Han}/u;
const LETTER = /\p{L}/u;

/** "zh" when at least a third of the letters are Han characters, else "other". */
export function languageOf(text: string): "zh" | "other" {
  let letters = 0;
  let han = 0;
  for (const ch of text) {
    if (!LETTER.test(ch)) continue;
    letters++;
    if (HAN.test(ch)) han++;
  }
  return letters > 0 && han * 3 >= letters ? "zh" : "other";
}

/**
 * The language to write a call's actions in: that of most utterances ("other" is
 * English); on a tie, that of most of the rep's, who reads them; on a tie there too,
 * English, the fallback every template has.
 */
export function callLocale(transcript: ReadonlyArray<Pick<Utterance, "speaker" | "text">>): Locale {
  const lean = (us: typeof transcript) =>
    us.reduce((sum, u) => sum + (languageOf(u.text) === "zh" ? 1 : -1), 0);
  const all = lean(transcript);
  const rep = lean(transcript.filter((u) => u.speaker === "rep"));
  return (all || rep) > 0 ? "zh" : "en";
}
