// Which language an utterance is in, as far as model routing needs: a sentiment model is
// trained per language, and an utterance gets none rather than a wrong language's guess.

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
