// The measured flows, in dependency order: the floor (one bare DO write), then each
// lifeline write of a customer's life, then a replay. Each iteration i touches its own
// account, so every phase spreads over `count` distinct Durable Objects, as the floor does.
// The floor is measured twice: `floor.new` writes to a Durable Object that does not exist
// yet (creating it, as customer.create does), `floor` to the same object again, warm
// (as every later lifeline write does). Ratios are taken against the warm floor: strictest.
import { createHash } from "node:crypto";

export const FLOWS = [
  "floor.new",
  "floor",
  "customer.create",
  "replay",
  "contract.create",
  "contract.send",
  "contract.sign.customer",
  "contract.sign.vendor",
  "payment.confirm",
] as const;
export type FlowName = (typeof FLOWS)[number];

export interface BenchTarget {
  apiUrl: string;
  apiKey: string;
  /** The floor route is local tooling: /__local/* needs this secret. */
  localAdminSecret: string;
  residency: "cn" | "eu";
  /** Unique per phase set, so reruns against the same region never collide. */
  runId: string;
  requestTimeoutMs: number;
}

export type Outcome = { ok: boolean; problem?: string; skipped?: boolean };
export type Phase = { flow: FlowName; task: (i: number) => Promise<Outcome> };

const AMOUNT = { value: 1_250_000, currency: "CNY" };

/** Builds the phases; later phases use the ids earlier ones created (a failed step skips i). */
export function phases(t: BenchTarget): Phase[] {
  const customers: string[] = [];
  const contracts: string[] = [];
  const hash = (i: number) => createHash("sha256").update(`${t.runId}/doc/${i}`).digest("hex");
  const customerRequest = (i: number) => ({
    key: `${t.runId}-cust-${i}`,
    body: { name: `Bench Customer ${t.runId} ${i}`, residency: t.residency },
  });
  const onContract = (i: number, f: (id: string) => Promise<Outcome>) =>
    contracts[i] ? f(contracts[i]) : skipped();

  return [
    {
      flow: "floor.new",
      task: (i) => call(t, `/__local/floor/${t.runId}-${i}`, "floor", null, [200]),
    },
    {
      flow: "floor",
      task: (i) => call(t, `/__local/floor/${t.runId}-${i}`, "floor", null, [200]),
    },
    {
      flow: "customer.create",
      task: async (i) => {
        const { key, body } = customerRequest(i);
        const r = await call(t, "/v1/customers", body, key, [201]);
        if (r.ok) customers[i] = (r.json as { id: string }).id;
        return r;
      },
    },
    {
      flow: "replay",
      task: async (i) => {
        const { key, body } = customerRequest(i);
        const r = await call(t, "/v1/customers", body, key, [201]);
        if (r.ok && r.replayed !== "true")
          return { ok: false, problem: "no Idempotent-Replayed: true header" };
        return r;
      },
    },
    {
      flow: "contract.create",
      task: async (i) => {
        if (!customers[i]) return skipped();
        const body = {
          customerId: customers[i],
          title: `Bench ${i}`,
          amount: AMOUNT,
          documentHash: hash(i),
        };
        const r = await call(t, "/v1/contracts", body, `${t.runId}-ctr-${i}`, [201]);
        if (r.ok) contracts[i] = (r.json as { id: string }).id;
        return r;
      },
    },
    {
      flow: "contract.send",
      task: (i) =>
        onContract(i, (id) =>
          call(t, `/v1/contracts/${id}/send`, undefined, `${t.runId}-send-${i}`, [200]),
        ),
    },
    {
      flow: "contract.sign.customer",
      task: (i) =>
        onContract(i, (id) =>
          call(
            t,
            `/v1/contracts/${id}/signatures`,
            { party: "customer", signer: { name: "Buyer" }, documentHash: hash(i) },
            `${t.runId}-sigc-${i}`,
            [201],
          ),
        ),
    },
    {
      flow: "contract.sign.vendor",
      task: (i) =>
        onContract(i, (id) =>
          call(
            t,
            `/v1/contracts/${id}/signatures`,
            { party: "vendor", signer: { name: "Seller" }, documentHash: hash(i) },
            `${t.runId}-sigv-${i}`,
            [201],
          ),
        ),
    },
    {
      flow: "payment.confirm",
      task: (i) =>
        onContract(i, (id) =>
          call(
            t,
            "/v1/payments",
            { contractId: id, reference: `BANK-${t.runId}-${i}`, amount: AMOUNT },
            `${t.runId}-pay-${i}`,
            [201],
          ),
        ),
    },
  ];
}

const skipped = async (): Promise<Outcome> => ({
  ok: false,
  problem: "skipped: an earlier step failed",
});

/** One POST; the body is always read so the keep-alive connection is reusable. */
async function call(
  t: BenchTarget,
  path: string,
  body: unknown,
  idempotencyKey: string | null,
  expected: number[],
): Promise<Outcome & { json?: unknown; replayed?: string | null }> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${t.apiKey}`,
    ...(path.startsWith("/__local/") ? { "lifeline-local-admin": t.localAdminSecret } : {}),
  };
  if (idempotencyKey) headers["idempotency-key"] = idempotencyKey;
  // No body means no content-type: the API refuses an empty body labelled JSON (400) or
  // text/plain (415, fetch's default for a string body).
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${t.apiUrl}${path}`, {
    method: "POST",
    headers,
    body: typeof body === "string" || body === undefined ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(t.requestTimeoutMs),
  });
  const text = await res.text();
  if (!expected.includes(res.status))
    return { ok: false, problem: `HTTP ${res.status}: ${text.slice(0, 200)}` };
  return {
    ok: true,
    json: text ? JSON.parse(text) : undefined,
    replayed: res.headers.get("idempotent-replayed"),
  };
}
