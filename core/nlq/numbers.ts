// Numbers as people type them in a question [NQ6]: "50,000", "1.5万", "五万", "三千五",
// "2百万", "twenty". Returns null for anything it cannot read exactly.

const CN_DIGITS = new Map<string, number>([
  ["零", 0],
  ["〇", 0],
  ["一", 1],
  ["二", 2],
  ["两", 2],
  ["三", 3],
  ["四", 4],
  ["五", 5],
  ["六", 6],
  ["七", 7],
  ["八", 8],
  ["九", 9],
]);
const CN_SMALL_UNITS = new Map<string, number>([
  ["十", 10],
  ["百", 100],
  ["千", 1000],
]);

/**
 * Arabic digits (commas allowed between groups of three), Chinese numerals, or a mix
 * ("1.5万", "2百万"). A bare digit after 百/千/万 with no 零 scales to the unit below it, as
 * spoken: 三千五 = 3,500, 一万五 = 15,000.
 */
export function parseNumber(text: string): number | null {
  if (!/^(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?[零〇一二两三四五六七八九十百千万亿]*$/.test(text))
    return null;
  if (text === "") return null;
  let total = 0;
  let section = 0;
  let num: number | null = null;
  let lastUnit = 1;
  let zero = false;
  for (const token of text.replace(/,/g, "").match(/\d+(?:\.\d+)?|./g) ?? []) {
    const digit = CN_DIGITS.get(token);
    const small = CN_SMALL_UNITS.get(token);
    if (/^\d/.test(token) || digit !== undefined) {
      if (num !== null) return null;
      if (digit === 0) {
        zero = true;
        continue;
      }
      num = digit ?? Number(token);
    } else if (small !== undefined) {
      section += (num ?? 1) * small;
      num = null;
      lastUnit = small;
      zero = false;
    } else if (token === "万" || token === "亿") {
      const unit = token === "万" ? 1e4 : 1e8;
      section += num ?? 0;
      if (section === 0) return null;
      total = token === "万" ? total + section * unit : (total + section) * unit;
      section = 0;
      num = null;
      lastUnit = unit;
      zero = false;
    } else return null;
  }
  if (num !== null && !zero && lastUnit >= 100 && Number.isInteger(num) && num < 10)
    num *= lastUnit / 10;
  const value = total + section + (num ?? 0);
  return Number.isFinite(value) ? value : null;
}

const EN_NUMBERS = new Map<string, number>([
  ["a", 1],
  ["an", 1],
  ["one", 1],
  ["two", 2],
  ["three", 3],
  ["four", 4],
  ["five", 5],
  ["six", 6],
  ["seven", 7],
  ["eight", 8],
  ["nine", 9],
  ["ten", 10],
  ["eleven", 11],
  ["twelve", 12],
  ["fourteen", 14],
  ["fifteen", 15],
  ["twenty", 20],
  ["thirty", 30],
  ["sixty", 60],
  ["ninety", 90],
]);
/** The English number words a rolling window may use ("the last two weeks"). */
export const EN_NUMBER_WORDS = [...EN_NUMBERS.keys()].sort((a, b) => b.length - a.length);

/** A small count in a rolling window: digits, Chinese numerals or an English word. */
export function parseCount(text: string): number | null {
  const word = EN_NUMBERS.get(text);
  if (word !== undefined) return word;
  const n = parseNumber(text);
  return n !== null && Number.isInteger(n) && n >= 1 && n <= 999 ? n : null;
}
