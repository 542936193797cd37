// A call's sentiment as a fact of its customer's account (DESIGN §11: the health index's
// call-sentiment trend): after an analysis that names a customer, one number (engagement.ts
// `callSentimentOf`) goes to the customer's AccountDO, in the background. Never a word of
// the transcript. A failure is logged; the analysis it came from has already been answered.
import { callSentimentOf } from "../../../core/account/engagement.ts";
import { accountStub } from "../../../durable-objects/stubs.ts";

type Analysed = {
  tenantId: string;
  customerId: string;
  insightId: string;
  /** When the call was analysed (the insight's createdAt). */
  at: string;
  utterances: Parameters<typeof callSentimentOf>[0];
};

/** Records the call's sentiment when the customer's utterances have any; resolves either way. */
export async function recordCallSentiment(env: Env, call: Analysed): Promise<void> {
  const sentiment = callSentimentOf(call.utterances, call.at);
  if (sentiment === null) return; // shed, or no model read the customer's words
  try {
    const result = await accountStub(env, call.tenantId, call.customerId).recordCallSentiment(
      call.tenantId,
      call.customerId,
      call.insightId,
      sentiment,
    );
    if (result.kind !== "recorded" && result.kind !== "unchanged")
      console.warn(`call sentiment of ${call.insightId} not recorded: ${result.kind}`);
  } catch (err) {
    console.warn(
      `call sentiment of ${call.insightId} not recorded`,
      err instanceof Error ? err.message : err,
    );
  }
}
