// Anti-entropy [LF3]: regions compare state hashes per account range and pull what they
// miss, so an event lost anywhere (a relay's dead letter, an outbox row gone, a partition
// outlasting every retry, a restored backup) heals without an operator. This file owns
// the wire (two signed region-to-region calls, signed as file pushes are: `signedCall`),
// its limits and the requester's walk; the wiring to a region's objects is
// durable-objects/directory/anti-entropy.ts.
//
// * digest: the requester hashes a page of its own accounts (after, through] as it holds
//   them and sends that page hash; the responder hashes the same range as the requester
//   should hold it (full at home, masked abroad). Equal pages cost one small answer; a
//   page that differs comes back account by account.
// * pull: for one account that differs, a page of the responder's journal built exactly
//   as its outbox would build a batch for the requester (core's outgoingBatch: masked per
//   event, masked copies never passed on, the transfer audited), which the requester runs
//   through the receiver's checks and applyRemote [LF8]. The merge is a join, so pulling
//   what is already held changes nothing.
//
// Why a responder answers only for accounts it holds in full: a masked copy is never
// passed on, so a difference in one is not one this responder can mend. Both sides apply
// the same rule (`answersFor`) from the account's residency, so they hash the same set.
// An account of unknown residency is compared only inside its jurisdiction: its hash is a
// full view, and a state hash of a nearly known state can be tested against guesses.
//
// Why a second signature inside a jurisdiction: the replication key is shared by every
// region, so it cannot tell cn-south from eu-central. An answer in full (a pull or a
// hash of the unmasked state) goes only to a requester that also signs with a key derived
// from its jurisdiction's MASKING_KEY, which no region outside the jurisdiction holds [LF4].
//
// Answers are signed too, over their text and the hash of the request they answer: the
// requester applies what it pulled, so it must come from a peer, for this request.
import { z } from "zod";
import {
  ACCOUNT_ID,
  hmacSha256Hex,
  mapLimit,
  RegionName,
  SHA256_HEX,
  sha256Hex,
  timingSafeEqual,
} from "../core/index.ts";
import { readBounded } from "./body.ts";
import type { RegionInfo } from "./regions.ts";
import { type KeyRing, signRequest, TIMESTAMP_HEADER, verifyRequest } from "./signing.ts";

export const DIGEST_PATH = "/v1/replication/digest";
export const PULL_PATH = "/v1/replication/pull";
/** Header of the jurisdiction signature (see above). */
export const JURISDICTION_SIGNATURE_HEADER = "lifeline-jurisdiction-signature";

/** Accounts the requester hashes per digest page. */
export const DIGEST_PAGE = 256;
/** Accounts a responder hashes per answer: past it, it answers a shorter range. */
export const MAX_DIGEST_ACCOUNTS = 1_000;
/** Account objects asked at once on either side. */
export const FAN_OUT = 16;
/** Journal pages pulled per account per round (each at most MAX_BATCH_EVENTS events). */
export const MAX_PULL_PAGES = 64;
/** Tenants listed per directory read. */
export const TENANT_PAGE = 100;
/** A request is a few hundred bytes. */
export const MAX_REQUEST_BYTES = 8 * 1024;
/** Budget of one call to a peer; a peer that misses it is skipped for the round. */
export const CALL_TIMEOUT_MS = 5_000;

const Hex64 = z.string().regex(SHA256_HEX);
const TenantId = z.string().min(1).max(64);
const AccountId = z.string().regex(ACCOUNT_ID);
/** "" (the start of a tenant) or an account id. */
const Cursor = z.union([z.literal(""), AccountId]);

export const DigestRequestV1 = z.strictObject({
  v: z.literal(1),
  from: RegionName,
  to: RegionName,
  tenantId: TenantId,
  after: Cursor,
  /** The range's inclusive end; null: to the end of the tenant. */
  through: AccountId.nullable(),
  /** The requester's page hash over the range (`pageHash`) and how many accounts it covers. */
  hash: Hex64,
  count: z.int().min(0).max(DIGEST_PAGE),
});
export type DigestRequestV1 = z.infer<typeof DigestRequestV1>;

export const DigestAnswerV1 = z.strictObject({
  v: z.literal(1),
  /** sha256 of the request body this answers. */
  re: Hex64,
  /** The end of the range answered: the request's, or earlier when it held too many accounts. */
  through: AccountId.nullable(),
  equal: z.boolean(),
  /** [accountId, hash as the requester should hold it], for a range that is not equal. */
  accounts: z
    .array(z.tuple([AccountId, Hex64]))
    .max(MAX_DIGEST_ACCOUNTS)
    .optional(),
});
export type DigestAnswerV1 = z.infer<typeof DigestAnswerV1>;

export const PullRequestV1 = z.strictObject({
  v: z.literal(1),
  from: RegionName,
  to: RegionName,
  tenantId: TenantId,
  accountId: AccountId,
  /** The responder's journal position to continue after (0: from the start). */
  after: z.int().min(0),
});
export type PullRequestV1 = z.infer<typeof PullRequestV1>;

export const PullAnswerV1 = z.strictObject({
  v: z.literal(1),
  re: Hex64,
  /** A replication batch (checked by the requester as any batch is), null: nothing to pass on. */
  batch: z.unknown().nullable(),
  next: z.int().min(0).nullable(),
});
export type PullAnswerV1 = z.infer<typeof PullAnswerV1>;

/** Whether `responder` answers `requester` for an account of this residency (see above). */
export function answersFor(
  residency: string | null,
  responderJurisdiction: string,
  requesterJurisdiction: string,
): boolean {
  return residency === null
    ? responderJurisdiction === requesterJurisdiction
    : residency === responderJurisdiction;
}

/** The hash of a page: its `id:hash` lines sorted by id. */
export function pageHash(accounts: Iterable<readonly [string, string]>): string {
  const lines = [...accounts].map(([id, hash]) => `${id}:${hash}`).sort();
  return sha256Hex(lines.join("\n"));
}

// --- The responder ---------------------------------------------------------------------

export type DigestSource = {
  /** This region's accounts of a tenant in (after, through], in id order, at most `limit`. */
  accounts(
    tenantId: string,
    after: string,
    through: string | null,
    limit: number,
  ): Promise<string[]>;
  /** An account's hash as `asRegion` should hold it, and its residency here. */
  entry(tenantId: string, accountId: string, asRegion: string): Promise<OwnEntry | null>;
};

/**
 * The responder's digest of the requested range, as the requester should hold it. A
 * range holding more than MAX_DIGEST_ACCOUNTS here is answered up to its last one.
 */
export async function answerDigestWith(
  source: DigestSource,
  jurisdiction: string,
  request: DigestRequestV1,
  requester: { jurisdiction: string },
): Promise<Pick<DigestAnswerV1, "through" | "equal" | "accounts">> {
  const ids = await source.accounts(
    request.tenantId,
    request.after,
    request.through,
    MAX_DIGEST_ACCOUNTS + 1,
  );
  const truncated = ids.length > MAX_DIGEST_ACCOUNTS;
  const range = ids.slice(0, MAX_DIGEST_ACCOUNTS);
  const through = truncated ? range.at(-1)! : request.through;
  const entries = await mapLimit(range, FAN_OUT, (id) =>
    source.entry(request.tenantId, id, request.from),
  );
  const mine = new Map<string, string>();
  range.forEach((id, i) => {
    const e = entries[i];
    if (e && answersFor(e.residency, jurisdiction, requester.jurisdiction)) mine.set(id, e.hash);
  });
  if (!truncated && mine.size === request.count && pageHash(mine) === request.hash)
    return { through, equal: true };
  return { through, equal: false, accounts: [...mine] };
}

// --- Signatures -------------------------------------------------------------------------

/** The jurisdiction's anti-entropy key: derived, so the masking key itself signs nothing. */
export function jurisdictionKeyOf(env: { MASKING_KEY?: string }): string | null {
  const key = env.MASKING_KEY;
  return key && key.length >= 16 ? hmacSha256Hex(key, "lifeline anti-entropy v1") : null;
}

export function jurisdictionSignature(key: string, timestampMs: number, body: string): string {
  return hmacSha256Hex(key, `${timestampMs}.${body}`);
}

/** Checks the jurisdiction signature of a request whose replication signature already passed. */
export function verifyJurisdictionSignature(
  key: string | null,
  headers: Headers,
  body: string,
): boolean {
  const signature = headers.get(JURISDICTION_SIGNATURE_HEADER);
  const timestamp = Number(headers.get(TIMESTAMP_HEADER));
  if (key === null || !signature || !Number.isFinite(timestamp)) return false;
  return timingSafeEqual(jurisdictionSignature(key, timestamp, body), signature);
}

/** A call to a peer that failed: `status` null when no answer came (unreachable, timeout). */
export class PeerCallError extends Error {
  constructor(
    readonly peer: string,
    readonly status: number | null,
    detail: string,
    /** What the call was, for the message. */
    call = "anti-entropy call",
  ) {
    super(`${call} to ${peer} failed${status === null ? "" : ` (HTTP ${status})`}: ${detail}`);
  }
}

/** How this region calls its peers: its keys, and the budget of one call. */
export type PeerLink = {
  ring: KeyRing;
  self: { region: string; jurisdiction: string };
  /** The jurisdiction key (`jurisdictionKeyOf`); null: no call inside the jurisdiction. */
  jurisdictionKey: string | null;
  timeoutMs?: number;
  fetcher?: typeof fetch;
};

export type SignedRequest = {
  /** What the call is, for PeerCallError's message (`anti-entropy call`, `file push`). */
  call: string;
  method: "POST" | "PUT";
  path: string;
  headers: Record<string, string>;
  body: string | Uint8Array;
  /** The text both signatures cover: the body itself, or what names it. */
  signable: string;
  maxAnswerBytes: number;
};

/**
 * One request to a peer, signed at one instant with the replication key and, to a peer
 * of this jurisdiction, with the jurisdiction key too; the answer is read under
 * `maxAnswerBytes`. Its status is the caller's to judge; no answer at all (unreachable,
 * timed out) is a PeerCallError with status null. Shared by anti-entropy's calls and file
 * pushes (files.ts).
 */
export async function signedCall(
  link: PeerLink,
  peer: RegionInfo,
  request: SignedRequest,
): Promise<{ res: Response; text: string }> {
  const nowMs = Date.now();
  const headers: Record<string, string> = {
    ...request.headers,
    ...signRequest(link.ring, request.signable, nowMs),
  };
  if (peer.jurisdiction === link.self.jurisdiction) {
    if (link.jurisdictionKey === null)
      throw new Error("MASKING_KEY is not set: cannot sign as a region of the jurisdiction");
    headers[JURISDICTION_SIGNATURE_HEADER] = jurisdictionSignature(
      link.jurisdictionKey,
      nowMs,
      request.signable,
    );
  }
  const fail = (status: number | null, detail: string) =>
    new PeerCallError(peer.region, status, detail, request.call);
  const fetcher = link.fetcher ?? ((input, init) => fetch(input, init));
  try {
    const res = await fetcher(new URL(request.path, peer.url), {
      method: request.method,
      headers,
      body: request.body,
      signal: AbortSignal.timeout(link.timeoutMs ?? CALL_TIMEOUT_MS),
    });
    const bytes = await readBounded(res.body, request.maxAnswerBytes);
    if (bytes === null) throw fail(res.status, "answer too large");
    return { res, text: new TextDecoder().decode(bytes) };
  } catch (err) {
    if (err instanceof PeerCallError) throw err;
    throw fail(null, err instanceof Error ? err.message : String(err));
  }
}

export type PeerCallConfig = PeerLink & { maxAnswerBytes: number };

/**
 * One signed call to a peer; the answer is verified (signature, request hash, schema).
 * `call` names it in errors (anti-entropy, groups pulls, federated rounds).
 */
export async function callPeer<S extends z.ZodType<{ re: string }>>(
  config: PeerCallConfig,
  peer: RegionInfo,
  path: string,
  request: unknown,
  answer: S,
  call = "anti-entropy call",
): Promise<z.infer<S>> {
  const body = JSON.stringify(request);
  const { res, text } = await signedCall(config, peer, {
    call,
    method: "POST",
    path,
    headers: { "content-type": "application/json" },
    body,
    signable: body,
    maxAnswerBytes: config.maxAnswerBytes,
  });
  const fail = (detail: string) => new PeerCallError(peer.region, res.status, detail, call);
  if (!res.ok) throw fail(text.slice(0, 300));
  if (!verifyRequest(config.ring, res.headers, text, Date.now()).ok)
    throw fail("the answer is not signed by a replication key");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw fail("the answer is not JSON");
  }
  const parsed = answer.safeParse(json);
  if (!parsed.success) throw fail("malformed answer");
  if (parsed.data.re !== sha256Hex(body)) throw fail("the answer is for another request");
  return parsed.data;
}

// --- The requester's walk ---------------------------------------------------------------

/** This region's hash of an account as it holds it, and the residency it knows. */
export type OwnEntry = { hash: string; residency: string | null };

export type RepairDeps = {
  self: { region: string; jurisdiction: string };
  tenants(after: string, limit: number): Promise<string[]>;
  /** This region's accounts of a tenant after `after`, in id order, at most `limit`. */
  ownAccounts(tenantId: string, after: string, limit: number): Promise<string[]>;
  ownEntry(tenantId: string, accountId: string): Promise<OwnEntry | null>;
  digest(peer: RegionInfo, request: DigestRequestV1): Promise<DigestAnswerV1>;
  pull(peer: RegionInfo, request: PullRequestV1): Promise<PullAnswerV1>;
  /** A pulled batch through the receiver's checks [LF8] and applyRemote. */
  apply(peer: RegionInfo, batch: unknown): Promise<{ applied: number; quarantined: number }>;
  nowMs(): number;
};

/** Bounds of one round, per peer (the deadline is shared). */
export type RepairLimits = { deadlineMs: number; maxAccounts: number; maxPulls: number };

/** Where a peer's walk stopped, so the next round resumes there. */
export type RepairCursor = { tenantId: string; after: string };

export type PeerRepair = {
  peer: string;
  reachable: boolean;
  error?: string;
  tenants: number;
  /** Accounts compared (those of equal pages included). */
  compared: number;
  /** Accounts whose hashes differ, or that one side lacks. */
  differing: number;
  /** Accounts pulled, and those into which the pull applied at least one event. */
  pulled: number;
  repaired: number;
  /** Events applied, and events the receiver's checks quarantined. */
  events: number;
  quarantined: number;
  pages: number;
  pagesEqual: number;
  /** Every tenant was walked to its end (false: a limit or an error stopped the walk). */
  complete: boolean;
  /** Where the next round resumes; null: from the start. */
  cursor: RepairCursor | null;
  ms: number;
};

/** One walk of every tenant against `peer`, from `cursor`, within `limits`. */
export async function repairFromPeer(
  deps: RepairDeps,
  peer: RegionInfo,
  limits: RepairLimits,
  cursor: RepairCursor | null,
): Promise<PeerRepair> {
  const startedMs = deps.nowMs();
  const report: PeerRepair = {
    peer: peer.region,
    reachable: true,
    tenants: 0,
    compared: 0,
    differing: 0,
    pulled: 0,
    repaired: 0,
    events: 0,
    quarantined: 0,
    pages: 0,
    pagesEqual: 0,
    complete: false,
    cursor,
    ms: 0,
  };
  const limited = () =>
    deps.nowMs() >= limits.deadlineMs ||
    report.compared >= limits.maxAccounts ||
    report.pulled >= limits.maxPulls;
  const self = deps.self;
  let position: RepairCursor = cursor ?? { tenantId: "", after: "" };

  const pullAccount = async (tenantId: string, accountId: string) => {
    report.pulled++;
    let after = 0;
    let applied = 0;
    for (let page = 0; page < MAX_PULL_PAGES; page++) {
      const answer = await deps.pull(peer, {
        v: 1,
        from: self.region,
        to: peer.region,
        tenantId,
        accountId,
        after,
      });
      if (answer.batch !== null) {
        const r = await deps.apply(peer, answer.batch);
        applied += r.applied;
        report.quarantined += r.quarantined;
      }
      if (answer.next === null || deps.nowMs() >= limits.deadlineMs) break;
      if (answer.next <= after) throw new Error(`${peer.region}'s pull cursor went back`);
      after = answer.next;
    }
    report.events += applied;
    if (applied > 0) report.repaired++;
  };

  /** One page of a tenant: the next `after`, null at its end; `stop` when a limit hit mid-page. */
  const comparePage = async (
    tenantId: string,
    after: string,
  ): Promise<{ next: string | null; stop: boolean }> => {
    const ids = await deps.ownAccounts(tenantId, after, DIGEST_PAGE);
    const through = ids.length === DIGEST_PAGE ? ids.at(-1)! : null;
    const entries = await mapLimit(ids, FAN_OUT, (id) => deps.ownEntry(tenantId, id));
    const own = new Map<string, string>();
    ids.forEach((id, i) => {
      const e = entries[i];
      if (e && answersFor(e.residency, peer.jurisdiction, self.jurisdiction)) own.set(id, e.hash);
    });
    const answer = await deps.digest(peer, {
      v: 1,
      from: self.region,
      to: peer.region,
      tenantId,
      after,
      through,
      hash: pageHash(own),
      count: own.size,
    });
    // A range that ends before it starts, or past what was asked, would walk forever.
    const end = answer.through;
    if (
      (end !== null && end <= after) ||
      (through !== null && (end === null || end > through)) ||
      (answer.equal && end !== through)
    )
      throw new Error(`${peer.region}'s digest answered another range`);
    report.pages++;
    if (answer.equal) {
      report.pagesEqual++;
      report.compared += own.size;
      return { next: end, stop: false };
    }
    const theirs = new Map(answer.accounts ?? []);
    const inRange = [...own.keys()].filter((id) => end === null || id <= end);
    const union = new Set([...theirs.keys(), ...inRange]);
    report.compared += union.size;
    const toPull = [...theirs].filter(([id, h]) => own.get(id) !== h).map(([id]) => id);
    // Accounts only this side holds are the peer's to pull, on its own round.
    report.differing += toPull.length + inRange.filter((id) => !theirs.has(id)).length;
    for (const id of toPull) {
      // Stopped mid-page: the next round does this page again (pulled accounts then agree).
      if (report.pulled >= limits.maxPulls || deps.nowMs() >= limits.deadlineMs)
        return { next: after, stop: true };
      await pullAccount(tenantId, id);
    }
    return { next: end, stop: false };
  };

  /** Walks a tenant from `after`; true when a limit stopped it (`position` says where). */
  const walkTenant = async (tenantId: string, after: string): Promise<boolean> => {
    report.tenants++;
    position = { tenantId, after };
    for (;;) {
      if (limited()) return true;
      const page = await comparePage(tenantId, position.after);
      if (page.stop) return true;
      if (page.next === null) return false;
      position = { tenantId, after: page.next };
    }
  };

  try {
    let tenantAfter = "";
    if (cursor) {
      if (await walkTenant(cursor.tenantId, cursor.after)) return done(position);
      tenantAfter = cursor.tenantId;
    }
    for (;;) {
      const tenants = await deps.tenants(tenantAfter, TENANT_PAGE);
      for (const t of tenants) if (await walkTenant(t, "")) return done(position);
      if (tenants.length < TENANT_PAGE) break;
      tenantAfter = tenants.at(-1)!;
    }
    report.complete = true;
    return done(null);
  } catch (err) {
    // Unreachable: no answer at all. An answer refused (a status, a bad signature) is an error.
    report.reachable = !(err instanceof PeerCallError && err.status === null);
    report.error = err instanceof Error ? err.message : String(err);
    return done(position.tenantId ? position : cursor);
  }

  function done(next: RepairCursor | null): PeerRepair {
    report.cursor = next;
    report.ms = deps.nowMs() - startedMs;
    return report;
  }
}

/**
 * One round against each of `peers` at once, resuming from and updating `cursors` (by
 * peer). This region's own hashes are shared between the peers' walks, and forgotten for
 * an account once something was pulled into it.
 */
export async function repairRound(
  deps: RepairDeps,
  peers: readonly RegionInfo[],
  limits: RepairLimits,
  cursors: Map<string, RepairCursor> = new Map(),
): Promise<PeerRepair[]> {
  const memo = new Map<string, Promise<OwnEntry | null>>();
  const shared: RepairDeps = {
    ...deps,
    ownEntry: (tenantId, accountId) => {
      const key = `${tenantId}/${accountId}`;
      let entry = memo.get(key);
      if (!entry) {
        entry = deps.ownEntry(tenantId, accountId);
        if (memo.size < limits.maxAccounts * 2) memo.set(key, entry);
      }
      return entry;
    },
    apply: async (peer, batch) => {
      const r = await deps.apply(peer, batch);
      if (r.applied > 0) memo.clear();
      return r;
    },
  };
  return Promise.all(
    peers.map(async (peer) => {
      const report = await repairFromPeer(shared, peer, limits, cursors.get(peer.region) ?? null);
      if (report.cursor) cursors.set(peer.region, report.cursor);
      else cursors.delete(peer.region);
      return report;
    }),
  );
}

/** One line of a peer's report, for logs and the CLI. */
export function describeRepair(self: string, r: PeerRepair): string {
  const head = `${self} ← ${r.peer}:`;
  if (!r.reachable) return `${head} unreachable (${r.error})`;
  const stopped = r.complete
    ? ""
    : r.error
      ? ` (stopped: ${r.error})`
      : " (a limit stopped it; resumes next round)";
  return `${head} ${r.compared} compared, ${r.differing} differing, ${r.pulled} pulled, ${r.repaired} repaired (${r.events} events${r.quarantined ? `, ${r.quarantined} quarantined` : ""}) in ${(r.ms / 1000).toFixed(1)} s${stopped}`;
}
