// Free text people type (names, titles, signers, call notes) as Lifeline accepts it: one
// Unicode form (NFC), no control characters, no bidirectional overrides (the "Trojan
// Source" trick that makes `‮txe.exe` read as `exe.txt` on a screen).
import { z } from "zod";

/**
 * Explicit embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): they
 * reorder what is displayed after them, so text could read differently from what it is.
 * The implicit marks (U+200E LRM, U+200F RLM, U+061C ALM) are kept: they reorder nothing
 * beyond the neighbouring neutral characters and mixed Arabic or Hebrew text needs them.
 */
const isBidiControl = (c: number) => (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
/** C0 and C1 controls, DEL, and the line and paragraph separators. */
const isControl = (c: number) =>
  c <= 0x1f || (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029;
const isSurrogate = (c: number) => c >= 0xd800 && c <= 0xdfff;
const LINE_FEED = 0x0a;
const TAB = 0x09;

const codePoint = (c: number) => `U+${c.toString(16).toUpperCase().padStart(4, "0")}`;

export type TextOptions = {
  /** Keep line feeds and tabs (CR LF and CR become LF); single-line text refuses them. */
  multiline?: boolean;
};

/** Why `text` is refused, or null when it is acceptable free text. */
export function unsafeTextReason(text: string, options: TextOptions = {}): string | null {
  let index = 0;
  // for…of walks code points: a surrogate seen here is one without its pair.
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (isSurrogate(c))
      return `must be well-formed Unicode (a lone surrogate ${codePoint(c)} at index ${index})`;
    if (isBidiControl(c))
      return `must not contain bidirectional embedding, override or isolate characters (${codePoint(c)} at index ${index})`;
    if (isControl(c) && !(options.multiline && (c === LINE_FEED || c === TAB)))
      return `must not contain control characters${options.multiline ? " other than line feed and tab" : ""} (${codePoint(c)} at index ${index})`;
    index += ch.length;
  }
  return null;
}

/** NFC, with CR LF and lone CR as LF for multi-line text. Idempotent. */
export function normalizeText(text: string, options: TextOptions = {}): string {
  const nfc = text.normalize("NFC");
  return options.multiline ? nfc.replace(/\r\n?/g, "\n") : nfc;
}

/**
 * Required free text of at most `max` characters (after NFC and trimming): the schema for
 * every name, title and note of the API. A refusal names the character and where it is.
 */
export function FreeText(max: number, options: TextOptions = {}) {
  return z
    .string()
    .overwrite((s) => normalizeText(s, options))
    .trim()
    .min(1, { message: "must not be empty" })
    .max(max)
    .superRefine((s, ctx) => {
      const reason = unsafeTextReason(s, options);
      if (reason) ctx.addIssue({ code: "custom", message: reason });
    });
}
