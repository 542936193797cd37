// Real defects the simulator found and that are not fixed yet. Each is still checked: a
// run fails on it unless it names the finding in `tolerate`, and regressions.test.ts pins
// the `seeds` that show it, so a fix is noticed.

export const KNOWN_FINDINGS = {
  /**
   * [LF2] Two regions each hold a pending attempt of one key (both answered 503) and their
   * ledger entries cross: a survival push whose answer was lost claims its entry as
   * acknowledged, while an outbox batch carries the other's, and each region adopts the
   * other's (adoptLedger: an acknowledged entry wins over a pending one; between pending
   * ones, the earlier first event). One key then replays two bodies. The effect is one;
   * the answers are not. Closing it needs the push's answer to carry the receiver's entry
   * back, so the sender acknowledges with the entry the peer kept. The simpler case (one
   * region acknowledged, the other pending) was fixed: seeds 19, 36, 55 and 95 pass.
   */
  "replay-answer-diverges": { rule: "LF2", seeds: [237, 417, 554] },
} as const;

export type KnownFinding = keyof typeof KNOWN_FINDINGS;
