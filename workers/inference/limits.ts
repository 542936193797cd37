// Bounds on text input, importable without the ORT runtime (callers and tests size batches).

/** Texts per `analyzeTexts` call, and UTF-16 code units per text (split long transcripts). */
export const MAX_TEXTS = 100;
export const MAX_TEXT_LENGTH = 2000;
/** The same bound after NFKC, which can expand a character 18-fold; every model reads that. */
export const MAX_NORMALISED_LENGTH = 2 * MAX_TEXT_LENGTH;
