// A call's sentiment reaches its account once per call [LF2]: the worker names the call by
// the SHA-256 of its canonical transcript, so analysing the same call again (a new insight
// each time) adds nothing, and no word of the call is sent, only the number and the hash.
import { describe, expect, test, vi } from "vitest";
import { decide } from "../../../core/account/decide.ts";
import { type CallSentimentInput, canonicalTranscript } from "../../../core/account/engagement.ts";
import { evolve } from "../../../core/account/evolve.ts";
import { type AccountState, emptyAccount } from "../../../core/account/state.ts";
import { envelopesFor } from "../../../core/account/test-events.ts";
import { sha256Hex } from "../../../core/crypto/sha256.ts";
import { encodeHlc } from "../../../core/hlc.ts";
import { CustomerCreate } from "../../../core/schemas.ts";
import { type Analysed, type CallRecorder, recordCallSentiment } from "./call-sentiment.ts";

const TENANT = "ten_demo";
const ACCOUNT = "acc_0123456789ABCDEFGHJKMNPQRS";
const NOW = Date.parse("2026-03-02T01:00:00Z");
const envelope = envelopesFor(TENANT, ACCOUNT, { kind: "system", id: "insights" });
const env = {} as Env;

/** The account's object, in memory: core decides and evolves as the AccountDO does. */
class Account implements CallRecorder {
  state: AccountState = emptyAccount(TENANT, ACCOUNT);
  readonly sent: CallSentimentInput[] = [];
  private wallMs = NOW;

  constructor() {
    this.apply({
      type: "customer.create",
      input: CustomerCreate.parse({ name: "Clinic", residency: "cn" }),
    });
  }

  async recordCallSentiment(
    _tenantId: string,
    _accountId: string,
    insightId: string,
    sentiment: CallSentimentInput,
  ) {
    this.sent.push(sentiment);
    const events = this.apply({ type: "call.record-sentiment", insightId, sentiment });
    return { kind: events === 0 ? "unchanged" : "recorded" };
  }

  private apply(command: Parameters<typeof decide>[1]): number {
    const d = decide(this.state, command, { nowMs: this.wallMs });
    if (!d.ok) throw new Error(JSON.stringify(d.error));
    for (const data of d.events) {
      this.wallMs += 1;
      const hlc = encodeHlc({ wallMs: this.wallMs, counter: 0, region: "cn-east" });
      this.state = evolve(this.state, envelope(hlc, data));
    }
    return d.events.length;
  }
}

const TRANSCRIPT = [
  { speaker: "rep", text: "您好，设备最近用得怎么样？" },
  { speaker: "customer", text: "不太好，经常报错。" },
] as const;
const READ = [
  { speaker: "rep", sentiment: { label: "neutral" as const, probability: 0.9 } },
  { speaker: "customer", sentiment: { label: "negative" as const, probability: 0.8 } },
];
const analysed = (n: number, transcript: Analysed["transcript"] = TRANSCRIPT): Analysed => ({
  tenantId: TENANT,
  customerId: ACCOUNT,
  insightId: `ins_cn-east_${String(n).padStart(32, "0")}`,
  at: new Date(NOW + n).toISOString(),
  transcript,
  utterances: READ,
});

describe("recording a call's sentiment with its account", () => {
  test("[LF2] the same call analysed again, however it was pasted, is one fact of the account", async () => {
    const account = new Account();
    await recordCallSentiment(env, analysed(1), account);
    await recordCallSentiment(env, analysed(2), account);
    const repasted = TRANSCRIPT.map((u) => ({ ...u, text: `  ${u.text}\n` }));
    await recordCallSentiment(env, analysed(3, repasted), account);
    expect(account.sent).toHaveLength(3);
    expect(new Set(account.sent.map((s) => s.transcriptHash)).size).toBe(1);
    expect(Object.keys(account.state.callSentiments ?? {})).toEqual([analysed(1).insightId]);
    // Another call is another fact.
    await recordCallSentiment(env, analysed(4, [TRANSCRIPT[1]]), account);
    expect(Object.keys(account.state.callSentiments ?? {})).toHaveLength(2);
  });

  test("the hash is the SHA-256 of the canonical transcript; no word of the call is sent", async () => {
    const account = new Account();
    await recordCallSentiment(env, analysed(1), account);
    expect(account.sent).toEqual([
      {
        at: analysed(1).at,
        score: -0.8,
        utterances: 1,
        transcriptHash: sha256Hex(canonicalTranscript(TRANSCRIPT)),
      },
    ]);
    const sent = JSON.stringify(account.sent);
    for (const u of TRANSCRIPT) expect(sent).not.toContain(u.text.slice(0, 4));
  });

  test("a call no model read the customer in (shed) is not sent; a failing account is logged, not thrown", async () => {
    const account = new Account();
    const shed = { ...analysed(1), utterances: READ.map((u) => ({ ...u, sentiment: null })) };
    await recordCallSentiment(env, shed, account);
    expect(account.sent).toEqual([]);
    const failing: CallRecorder = {
      recordCallSentiment: () => Promise.reject(new Error("object unreachable")),
    };
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    await expect(recordCallSentiment(env, analysed(1), failing)).resolves.toBeUndefined();
    expect(warn).toHaveBeenCalledWith(
      `call sentiment of ${analysed(1).insightId} not recorded`,
      "object unreachable",
    );
    warn.mockRestore();
  });
});
