// The routing loop for /v1/*: place the request in its jurisdiction, send it to the best
// region there, fail over once to a peer of the same jurisdiction when that is safe, and
// follow a wrong-jurisdiction answer (409 + Lifeline-Jurisdiction) once to the jurisdiction it names. At most three attempts, within a budget.
import type { Handler } from "hono";
import { readBounded } from "../../replication/body.ts";
import { unknownRegionHint } from "../shared/problem.ts";
import { candidates } from "./candidates.ts";
import { type RegionInfo, regionNamed } from "./config.ts";
import type { RouterAppEnv } from "./env.ts";
import { Problem, problemResponse } from "./errors.ts";
import { forward, forwardHeaders, type Outgoing } from "./forward.ts";
import { isObject } from "./jurisdictions.ts";
import { type Attempt, judge } from "./retry.ts";
import type { RouterDeps, RouterState } from "./state.ts";
import { jsonOf, placementOf, type RequestFacts, requestFacts } from "./target.ts";

/** The first try, one failover, one wrong-jurisdiction re-route. */
const MAX_ATTEMPTS = 3;
const MAX_LEARN_BYTES = 256 * 1024;

type Held = { region: RegionInfo; response: Response; fromRegion: boolean };

export function proxy(deps: RouterDeps): Handler<RouterAppEnv> {
  return async function proxy(c) {
    const state = deps.state(c.env);
    const { config, health, accounts } = state;
    // A hint naming no region is a client's mistake to hear about, not to route around.
    const hint = c.req.header("lifeline-region");
    if (hint !== undefined && !regionNamed(config, hint)) {
      throw unknownRegionHint(
        hint,
        config.regions.map((r) => r.region),
      );
    }
    const url = new URL(c.req.url);
    const method = c.req.method;
    const body =
      method === "GET" || method === "HEAD" ? null : new Uint8Array(await c.req.arrayBuffer());
    const facts = requestFacts(method, url, c.req.raw.headers, jsonOf(body), config);
    const placement = placementOf(facts, accounts, config);
    let { jurisdiction } = placement;
    // A guess (hint or default) about an account the router has never seen may be wrong.
    const guessed =
      facts.accountId !== null && (placement.source === "hint" || placement.source === "default");
    const triedJurisdictions = new Set<string>([jurisdiction]);
    const outgoing: Outgoing = {
      method,
      target: url.pathname + url.search,
      headers: forwardHeaders(c.req.raw.headers, url),
      body,
    };
    const deadlineMs = deps.nowMs() + config.budgetMs;
    const tried = new Set<string>();
    let failovers = facts.idempotent ? 1 : 0;
    let reroutes = 1;
    let held: Held | null = null;
    /**
     * A write attempt that timed out may have taken effect in its region. A later region's
     * 404 or 409 may then only mean the effect has not replicated there yet (a signature
     * refused as "not sent" while the send is still on its way), so it is not passed on as
     * a definite refusal: the client is told to retry the same key, which lands the
     * outcome wherever it took effect.
     */
    let unknownOutcomeAt: RegionInfo | null = null;
    const settle = ({ region, response }: { region: RegionInfo; response: Response }) => {
      c.set("routedTo", region.region);
      return response;
    };
    // Another attempt left with less than a quarter of an attempt's time is not worth starting.
    const timeForAnother = () => deadlineMs - deps.nowMs() >= config.attemptTimeoutMs / 4;

    for (let n = 0; n < MAX_ATTEMPTS; n++) {
      const region = admitNext(state, jurisdiction, facts, tried, deps.nowMs());
      if (!region) break;
      tried.add(region.region);
      const timeoutMs = Math.min(config.attemptTimeoutMs, deadlineMs - deps.nowMs());
      const verdict = judge(await forward(deps.fetch, region, outgoing, timeoutMs));
      health.record(region.region, verdict.signal, deps.nowMs());
      switch (verdict.kind) {
        case "answer": {
          const status = verdict.response.status;
          if (unknownOutcomeAt && (status === 404 || status === 409)) {
            await verdict.response.body?.cancel();
            release(held);
            throw outcomeUnknown(unknownOutcomeAt, region);
          }
          // An unknown account that this jurisdiction does not hold either lives in another
          // one or does not exist: "not found" took no effect, so asking elsewhere is safe.
          if (guessed && reroutes > 0 && timeForAnother()) {
            const { notFound, response } = await notFoundAnswer(verdict.response);
            const other = [...config.jurisdictions].find((j) => !triedJurisdictions.has(j));
            if (notFound && other) {
              reroutes--;
              jurisdiction = other;
              triedJurisdictions.add(other);
              release(held);
              held = { region, response, fromRegion: true };
              continue;
            }
            verdict.response = response;
          }
          await learnFromAnswer(c.req.path, state, facts, region, verdict.response);
          return settle({ region, response: verdict.response });
        }
        case "misdirected": {
          const { named, response } = await misdirection(verdict.response);
          accounts.learn(facts.scope, facts.accountId, named);
          const follow =
            named !== undefined && named !== jurisdiction && config.jurisdictions.has(named);
          if (!follow || reroutes === 0 || !timeForAnother()) return settle({ region, response });
          // Safe for any request: a wrong-jurisdiction answer means the region took no effect.
          reroutes--;
          jurisdiction = named;
          release(held);
          held = null;
          continue;
        }
        case "refused":
        case "failed": {
          if (
            verdict.kind === "failed" &&
            verdict.attempt.kind === "timeout" &&
            method !== "GET" &&
            method !== "HEAD"
          )
            unknownOutcomeAt = region;
          const failure: Held =
            verdict.kind === "refused"
              ? { region, response: verdict.response, fromRegion: true }
              : failureOf(verdict.attempt, region, facts, c.req.path);
          // A region's own answer (e.g. a 503 with Retry-After) tells the client more than
          // the router's "unreachable", so a later router-made failure does not replace it.
          if (held?.fromRegion && !failure.fromRegion) release(failure);
          else {
            release(held);
            held = failure;
          }
          if (failovers > 0 && timeForAnother()) {
            failovers--;
            continue;
          }
          return settle(held);
        }
      }
    }
    if (held) return settle(held);
    if (facts.owner) throw ownerUnavailable(state, facts.owner, deps.nowMs());
    throw noHealthyRegion(state, jurisdiction, deps.nowMs());
  };
}

/** A write that timed out in one region and is refused by the next: its outcome is not known. */
function outcomeUnknown(first: RegionInfo, second: RegionInfo) {
  return new Problem(
    503,
    "outcome-unknown",
    "The outcome of this write is not known yet",
    `${first.region} did not answer in time, so the write may have taken effect there; ${second.region} does not show it yet. Retry with the same Idempotency-Key: it completes or replays the write wherever it took effect.`,
    { regions: [first.region, second.region] },
    { "retry-after": "1" },
  );
}

/** A regional record's only region is out: no peer has it, so the client must wait, not move. */
function ownerUnavailable({ health }: RouterState, owner: RegionInfo, nowMs: number) {
  const waitMs = health.retryInMs([owner.region], nowMs);
  return new Problem(
    503,
    "record-region-unavailable",
    "The region holding this record is unavailable",
    `It is stored only in ${owner.region} (call insights are regional records), which is unavailable. Retry later; nothing was recorded.`,
    { region: owner.region },
    { "retry-after": String(Math.max(1, Math.ceil(waitMs / 1000))) },
  );
}

function noHealthyRegion({ config, health }: RouterState, jurisdiction: string, nowMs: number) {
  const names = config.regions.filter((r) => r.jurisdiction === jurisdiction).map((r) => r.region);
  const waitMs = health.retryInMs(names, nowMs);
  return new Problem(
    503,
    "no-healthy-region",
    "No healthy region in the account's jurisdiction",
    `Every ${jurisdiction} region is unavailable, and requests never leave their jurisdiction [LF4]. Retry later with the same Idempotency-Key.`,
    { jurisdiction },
    { "retry-after": String(Math.max(1, Math.ceil(waitMs / 1000))) },
  );
}

function admitNext(
  state: RouterState,
  jurisdiction: string,
  facts: RequestFacts,
  tried: ReadonlySet<string>,
  nowMs: number,
): RegionInfo | undefined {
  const { config, health } = state;
  const ranked = candidates(config.regions, jurisdiction, facts.hint?.region, (r) =>
    health.standing(r, nowMs),
  ).filter((r) => !facts.owner || r.region === facts.owner.region);
  return ranked.find((r) => !tried.has(r.region) && health.admit(r.region, nowMs));
}

/** Frees a held failure's body once a newer outcome replaces it. */
function release(old: Held | null): void {
  void old?.response.body?.cancel().catch(() => {});
}

function failureOf(
  attempt: Attempt,
  region: RegionInfo,
  facts: RequestFacts,
  instance: string,
): Held {
  if (attempt.kind === "response") return { region, response: attempt.response, fromRegion: true };
  const retried = facts.idempotent
    ? "No other region of its jurisdiction could take it; retry later."
    : "Not retried: a write without an Idempotency-Key may already have taken effect. Send one to make it safely retryable.";
  const timedOut = attempt.kind === "timeout";
  const response = problemResponse(
    new Problem(
      timedOut ? 504 : 502,
      timedOut ? "region-timeout" : "region-unreachable",
      timedOut ? "The region did not answer in time" : "The region could not be reached",
      `${region.region} ${timedOut ? "did not answer in time" : "could not be reached"}. ${retried}`,
      { region: region.region },
    ),
    instance,
  );
  return { region, response, fromRegion: false };
}

/** Whether a region's answer is its "not found" problem; hands back an unread copy. */
async function notFoundAnswer(
  response: Response,
): Promise<{ notFound: boolean; response: Response }> {
  if (response.status !== 404 && response.status !== 422) return { notFound: false, response };
  const text = await response.text();
  const parsed = jsonOf(new TextEncoder().encode(text));
  const notFound = isObject(parsed) && parsed.type === "urn:lifeline:problem:not-found";
  return {
    notFound,
    response: new Response(text, { status: response.status, headers: response.headers }),
  };
}

/** Reads a wrong-jurisdiction answer's jurisdiction and hands back an unread copy to pass on if it is not followed. */
async function misdirection(
  response: Response,
): Promise<{ named: string | undefined; response: Response }> {
  const text = await response.text();
  const parsed = jsonOf(new TextEncoder().encode(text));
  const named =
    isObject(parsed) && typeof parsed.jurisdiction === "string" ? parsed.jurisdiction : undefined;
  return {
    named,
    response: new Response(text, { status: response.status, headers: response.headers }),
  };
}

/**
 * Learns the account's jurisdiction from a successful answer before passing it on, so the
 * client's very next request (create a customer, then its contract) is already placed.
 */
async function learnFromAnswer(
  path: string,
  { accounts }: RouterState,
  facts: RequestFacts,
  region: RegionInfo,
  response: Response,
): Promise<void> {
  if (!response.ok) return;
  // A region refuses writes for accounts of other jurisdictions (409 wrong-jurisdiction), so one it accepted
  // belongs to its jurisdiction. Reads prove nothing: regions serve masked foreign copies.
  if (facts.write) accounts.learn(facts.scope, facts.accountId, region.jurisdiction);
  // Customer views carry `residency`. The API streams them without Content-Length, so a
  // copy is read up to a bound; past it the client gets the body unread and unlearned.
  const learnable =
    path.startsWith("/v1/customers") &&
    (response.headers.get("content-type") ?? "").includes("json") &&
    Number(response.headers.get("content-length") ?? 0) <= MAX_LEARN_BYTES;
  if (!learnable) return;
  const bytes = await readBounded(response.clone().body, MAX_LEARN_BYTES);
  accounts.learnFromCustomers(facts.scope, jsonOf(bytes));
}
