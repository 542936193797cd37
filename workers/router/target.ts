// What a request is about, as far as routing cares: the account it touches (ids embed
// their account id, so no lookup is needed [LF5]) and which jurisdiction that puts it in.
import { accountOf, regionOfRecord } from "../../core/ids.ts";
import type { RegionInfo, RouterConfig } from "./config.ts";
import { regionNamed } from "./config.ts";
import { type AccountJurisdictions, credentialScope, isObject } from "./jurisdictions.ts";
import { isIdempotent, isWrite } from "./retry.ts";

export type RequestFacts = {
  write: boolean;
  idempotent: boolean;
  accountId: string | null;
  /** Whose learned jurisdictions apply: the credential's scope (see credentialScope). */
  scope: string;
  /** `residency` of a customer being created: the one request that names its jurisdiction. */
  residency: string | null;
  /** The region named by the client's Lifeline-Region header, if it is one of ours. */
  hint: RegionInfo | undefined;
  /**
   * The one region holding the record the path names, for regional records (an insight id
   * names its region): no other region can serve it, so it is the only candidate.
   */
  owner: RegionInfo | undefined;
};

/** `/v1/insights/{id}` and everything below it (feedback). */
const INSIGHT_PATH = /^\/v1\/insights\/([^/]+)(?:\/[^/]+)?$/;

/** Body and query fields that name an account's contract or the account itself. */
const ID_FIELDS = ["customerId", "contractId"] as const;

export function requestFacts(
  method: string,
  url: URL,
  headers: Headers,
  body: unknown,
  config: RouterConfig,
): RequestFacts {
  const segments = url.pathname.split("/").map(decodeSegment);
  const fromPath = segments.map(accountOf).find(Boolean);
  // Only the insight routes address a regional record; an id-shaped segment elsewhere
  // (a mistyped contract id) must not pull a request into another jurisdiction.
  const record = INSIGHT_PATH.exec(url.pathname.replace(/\/$/, ""));
  const owner = record ? regionOfRecord(decodeSegment(record[1]!)) : null;
  const fields = ID_FIELDS.flatMap((f) => [
    isObject(body) ? body[f] : undefined,
    url.searchParams.get(f) ?? undefined,
  ]);
  const fromFields = fields.map((v) => (typeof v === "string" ? accountOf(v) : null)).find(Boolean);
  const creatingCustomer = method === "POST" && url.pathname.replace(/\/$/, "") === "/v1/customers";
  const residency = creatingCustomer && isObject(body) ? body.residency : null;
  return {
    write: isWrite(method),
    idempotent: isIdempotent(method, url.pathname, headers),
    accountId: fromPath ?? fromFields ?? null,
    scope: credentialScope(headers.get("authorization")),
    residency: typeof residency === "string" ? residency : null,
    hint: regionNamed(config, headers.get("lifeline-region")),
    owner: owner ? regionNamed(config, owner) : undefined,
  };
}

export type Placement = {
  jurisdiction: string;
  source: "owner" | "residency" | "learned" | "hint" | "default";
};

/**
 * The region holding a regional record, then residency named in the body, then what the
 * isolate learned, then the hint, then the default.
 */
export function placementOf(
  facts: RequestFacts,
  accounts: AccountJurisdictions,
  config: RouterConfig,
): Placement {
  if (facts.owner) return { jurisdiction: facts.owner.jurisdiction, source: "owner" };
  if (facts.residency && config.jurisdictions.has(facts.residency)) {
    return { jurisdiction: facts.residency, source: "residency" };
  }
  const learned = facts.accountId ? accounts.get(facts.scope, facts.accountId) : undefined;
  if (learned) return { jurisdiction: learned, source: "learned" };
  if (facts.hint) return { jurisdiction: facts.hint.jurisdiction, source: "hint" };
  return { jurisdiction: config.defaultJurisdiction, source: "default" };
}

/** The buffered body as JSON, or undefined: routing never fails on a body the API will reject. */
export function jsonOf(body: Uint8Array | null): unknown {
  if (!body || body.byteLength === 0) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(body));
  } catch {
    return undefined;
  }
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
