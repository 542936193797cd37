// Real defects the simulator found and that are not fixed yet. Each is still checked: a
// run fails on it unless it names the finding in `tolerate`, and regressions.test.ts pins
// the `seeds` that show it, so a fix is noticed.

export const KNOWN_FINDINGS = {
  /**
   * [LF2] A `strict` write answered 503 in one cn region (committed there, its ledger entry
   * `pending`) is retried under the same key in the other, which has not seen it, commits
   * its own attempt and acknowledges it (201). Its push carries its ledger entry, but the
   * first region's `adoptLedger` keeps the local pending one (ON CONFLICT DO NOTHING); a
   * later replay of the key there completes that entry and answers its own outcome. One
   * key, two 2xx bodies (version, timestamps), the second marked Idempotent-Replayed. The
   * effect is still one (the facts merge by payment id); the answers are not.
   */
  "replay-answer-diverges": { rule: "LF2", seeds: [19, 55] },
} as const;

export type KnownFinding = keyof typeof KNOWN_FINDINGS;
