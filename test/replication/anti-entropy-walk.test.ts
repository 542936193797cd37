// Anti-entropy's walk and wire without servers (replication/anti-entropy.ts): a requester
// and its peers as in-memory regions whose accounts are sets of events, the responder's
// real digest logic between them; then the signed call against stub answers. The real
// regions are in anti-entropy.test.ts.
import { describe, expect, test } from "vitest";
import { sha256Hex } from "../../core/index.ts";
import {
  answerDigestWith,
  callPeer,
  DIGEST_PAGE,
  DIGEST_PATH,
  DigestAnswerV1,
  type DigestRequestV1,
  JURISDICTION_SIGNATURE_HEADER,
  MAX_DIGEST_ACCOUNTS,
  PeerCallError,
  type PeerRepair,
  type RepairCursor,
  type RepairDeps,
  type RepairLimits,
  repairFromPeer,
  repairRound,
} from "../../replication/anti-entropy.ts";
import type { RegionInfo } from "../../replication/regions.ts";
import { keyRingOf, signRequest } from "../../replication/signing.ts";

type Account = { residency: string | null; events: Set<string> };

class FakeRegion {
  readonly accounts = new Map<string, Map<string, Account>>();
  readonly info: RegionInfo;
  /** Every region knows the tenants (seeded everywhere), whatever accounts it holds. */
  constructor(region: string, jurisdiction: string, tenants = ["ten_a"]) {
    this.info = { region, jurisdiction, url: `http://${region}.test` };
    for (const t of tenants) this.accounts.set(t, new Map());
  }
  put(tenantId: string, accountId: string, events: string[], residency: string | null = "cn") {
    const tenant = this.accounts.get(tenantId)!;
    const account = tenant.get(accountId) ?? { residency, events: new Set() };
    for (const e of events) account.events.add(e);
    tenant.set(accountId, account);
  }
  hashOf(tenantId: string, accountId: string): string | null {
    const a = this.accounts.get(tenantId)?.get(accountId);
    return a ? sha256Hex([...a.events].sort().join(",")) : null;
  }
  ids(tenantId: string): string[] {
    return [...(this.accounts.get(tenantId)?.keys() ?? [])].sort();
  }
}

const id = (n: number) => `acc_${String(n).padStart(26, "0")}`;
const LIMITS: RepairLimits = {
  deadlineMs: Number.MAX_SAFE_INTEGER,
  maxAccounts: 10_000,
  maxPulls: 10_000,
};
/** Events per pulled page here: small, so pulls page. */
const PULL_PAGE = 2;

type Wire = { digests: Array<{ request: DigestRequestV1; answer: unknown }>; down: Set<string> };

/** The requester's deps over fake regions, answering digests with the responder's real logic. */
function depsOf(
  self: FakeRegion,
  peers: FakeRegion[],
  wire: Wire = { digests: [], down: new Set() },
) {
  const byName = new Map(peers.map((p) => [p.info.region, p]));
  const deps: RepairDeps = {
    self: { region: self.info.region, jurisdiction: self.info.jurisdiction },
    tenants: async (after, limit) =>
      [...self.accounts.keys()]
        .sort()
        .filter((t) => t > after)
        .slice(0, limit),
    ownAccounts: async (tenantId, after, limit) =>
      self
        .ids(tenantId)
        .filter((a) => a > after)
        .slice(0, limit),
    ownEntry: async (tenantId, accountId) => {
      const hash = self.hashOf(tenantId, accountId);
      const residency = self.accounts.get(tenantId)?.get(accountId)?.residency ?? null;
      return hash === null ? null : { hash, residency };
    },
    digest: async (peer, request) => {
      if (wire.down.has(peer.region))
        throw new PeerCallError(peer.region, null, "connect ECONNREFUSED");
      const p = byName.get(peer.region)!;
      const answer = await answerDigestWith(
        {
          accounts: async (tenantId, after, through, limit) =>
            p
              .ids(tenantId)
              .filter((a) => a > after && (through === null || a <= through))
              .slice(0, limit),
          entry: async (tenantId, accountId) => ({
            hash: p.hashOf(tenantId, accountId)!,
            residency: p.accounts.get(tenantId)!.get(accountId)!.residency,
          }),
        },
        p.info.jurisdiction,
        request,
        self.info,
      );
      wire.digests.push({ request, answer });
      return { v: 1, re: "0".repeat(64), ...answer };
    },
    pull: async (peer, request) => {
      const events = [
        ...(byName.get(peer.region)!.accounts.get(request.tenantId)?.get(request.accountId)
          ?.events ?? []),
      ].sort();
      const page = events.slice(request.after, request.after + PULL_PAGE);
      const next = request.after + PULL_PAGE < events.length ? request.after + PULL_PAGE : null;
      return {
        v: 1,
        re: "0".repeat(64),
        batch: { tenantId: request.tenantId, accountId: request.accountId, events: page },
        next,
      };
    },
    apply: async (_peer, batch) => {
      const b = batch as { tenantId: string; accountId: string; events: string[] };
      const before = self.accounts.get(b.tenantId)?.get(b.accountId)?.events.size ?? 0;
      self.put(b.tenantId, b.accountId, b.events);
      return {
        applied: self.accounts.get(b.tenantId)!.get(b.accountId)!.events.size - before,
        quarantined: 0,
      };
    },
    nowMs: () => Date.now(),
  };
  return deps;
}

function agree(a: FakeRegion, b: FakeRegion, tenantId = "ten_a") {
  expect(a.ids(tenantId)).toEqual(b.ids(tenantId));
  for (const acc of a.ids(tenantId)) expect(a.hashOf(tenantId, acc)).toBe(b.hashOf(tenantId, acc));
}

describe("[LF3] the requester's walk", () => {
  test("a round pulls every account and event the peer holds that the requester lacks", async () => {
    const east = new FakeRegion("cn-east", "cn");
    const south = new FakeRegion("cn-south", "cn");
    for (let i = 0; i < 700; i++) {
      south.put("ten_a", id(i), [`e${i}a`, `e${i}b`, `e${i}c`]);
      if (i < 600)
        east.put("ten_a", id(i), i % 60 === 0 ? [`e${i}a`] : [`e${i}a`, `e${i}b`, `e${i}c`]);
    }
    const r = await repairFromPeer(depsOf(east, [south]), south.info, LIMITS, null);
    expect(r).toMatchObject({ reachable: true, complete: true, cursor: null, compared: 700 });
    expect(r.differing).toBe(110);
    expect(r.repaired).toBe(110);
    expect(r.events).toBe(100 * 3 + 10 * 2);
    agree(east, south);
  });

  test("equal pages are answered with one hash each, not account by account", async () => {
    const east = new FakeRegion("cn-east", "cn");
    const south = new FakeRegion("cn-south", "cn");
    for (let i = 0; i < DIGEST_PAGE * 2 + 10; i++)
      for (const r of [east, south]) r.put("ten_a", id(i), [`e${i}`]);
    const wire: Wire = { digests: [], down: new Set() };
    const r = await repairFromPeer(depsOf(east, [south], wire), south.info, LIMITS, null);
    expect(r.pages).toBe(3);
    expect(r.pagesEqual).toBe(3);
    expect(r.compared).toBe(DIGEST_PAGE * 2 + 10);
    expect(
      wire.digests.every((d) => (d.answer as { accounts?: unknown }).accounts === undefined),
    ).toBe(true);
  });

  test("a responder holding more than a page in the range answers a shorter one and the walk goes on", async () => {
    const east = new FakeRegion("cn-east", "cn");
    const south = new FakeRegion("cn-south", "cn");
    for (let i = 0; i < MAX_DIGEST_ACCOUNTS * 2 + 5; i++) south.put("ten_a", id(i), [`e${i}`]);
    const wire: Wire = { digests: [], down: new Set() };
    const r = await repairFromPeer(depsOf(east, [south], wire), south.info, LIMITS, null);
    expect(r.complete).toBe(true);
    expect(r.pages).toBe(3);
    expect(wire.digests.map((d) => (d.answer as { through: string | null }).through)).toEqual([
      id(MAX_DIGEST_ACCOUNTS - 1),
      id(MAX_DIGEST_ACCOUNTS * 2 - 1),
      null,
    ]);
    agree(east, south);
  });

  test("limits stop a round and the next one resumes where it stopped", async () => {
    const east = new FakeRegion("cn-east", "cn", ["ten_a", "ten_b"]);
    const south = new FakeRegion("cn-south", "cn", ["ten_a", "ten_b"]);
    for (const t of ["ten_a", "ten_b"])
      for (let i = 0; i < 10; i++) {
        south.put(t, id(i), [`${t}${i}x`, `${t}${i}y`]);
        east.put(t, id(i), [`${t}${i}x`]);
      }
    const deps = depsOf(east, [south]);
    let cursor: RepairCursor | null = null;
    const rounds: PeerRepair[] = [];
    for (let round = 0; round < 10; round++) {
      const r = await repairFromPeer(deps, south.info, { ...LIMITS, maxPulls: 3 }, cursor);
      rounds.push(r);
      cursor = r.cursor;
      if (r.complete) break;
    }
    expect(rounds.length).toBeGreaterThan(1);
    expect(rounds.at(-1)!.complete).toBe(true);
    expect(rounds.every((r) => r.pulled <= 3)).toBe(true);
    expect(rounds.reduce((n, r) => n + r.repaired, 0)).toBe(20);
    agree(east, south, "ten_a");
    agree(east, south, "ten_b");
  });

  test("an unreachable peer is skipped, keeps its cursor, and the other peer is repaired", async () => {
    const east = new FakeRegion("cn-east", "cn");
    const south = new FakeRegion("cn-south", "cn");
    const eu = new FakeRegion("eu-central", "eu");
    south.put("ten_a", id(1), ["s1"]);
    eu.put("ten_a", id(2), ["u1"], "eu");
    east.put("ten_a", id(0), ["x"]);
    const cursors = new Map<string, RepairCursor>([["cn-south", { tenantId: "ten_a", after: "" }]]);
    const wire: Wire = { digests: [], down: new Set(["cn-south"]) };
    const [toSouth, toEu] = await repairRound(
      depsOf(east, [south, eu], wire),
      [south.info, eu.info],
      LIMITS,
      cursors,
    );
    expect(toSouth).toMatchObject({ peer: "cn-south", reachable: false, complete: false });
    expect(cursors.get("cn-south")).toEqual({ tenantId: "ten_a", after: "" });
    expect(toEu).toMatchObject({
      peer: "eu-central",
      reachable: true,
      complete: true,
      repaired: 1,
    });
    expect(cursors.has("eu-central")).toBe(false);
    expect(east.hashOf("ten_a", id(2))).toBe(eu.hashOf("ten_a", id(2)));
  });

  test("a digest answer for another range is refused, not walked forever", async () => {
    const east = new FakeRegion("cn-east", "cn");
    const south = new FakeRegion("cn-south", "cn");
    south.put("ten_a", id(1), ["s1"]);
    const deps = depsOf(east, [south]);
    deps.digest = async () =>
      ({ v: 1, re: "0".repeat(64), through: "", equal: false, accounts: [] }) as never;
    const r = await repairFromPeer(deps, south.info, LIMITS, null);
    expect(r.complete).toBe(false);
    expect(r.error).toMatch(/another range/);
  });
});

describe("[LF4] a responder answers only for what it holds in full", () => {
  test("eu-central lists its own accounts to cn-east, never the cn accounts it holds masked", async () => {
    const eu = new FakeRegion("eu-central", "eu");
    eu.put("ten_a", id(1), ["eu1"], "eu");
    eu.put("ten_a", id(2), ["cn-masked"], "cn");
    eu.put("ten_a", id(3), ["unknown"], null);
    const request = {
      v: 1,
      from: "cn-east",
      to: "eu-central",
      tenantId: "ten_a",
      after: "",
      through: null,
      hash: "0".repeat(64),
      count: 0,
    } as const;
    const source = {
      accounts: async () => eu.ids("ten_a"),
      entry: async (_t: string, a: string) => ({
        hash: eu.hashOf("ten_a", a)!,
        residency: eu.accounts.get("ten_a")!.get(a)!.residency,
      }),
    };
    const abroad = await answerDigestWith(source, "eu", request, { jurisdiction: "cn" });
    expect(abroad.accounts?.map(([a]) => a)).toEqual([id(1)]);
    // Inside the jurisdiction, an account of unknown residency is compared too.
    const home = await answerDigestWith(
      source,
      "eu",
      { ...request, from: "eu-west" },
      { jurisdiction: "eu" },
    );
    expect(home.accounts?.map(([a]) => a)).toEqual([id(1), id(3)]);
  });
});

describe("[LF8] the signed call", () => {
  const ring = keyRingOf({
    REPLICATION_KEYS: JSON.stringify({ k1: "k".repeat(40) }),
    REPLICATION_KEY_ID: "k1",
  });
  const other = keyRingOf({
    REPLICATION_KEYS: JSON.stringify({ k1: "o".repeat(40) }),
    REPLICATION_KEY_ID: "k1",
  });
  const south: RegionInfo = { region: "cn-south", jurisdiction: "cn", url: "http://cn-south.test" };
  const eu: RegionInfo = { region: "eu-central", jurisdiction: "eu", url: "http://eu.test" };
  const request = {
    v: 1,
    from: "cn-east",
    to: "cn-south",
    tenantId: "ten_a",
    after: "",
    through: null,
    hash: "0".repeat(64),
    count: 0,
  };

  /** A fetcher answering `answer(requestBody)`, signed with `signer` (null: unsigned); records the request headers. */
  function peer(
    signer: typeof ring | null,
    answer: (body: string) => object,
    seen: Headers[] = [],
  ) {
    return (async (_url: string | URL | Request, init?: RequestInit) => {
      seen.push(new Headers(init?.headers));
      const text = JSON.stringify(answer(String(init?.body)));
      const headers = signer ? signRequest(signer, text, Date.now()) : {};
      return new Response(text, { status: 200, headers });
    }) as typeof fetch;
  }
  const config = (fetcher: typeof fetch) => ({
    ring,
    self: { region: "cn-east", jurisdiction: "cn" },
    jurisdictionKey: "j".repeat(64),
    maxAnswerBytes: 1 << 20,
    fetcher,
  });
  const good = (body: string) => ({ v: 1, re: sha256Hex(body), through: null, equal: true });

  test("a signed answer to this request is accepted", async () => {
    const answer = await callPeer(
      config(peer(ring, good)),
      south,
      DIGEST_PATH,
      request,
      DigestAnswerV1,
    );
    expect(answer.equal).toBe(true);
  });

  test("an unsigned answer, or one signed with another key, is refused", async () => {
    for (const signer of [null, other])
      await expect(
        callPeer(config(peer(signer, good)), south, DIGEST_PATH, request, DigestAnswerV1),
      ).rejects.toThrow(/not signed by a replication key/);
  });

  test("a signed answer to another request (a replay) is refused", async () => {
    const replayed = () => ({ v: 1, re: sha256Hex("another request"), through: null, equal: true });
    await expect(
      callPeer(config(peer(ring, replayed)), south, DIGEST_PATH, request, DigestAnswerV1),
    ).rejects.toThrow(/another request/);
  });

  test("[LF4] a request inside the jurisdiction carries the jurisdiction signature, one abroad does not", async () => {
    const seen: Headers[] = [];
    await callPeer(config(peer(ring, good, seen)), south, DIGEST_PATH, request, DigestAnswerV1);
    await callPeer(
      config(peer(ring, good, seen)),
      eu,
      DIGEST_PATH,
      { ...request, to: "eu-central" },
      DigestAnswerV1,
    );
    expect(seen[0]!.get(JURISDICTION_SIGNATURE_HEADER)).toMatch(/^[0-9a-f]{64}$/);
    expect(seen[1]!.get(JURISDICTION_SIGNATURE_HEADER)).toBeNull();
  });
});
