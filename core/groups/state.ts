// A tenant's groups state: a join-semilattice built only from events, so regions that hold
// the same set of events hold the same state whatever the order, duplication or delay
// (DESIGN §3). Every field is a last-writer-wins register (by HLC), a first-writer-wins
// fact with its variants kept, or a grow-only set. Concurrent values that money or
// authority cannot resolve by rule (two decisions of one request, two grants under one id)
// are kept and surface as conflict records [LF6], never silently dropped.
import {
  earlier,
  joinLwwOrNull,
  joinRecords,
  joinVariants,
  type Lww,
  type Variant,
  type Variants,
  variantKey,
} from "../account/lattice.ts";
import { sha256Hex } from "../crypto/sha256.ts";
import { canonicalJson } from "../encoding.ts";
import { decodeHlc } from "../hlc.ts";
import type { ApprovalDecision, ApprovalRequest, DelegationGrant, GroupEvent } from "./model.ts";

export type { Lww, Variant, Variants } from "../account/lattice.ts";

export type GroupFacts = {
  /** The earliest creation; null while only later facts (a rename) have arrived. */
  created: Variant<{ name: string }> | null;
  name: Lww<string>;
};

export type Grant = Omit<DelegationGrant, "delegationId">;
export type Request = Omit<ApprovalRequest, "approvalId">;
export type Decision = Omit<ApprovalDecision, "approvalId">;

/** A versioned document (a policy): the highest version wins, then the later HLC. */
export type Versioned = { version: number; document: unknown; hlc: string };
export type PortalPolicy = Versioned;

export type GroupsState = {
  roles: Lww<string[]> | null;
  groups: Record<string, GroupFacts>;
  /** LWW per `${groupId}/${userId}`: the member's role, null once removed. */
  members: Record<string, Lww<string | null>>;
  /** LWW per account: its group, null once taken out (an account is in at most one group). */
  accounts: Record<string, Lww<string | null>>;
  /** Grow-only; variants of one id are a conflict (the earliest is effective). */
  delegations: Record<string, Variants<Grant>>;
  /** Grow-only; a revocation wins over its grant, whatever the order they arrive in. */
  revocations: Record<string, Variant<{ by: string }>>;
  requests: Record<string, Variants<Request>>;
  /** Grow-only per request, keyed by event id. */
  decisions: Record<string, Record<string, Variant<Decision>>>;
  policy: Lww<unknown> | null;
  weights: Lww<unknown> | null;
  /** The highest version wins, then the later HLC. */
  portalPolicy: PortalPolicy | null;
  /**
   * The tenant's SLA policy for change requests, as `portalPolicy`. Absent until one is
   * published, so tenants without one keep their state hashes.
   */
  slaPolicy?: Versioned;
  /** HLC of the newest event applied. */
  version: string | null;
};

export function emptyGroups(): GroupsState {
  return {
    roles: null,
    groups: {},
    members: {},
    accounts: {},
    delegations: {},
    revocations: {},
    requests: {},
    decisions: {},
    policy: null,
    weights: null,
    portalPolicy: null,
    version: null,
  };
}

/** Wall time of an HLC as an ISO-8601 instant. */
export const hlcTime = (hlc: string) => new Date(decodeHlc(hlc).wallMs).toISOString();

export const memberKey = (groupId: string, userId: string) => `${groupId}/${userId}`;

/** Own-property lookup: input-keyed maps never reach a prototype member. */
export function own<V>(record: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

function joinVersioned(a: Versioned | null, b: Versioned | null): Versioned | null {
  if (a === null) return b;
  if (b === null) return a;
  if (a.version !== b.version) return a.version > b.version ? a : b;
  if (a.hlc !== b.hlc) return a.hlc > b.hlc ? a : b;
  return canonicalJson(a.document) >= canonicalJson(b.document) ? a : b;
}

function joinGroup(a: GroupFacts, b: GroupFacts): GroupFacts {
  const created = a.created && b.created ? earlier(a.created, b.created) : (a.created ?? b.created);
  const name = joinLwwOrNull(a.name, b.name)!;
  return created === a.created && name === a.name ? a : { created, name };
}

function joinDecisions(
  a: Record<string, Variant<Decision>>,
  b: Record<string, Variant<Decision>>,
): Record<string, Variant<Decision>> {
  return joinRecords(a, b, earlier);
}

/** The join of two states: commutative, associative and idempotent (property-tested). */
export function joinGroups(a: GroupsState, b: GroupsState): GroupsState {
  const sla = joinVersioned(a.slaPolicy ?? null, b.slaPolicy ?? null);
  return {
    roles: joinLwwOrNull(a.roles, b.roles),
    groups: joinRecords(a.groups, b.groups, joinGroup),
    members: joinRecords(a.members, b.members, (x, y) => joinLwwOrNull(x, y)!),
    accounts: joinRecords(a.accounts, b.accounts, (x, y) => joinLwwOrNull(x, y)!),
    delegations: joinRecords(a.delegations, b.delegations, joinVariants),
    revocations: joinRecords(a.revocations, b.revocations, earlier),
    requests: joinRecords(a.requests, b.requests, joinVariants),
    decisions: joinRecords(a.decisions, b.decisions, joinDecisions),
    policy: joinLwwOrNull(a.policy, b.policy),
    weights: joinLwwOrNull(a.weights, b.weights),
    portalPolicy: joinVersioned(a.portalPolicy, b.portalPolicy),
    ...(sla ? { slaPolicy: sla } : {}),
    version:
      a.version === null
        ? b.version
        : b.version === null || a.version > b.version
          ? a.version
          : b.version,
  };
}

/** The state holding exactly one event. */
export function stateOf(event: GroupEvent): GroupsState {
  const s = emptyGroups();
  const { hlc, id: eventId, data } = event;
  s.version = hlc;
  const fact = <T>(value: T): Variant<T> => ({ value, hlc, eventId });
  switch (data.type) {
    case "roles.set":
      s.roles = { value: data.roles, hlc };
      break;
    case "group.created":
      s.groups[data.groupId] = {
        created: fact({ name: data.name }),
        name: { value: data.name, hlc },
      };
      break;
    case "group.renamed":
      s.groups[data.groupId] = { created: null, name: { value: data.name, hlc } };
      break;
    case "group.member-set":
      s.members[memberKey(data.groupId, data.userId)] = { value: data.role, hlc };
      break;
    case "account.group-set":
      s.accounts[data.accountId] = { value: data.groupId, hlc };
      break;
    case "delegation.granted": {
      const { type: _, delegationId, ...grant } = data;
      s.delegations[delegationId] = { [variantKey(grant)]: fact(grant) };
      break;
    }
    case "delegation.revoked":
      s.revocations[data.delegationId] = fact({ by: event.actor.id });
      break;
    case "approval.requested": {
      const { type: _, approvalId, ...request } = data;
      s.requests[approvalId] = { [variantKey(request)]: fact(request) };
      break;
    }
    case "approval.decided": {
      const { type: _, approvalId, ...decision } = data;
      s.decisions[approvalId] = { [eventId]: fact(decision) };
      break;
    }
    case "approvals.policy-set":
      s.policy = { value: data.policy, hlc };
      break;
    case "chi-weights.set":
      s.weights = { value: data.weights, hlc };
      break;
    case "portal-policy.published":
      s.portalPolicy = { version: data.version, document: data.document, hlc };
      break;
    case "sla-policy.published":
      s.slaPolicy = { version: data.version, document: data.policy, hlc };
      break;
  }
  return s;
}

/** Folds an event into a state (a join with the event's own state). */
export function evolveGroups(state: GroupsState, event: GroupEvent): GroupsState {
  return joinGroups(state, stateOf(event));
}

export function foldGroups(events: Iterable<GroupEvent>): GroupsState {
  let s = emptyGroups();
  for (const e of events) s = evolveGroups(s, e);
  return s;
}

/** Bumped when the state's shape changes, so hashes of different shapes never compare equal. */
export const GROUPS_HASH_VERSION = "lifeline.groups-state.v1";

/** [LF3] Canonical hash of a tenant's groups state: equal events, equal hashes. */
export function groupsStateHash(state: GroupsState): string {
  return sha256Hex(canonicalJson({ v: GROUPS_HASH_VERSION, state }));
}
