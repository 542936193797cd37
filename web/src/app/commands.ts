// What the rep does, as commands: each is queued with a client-generated id and its own
// Idempotency-Key before anything is sent (DESIGN §8), and becomes exactly one HTTP request
// when replayed. Pure: no IndexedDB, no fetch — the queue and the sync loop use it, and
// its rules are unit-tested in Node.
//
// Records created offline are used offline: a contract for a customer that is still
// pending names the customer by a reference to the command that creates it
// ({ $ref: <command id> }); at replay the reference resolves to the id the server gave.
// Contracts and customers without a tax id carry a client-minted ULID, so their ids are
// the same in whichever region of the jurisdiction the command lands — exactly once
// across failover rests on that and on the server's natural keys (a customer's tax id, a
// payment's (contract, bank reference), a signature's (party, document hash)).

export type Ref = { $ref: string };
export type IdOrRef = string | Ref;

export type Money = { value: number; currency: string };

export type FileRef = { sha256: string; type: string; size: number };

export type CommandBody =
  | {
      kind: "customer.create";
      body: {
        id?: string;
        name: string;
        taxId?: string;
        residency: string;
        tier?: string;
        contacts: Array<{ name: string; phone?: string; email?: string }>;
      };
    }
  | {
      kind: "contract.create";
      body: {
        id: string;
        customerId: IdOrRef;
        title: string;
        amount: Money;
        documentHash: string;
      };
    }
  | { kind: "contract.send"; contractId: IdOrRef; body: { documentHash: string } }
  | {
      kind: "signature.add";
      contractId: IdOrRef;
      body: {
        party: "customer" | "vendor";
        signer: { name: string; title?: string };
        documentHash: string;
        image?: { sha256: string };
      };
    }
  | {
      kind: "payment.confirm";
      body: {
        contractId: IdOrRef;
        reference: string;
        amount: Money;
        voucher?: { sha256: string };
      };
    }
  | {
      kind: "insight.analyze";
      /** The on-device result this re-analysis replaces (kept for the UI). */
      localInsightId: string;
      body: {
        transcript: Array<{ speaker: "customer" | "rep"; text: string }>;
        customerId?: IdOrRef;
        locale?: "zh" | "en";
      };
    }
  | {
      kind: "insight.feedback";
      insightId: IdOrRef;
      body: { strategy: string; adopted: boolean };
    };

export type CommandKind = CommandBody["kind"];

export type CommandState = "pending" | "confirmed" | "rejected" | "conflict";

export type ProblemInfo = {
  code: string;
  status: number;
  title: string;
  detail?: string;
};

export type Command = CommandBody & {
  /** Client-generated ULID; the queue replays in the order of `seq`. */
  id: string;
  seq: number;
  idempotencyKey: string;
  /** A short human label (customer name, contract title, bank reference). */
  label: string;
  createdAt: number;
  state: CommandState;
  /** Photos the command needs on the server first (uploaded to the same region). */
  files: FileRef[];
  /** Set once the server answered with a definite outcome. */
  result?: { id: string | null; status: number; region: string | null; at: number; body: unknown };
  problem?: ProblemInfo;
};

export type HttpRequest = {
  method: "POST" | "PUT";
  path: string;
  body: unknown;
  idempotent: boolean;
};

export class UnresolvedRef extends Error {
  constructor(readonly ref: string) {
    super(`reference to command ${ref} is not resolved`);
  }
}

/** The server id a reference stands for, or the literal id. */
export type Resolver = (ref: string) => string | null;

function resolveId(x: IdOrRef, resolve: Resolver): string {
  if (typeof x === "string") return x;
  const id = resolve(x.$ref);
  if (id === null) throw new UnresolvedRef(x.$ref);
  return id;
}

/** The command ids a command refers to (it can only be sent once they are confirmed). */
export function refsOf(c: CommandBody): string[] {
  const refs: string[] = [];
  const add = (x: IdOrRef | undefined) => {
    if (x !== undefined && typeof x !== "string") refs.push(x.$ref);
  };
  switch (c.kind) {
    case "contract.create":
      add(c.body.customerId);
      break;
    case "contract.send":
    case "signature.add":
      add(c.contractId);
      break;
    case "payment.confirm":
      add(c.body.contractId);
      break;
    case "insight.analyze":
      add(c.body.customerId);
      break;
    case "insight.feedback":
      add(c.insightId);
      break;
  }
  return refs;
}

const seg = (id: string) => encodeURIComponent(id);

/** The one HTTP request a command becomes, with references resolved. */
export function toRequest(c: CommandBody, resolve: Resolver): HttpRequest {
  switch (c.kind) {
    case "customer.create":
      return { method: "POST", path: "/v1/customers", body: c.body, idempotent: true };
    case "contract.create":
      return {
        method: "POST",
        path: "/v1/contracts",
        body: { ...c.body, customerId: resolveId(c.body.customerId, resolve) },
        idempotent: true,
      };
    case "contract.send":
      return {
        method: "POST",
        path: `/v1/contracts/${seg(resolveId(c.contractId, resolve))}/send`,
        body: c.body,
        idempotent: true,
      };
    case "signature.add":
      return {
        method: "POST",
        path: `/v1/contracts/${seg(resolveId(c.contractId, resolve))}/signatures`,
        body: c.body,
        idempotent: true,
      };
    case "payment.confirm":
      return {
        method: "POST",
        path: "/v1/payments",
        body: { ...c.body, contractId: resolveId(c.body.contractId, resolve) },
        idempotent: true,
      };
    case "insight.analyze": {
      const { customerId, ...rest } = c.body;
      return {
        method: "POST",
        path: "/v1/insights/analyze",
        body:
          customerId === undefined ? rest : { ...rest, customerId: resolveId(customerId, resolve) },
        idempotent: false,
      };
    }
    case "insight.feedback":
      return {
        method: "POST",
        path: `/v1/insights/${seg(resolveId(c.insightId, resolve))}/feedback`,
        body: c.body,
        idempotent: false,
      };
  }
}

/** What one answer means for the command that got it. */
export type Outcome =
  | { kind: "confirmed"; id: string | null }
  | { kind: "rejected"; problem: ProblemInfo }
  | { kind: "conflict"; problem: ProblemInfo }
  /** Try the next endpoint (this region cannot take it now). */
  | { kind: "failover"; retryAfterMs: number | null }
  /** Try again later, anywhere (e.g. rate limited, or the session must be renewed). */
  | { kind: "later"; retryAfterMs: number | null; problem?: ProblemInfo };

/** Problems that mean "two truths": the rep must decide, a retry will not help. */
const CONFLICTS: ReadonlySet<string> = new Set([
  "payment-reference-conflict",
  "identity-mismatch",
  "idempotency-key-reused",
  "document-mismatch",
]);

/** Problems a retry of the same command fixes (its photo did not reach this region yet). */
const RESEND: ReadonlySet<string> = new Set(["voucher-missing", "signature-image-missing"]);

export function problemOf(status: number, body: unknown): ProblemInfo {
  const o = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
  const type = typeof o.type === "string" ? o.type : "";
  const code = type.startsWith("urn:lifeline:problem:")
    ? type.slice("urn:lifeline:problem:".length)
    : "unknown";
  return {
    code,
    status,
    title: typeof o.title === "string" ? o.title.slice(0, 300) : `HTTP ${status}`,
    ...(typeof o.detail === "string" ? { detail: o.detail.slice(0, 1000) } : {}),
  };
}

/** Retry-After in ms (seconds or an HTTP date), bounded to 5 minutes; null when absent. */
export function retryAfterMs(header: string | null, nowMs: number): number | null {
  if (header === null || header.trim() === "") return null;
  const s = Number(header);
  const ms = Number.isFinite(s) ? s * 1000 : Date.parse(header) - nowMs;
  if (!Number.isFinite(ms)) return null;
  return Math.min(Math.max(ms, 0), 300_000);
}

export function classify(status: number, body: unknown, retryAfter: number | null): Outcome {
  if (status >= 200 && status < 300) {
    const o = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
    return { kind: "confirmed", id: typeof o.id === "string" ? o.id : null };
  }
  const problem = problemOf(status, body);
  // The router's "outcome unknown" and every 5xx: the write may or may not have landed;
  // the same Idempotency-Key elsewhere settles it exactly once.
  if (status >= 500 || status === 408) return { kind: "failover", retryAfterMs: retryAfter };
  if (status === 429) return { kind: "later", retryAfterMs: retryAfter, problem };
  if (status === 401) return { kind: "later", retryAfterMs: null, problem };
  // In flight in another request with the same key: ask again shortly.
  if (problem.code === "idempotency-key-in-flight")
    return { kind: "later", retryAfterMs: retryAfter ?? 1000, problem };
  if (problem.code === "wrong-jurisdiction") return { kind: "failover", retryAfterMs: null };
  if (RESEND.has(problem.code)) return { kind: "failover", retryAfterMs: null };
  if (CONFLICTS.has(problem.code)) return { kind: "conflict", problem };
  return { kind: "rejected", problem };
}

/** A command whose reference was rejected cannot be sent; it is rejected with the reason. */
export function dependsOnRejected(ref: Command): ProblemInfo {
  return {
    code: "depends-on-rejected",
    status: 0,
    title: "Depends on a rejected change",
    detail: ref.label,
  };
}
