// A call's sentiment as a fact of its customer's account (DESIGN §11: the health index's
// call-sentiment trend): after an analysis that names a customer, one number (engagement.ts
// `callSentimentOf`) and the SHA-256 of the canonical transcript, which names the call so
// that analysing it again counts nothing, go to the customer's AccountDO, in the background.
// Never a word of the transcript. A failure is logged; the analysis has been answered.
import {
  type CallSentimentInput,
  callSentimentOf,
  canonicalTranscript,
} from "../../../core/account/engagement.ts";
import { accountStub } from "../../../durable-objects/stubs.ts";
import { sha256Of } from "../files.ts";

export type Analysed = {
  tenantId: string;
  customerId: string;
  insightId: string;
  /** When the call was analysed (the insight's createdAt). */
  at: string;
  /** The call as it was submitted: hashed here, never sent on. */
  transcript: ReadonlyArray<{ speaker: string; text: string }>;
  utterances: Parameters<typeof callSentimentOf>[0];
};

/** What recording needs of the customer's AccountDO: its RPC stub, or a test's stand-in. */
export type CallRecorder = {
  recordCallSentiment(
    tenantId: string,
    accountId: string,
    insightId: string,
    sentiment: CallSentimentInput,
  ): Promise<{ kind: string }>;
};

/** The call's transcript hash: hex SHA-256 (WebCrypto) of its canonical text. */
export function transcriptHashOf(transcript: Analysed["transcript"]): Promise<string> {
  return sha256Of(new TextEncoder().encode(canonicalTranscript(transcript)));
}

/** Records the call's sentiment when the customer's utterances have any; resolves either way. */
export async function recordCallSentiment(
  env: Env,
  call: Analysed,
  account: CallRecorder = accountStub(env, call.tenantId, call.customerId),
): Promise<void> {
  const score = callSentimentOf(call.utterances, call.at);
  if (score === null) return; // shed, or no model read the customer's words
  try {
    const transcriptHash = await transcriptHashOf(call.transcript);
    const result = await account.recordCallSentiment(
      call.tenantId,
      call.customerId,
      call.insightId,
      { ...score, transcriptHash },
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
