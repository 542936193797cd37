// The contract and payment commands the API tests send again and again, through a test
// client: the body a test does not care about is filled in here, what it cares about is named.
import type { client } from "./test-region.ts";

type Call = ReturnType<typeof client>;
type Party = "customer" | "vendor";

const SIGNERS: Record<Party, string> = { customer: "王主任", vendor: "Lifeline Sales" };

/** POST /v1/contracts: a draft of `customerId` for `value` (in `currency`). */
export const draftContract = (
  call: Call,
  customerId: string,
  value: number,
  documentHash: string,
  currency = "CNY",
) =>
  call("POST", "/v1/contracts", {
    customerId,
    title: "Service contract",
    amount: { value, currency },
    documentHash,
  });

/**
 * Sends contract `id` and has each of `parties` sign `documentHash` (the customer's signature
 * opens it for payments); the answers, the send's first.
 */
export async function sendAndSign(
  call: Call,
  id: string,
  documentHash: string,
  parties: Party[] = ["customer"],
) {
  const answers = [await call("POST", `/v1/contracts/${id}/send`)];
  for (const party of parties) {
    const signer = { name: SIGNERS[party] };
    answers.push(
      await call("POST", `/v1/contracts/${id}/signatures`, { party, signer, documentHash }),
    );
  }
  return answers;
}

/** POST /v1/payments: `value` yuan towards `contractId` under `reference`. */
export const confirmPayment = (call: Call, contractId: string, reference: string, value: number) =>
  call("POST", "/v1/payments", { contractId, reference, amount: { value, currency: "CNY" } });
