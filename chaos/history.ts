// The one contract between whatever exercises Lifeline (the chaos workload against the
// local topology, the deterministic simulator in-process) and the checker that judges it.
//
// A history is Jepsen-style: every operation is an `invoke` line followed by exactly one
// completion from the same `process` with the same `op` id:
//   ok   — the system acknowledged it (2xx), the effect happened;
//   fail — the system refused it definitely (4xx, or a 503 the API says did nothing),
//          the effect did not happen;
//   info — indeterminate (timeout, connection lost, 5xx without a definite answer): the
//          effect may or may not have happened, and the checker must allow both.
// Final reads are taken after heal and quiescence, from every region.
import { z } from "zod";

export const WRITE_FLOWS = [
  "customer.create",
  "contract.create",
  "contract.send",
  "contract.sign",
  "payment.confirm",
] as const;
export const READ_FLOWS = ["customer.get", "customer.list", "insights.analyze"] as const;
export const Flow = z.enum([...WRITE_FLOWS, ...READ_FLOWS]);
export type Flow = z.infer<typeof Flow>;
export const isWrite = (f: Flow): f is (typeof WRITE_FLOWS)[number] =>
  (WRITE_FLOWS as readonly string[]).includes(f);

/**
 * What a write means, enough to find its effect in a region's final state. Amounts are
 * minor units as decimal strings (exact, as the API's Money).
 */
export const WriteValue = z.object({
  tenantId: z.string(),
  accountId: z.string(),
  /** customer.create: the natural key; one account per tax id per tenant. */
  taxId: z.string().optional(),
  /** The customer's jurisdiction (cn, eu): where its data may be held unmasked. */
  jurisdiction: z.string(),
  contractId: z.string().optional(),
  /** payment.confirm: the bank reference, the dedup key of a payment's effect. */
  reference: z.string().optional(),
  amountMinor: z.string().optional(),
  currency: z.string().optional(),
  /** contract.sign: which party signed. */
  party: z.enum(["customer", "vendor"]).optional(),
  /**
   * Raw restricted personal values this write carried (contact name/phone/e-mail, signer
   * name/e-mail), so the checker can look for them unmasked abroad [LF4]. The tax id is
   * `taxId` above and need not be repeated here.
   */
  restricted: z.array(z.object({ field: z.string(), value: z.string() })).optional(),
});
export type WriteValue = z.infer<typeof WriteValue>;

const Common = {
  /** Line number in the history, from 0; strictly increasing. */
  index: z.int().min(0),
  /** The simulated client (rep) that issued it; one operation in flight per process. */
  process: z.int().min(0),
  /** Pairs an invoke with its completion. */
  op: z.string(),
  f: Flow,
  /** Milliseconds since the run started (monotonic). */
  time: z.number().min(0),
};

export const Invoke = z.object({
  ...Common,
  type: z.literal("invoke"),
  idempotencyKey: z.string().optional(),
  /** Writes only. Reads carry what they read in `read`. */
  value: WriteValue.optional(),
  /** The region the client tried first (its jurisdiction's preferred region). */
  target: z.string().optional(),
});

export const Completion = z.object({
  ...Common,
  type: z.enum(["ok", "fail", "info"]),
  /** Lifeline-Region of the answer that settled it. */
  region: z.string().optional(),
  status: z.int().optional(),
  /** Lifeline-Durability of a write's answer. */
  durability: z.enum(["local", "region"]).optional(),
  /** Lifeline-Degraded tokens of the answer. */
  degraded: z.array(z.string()).default([]),
  /** Idempotent-Replayed: true on the answer. */
  replayed: z.boolean().default(false),
  /** SHA-256 (hex) of the answer's body: replays of one key must match the first answer. */
  bodySha256: z.string().optional(),
  latencyMs: z.number().min(0),
  /** Every attempt the client made (failover, retries), in order. */
  attempts: z
    .array(
      z.object({ region: z.string(), status: z.int().nullable(), error: z.string().optional() }),
    )
    .default([]),
  error: z.string().optional(),
  /**
   * Right after a `region`-durability ack, the client may ask the other region of the
   * jurisdiction directly whether it holds the write: true/false, absent when not asked
   * or the peer could not answer.
   */
  peerHasIt: z.boolean().optional(),
});

export const HistoryOp = z.discriminatedUnion("type", [
  Invoke,
  Completion.extend({ type: z.literal("ok") }),
  Completion.extend({ type: z.literal("fail") }),
  Completion.extend({ type: z.literal("info") }),
]);
export type HistoryOp = z.infer<typeof HistoryOp>;
export type InvokeOp = z.infer<typeof Invoke>;
export type CompletionOp = z.infer<typeof Completion>;

/** A fault window, as injected: the checker judges availability and latency inside it. */
export const FaultWindow = z.object({
  name: z.string(),
  /** e.g. { region: "cn-east", delayMs: 500 } */
  params: z.record(z.string(), z.unknown()),
  startMs: z.number().min(0),
  /** null: never healed within the run (a failed run). */
  endMs: z.number().min(0).nullable(),
  /** Degradation modes the scenario expects the affected regions to enter. */
  expectModes: z.array(z.object({ region: z.string(), mode: z.string() })).default([]),
});
export type FaultWindow = z.infer<typeof FaultWindow>;

/** A degradation mode entered or left, as a region's RegionDO reported it. */
export const ModeChange = z.object({
  region: z.string(),
  mode: z.string(),
  entered: z.boolean(),
  timeMs: z.number(),
  reason: z.string().optional(),
});
export type ModeChange = z.infer<typeof ModeChange>;

/** One account as one region holds it, read through that region's API (or the engine). */
export const AccountRead = z.object({
  /** The account's tenant, when the region's read says it (one account per tenant and tax id). */
  tenantId: z.string().optional(),
  /** The customer's fields as this region holds them (masked where it is abroad). */
  customer: z
    .object({
      taxId: z.string().nullable(),
      name: z.string(),
      /** Contact phones / e-mails / names as held: masked abroad. */
      contacts: z.array(z.record(z.string(), z.unknown())).default([]),
    })
    .nullable(),
  contracts: z.record(
    z.string(),
    z.object({
      status: z.string(),
      signedBy: z.array(z.enum(["customer", "vendor"])).default([]),
      payments: z.array(
        z.object({
          id: z.string(),
          reference: z.string(),
          amountMinor: z.string(),
          currency: z.string(),
        }),
      ),
    }),
  ),
});
export type AccountRead = z.infer<typeof AccountRead>;

/**
 * A hash a region cannot give: it holds only the masked copy of an account and was asked
 * for the full view. Present (the region knows the account) and never a difference.
 */
export const MASKED_ONLY = "*";

export const RegionFinal = z.object({
  jurisdiction: z.string(),
  reachable: z.boolean(),
  /**
   * Accounts this region holds in full (its own jurisdiction's), by id; an account of the
   * history this region should hold but does not is simply absent.
   */
  accounts: z.record(z.string(), AccountRead),
  /**
   * State hashes per view: `hashes[as][accountId]`, each account as this region holds it,
   * viewed as region `as` should hold it (full at home, masked abroad). Converged means
   * every region agrees with `as` itself on view `as`; MASKED_ONLY agrees with anything.
   */
  hashes: z.record(z.string(), z.record(z.string(), z.string())),
});
export type RegionFinal = z.infer<typeof RegionFinal>;

export const Final = z.object({
  /** Milliseconds since the run started, when the final reads began. */
  timeMs: z.number().min(0),
  regions: z.record(z.string(), RegionFinal),
  /** Milliseconds from heal until every region's hashes agreed; null: they never did. */
  convergedAfterMs: z.number().min(0).nullable(),
  /**
   * Raw personal data of one jurisdiction found in another's storage (a byte search of
   * its data directory for the raw values the workload wrote): each hit is a violation.
   */
  leaks: z.array(
    z.object({
      region: z.string(),
      ofJurisdiction: z.string(),
      field: z.string(),
      where: z.string(),
    }),
  ),
});
export type Final = z.infer<typeof Final>;

/**
 * What a scenario promises beyond safety (DESIGN §10); each scenario may override some.
 * The checker's defaults are DEFAULT_TARGETS; a run's own `targets` come next, then the
 * caller's.
 */
export const Targets = z.object({
  /** Heal → every region's hashes agree [LF3]. */
  convergeWithinMs: z.number().min(0),
  /** Lifeline write availability outside fault windows: ok / (ok + 5xx fail + info). */
  writeAvailability: z.number().min(0).max(1),
  /** The same inside each fault window. */
  writeAvailabilityDuringFault: z.number().min(0).max(1),
  /** p99 of lifeline writes inside a window over the no-fault p99; null: not judged. */
  p99RatioMax: z.number().positive().nullable(),
  /** How long after a window starts its expected modes may take to be entered. */
  modeGraceMs: z.number().min(0),
  /** How long after a window ends its modes may take to be left. */
  modeRecoverMs: z.number().min(0),
});
export type Targets = z.infer<typeof Targets>;

export const DEFAULT_TARGETS: Readonly<Targets> = Object.freeze({
  convergeWithinMs: 60_000,
  writeAvailability: 0.99,
  writeAvailabilityDuringFault: 0.95,
  p99RatioMax: null,
  modeGraceMs: 10_000,
  modeRecoverMs: 60_000,
});

/** Everything the checker needs from one run. */
export const Run = z.object({
  scenario: z.string(),
  seed: z.int(),
  commit: z.string(),
  command: z.string(),
  startedAt: z.iso.datetime(),
  /** region → jurisdiction, for every region of the topology. */
  regions: z.record(z.string(), z.string()),
  faults: z.array(FaultWindow),
  /** The scenario's overrides of DEFAULT_TARGETS. */
  targets: Targets.partial().optional(),
  modeChanges: z.array(ModeChange).default([]),
  history: z.array(HistoryOp),
  final: Final,
});
export type Run = z.infer<typeof Run>;

/** Reads a JSONL history, refusing a malformed line with its number. */
export function parseHistory(jsonl: string): HistoryOp[] {
  const out: HistoryOp[] = [];
  const lines = jsonl.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      throw new Error(`history line ${i + 1}: not JSON`);
    }
    const parsed = HistoryOp.safeParse(raw);
    if (!parsed.success)
      throw new Error(`history line ${i + 1}: ${parsed.error.issues[0]?.message ?? "invalid"}`);
    out.push(parsed.data);
  }
  return out;
}

export const toJsonl = (ops: readonly HistoryOp[]): string =>
  ops.map((o) => JSON.stringify(o)).join("\n") + (ops.length ? "\n" : "");
