// Amounts are integers in minor units on the wire (CNY fen, EUR cents); the rep types
// decimals. Parsing is strict: no floats, at most two decimals.
export function parseAmount(text: string): number | null {
  const t = text.trim().replace(/[,\s，]/g, "");
  const m = /^(\d{1,13})(?:\.(\d{1,2}))?$/.exec(t);
  if (!m) return null;
  const minor = Number(m[1]) * 100 + Number((m[2] ?? "").padEnd(2, "0"));
  return minor > 0 && Number.isSafeInteger(minor) ? minor : null;
}

export function formatAmount(minor: number, currency: string, lang: string): string {
  try {
    return new Intl.NumberFormat(lang, { style: "currency", currency }).format(minor / 100);
  } catch {
    return `${(minor / 100).toFixed(2)} ${currency}`;
  }
}
