// Bounds on text input, importable without the ORT runtime (callers and tests size batches).
// They are a transcript's (core/insights/limits.ts), so the API sends one call per transcript.
import {
  MAX_FOLDED_CHARS,
  MAX_UTTERANCE_CHARS,
  MAX_UTTERANCES,
} from "../../core/insights/limits.ts";

/** Texts per `analyzeTexts` call, and UTF-16 code units per text (split long transcripts). */
export const MAX_TEXTS = MAX_UTTERANCES;
export const MAX_TEXT_LENGTH = MAX_UTTERANCE_CHARS;
/** The same bound after NFKC, which can expand a character 18-fold; every model reads that. */
export const MAX_NORMALISED_LENGTH = MAX_FOLDED_CHARS;
