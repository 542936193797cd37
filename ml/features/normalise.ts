// Text normalisation shared by training and serving: the same utterance typed on a
// full-width keyboard, in capitals or with odd spacing must produce the same features.
import type { FeatureConfig } from "./config.ts";

// CJK punctuation that NFKC leaves alone, mapped to the ASCII mark it plays the role of.
const FOLD: Record<string, string> = {
  "。": ".",
  "｡": ".",
  "、": ",",
  "“": '"',
  "”": '"',
  "‘": "'",
  "’": "'",
  "「": '"',
  "」": '"',
  "『": '"',
  "』": '"',
  "《": "<",
  "》": ">",
  "【": "[",
  "】": "]",
  "〜": "~",
  "…": "...",
  "—": "-",
  "–": "-",
};
const FOLD_RE = new RegExp(`[${Object.keys(FOLD).join("")}]`, "gu");

export function normalise(text: string, opts: FeatureConfig["normalise"]): string {
  let s = opts.nfkc ? text.normalize("NFKC") : text;
  if (opts.lowercase) s = s.toLowerCase();
  if (opts.punctuation === "fold") s = s.replace(FOLD_RE, (c) => FOLD[c] ?? c);
  else if (opts.punctuation === "strip") s = s.replace(/[\p{P}\p{S}]/gu, " ");
  if (opts.foldDigits) s = s.replace(/\p{Nd}/gu, "0");
  return s.replace(/\s+/gu, " ").trim();
}
