// The size of a transcript, defined once for the API's schema, its body limit and the
// inference worker's batch bounds: a whole transcript's utterances always fit one call.

export const MAX_UTTERANCES = 100;
export const MAX_UTTERANCE_CHARS = 2000;
/**
 * Folding (NFKC) can expand a character up to 18-fold (U+FDFA), and every signal, metric and
 * model reads the folded text: the bound holds after folding too, so the work per utterance
 * stays bounded by what the caller sent.
 */
export const MAX_FOLDED_CHARS = 2 * MAX_UTTERANCE_CHARS;
/** A full transcript (100 utterances of 2,000 characters) is ~600 KB of Chinese UTF-8. */
export const MAX_TRANSCRIPT_BYTES = 1024 * 1024;
