// The GroupsDO engine in Node over the libsql engine (the same SQLite semantics as the
// Durable Object): idempotent writes [LF2], refused writes that leave nothing, the outbox
// per peer with bounded backoff, pulls by page, and two regions that converge [LF3].
import { describe, expect, test } from "vitest";
import { groupsStateHash } from "../../core/groups/index.ts";
import { TenantSlaPolicy } from "../../core/sla/tenant.ts";
import { openLibsqlStore } from "../storage/libsql-store.ts";
import { GROUP_BATCH, GroupsEngine, type GroupsRequest } from "./engine.ts";

const TENANT = "ten_demo";
const G = "grp_00000000000000000000000001";

function engine(region: string, peers: string[], clock = { now: 1_700_000_000_000 }) {
  const store = openLibsqlStore();
  const e = new GroupsEngine(store, {
    region,
    peers,
    now: () => clock.now,
    random: () => 0.5,
  });
  return { e, store, clock };
}

let n = 0;
const req = (
  command: GroupsRequest["command"],
  key = `k-${n++}`,
  fingerprint = key,
): GroupsRequest => ({
  tenantId: TENANT,
  idempotencyKey: key,
  fingerprint,
  actor: { kind: "user", id: "usr_admin" },
  command,
});

describe("writes", () => {
  test("[LF2] the same key and request replays the first answer; another request under it is a mismatch", () => {
    const { e } = engine("cn-east", ["cn-south"]);
    const first = e.execute(
      req({ type: "group.create", groupId: G, name: "East" }, "key-1", "fp-1"),
    );
    expect(first).toMatchObject({
      kind: "response",
      replayed: false,
      outcome: { created: true, changed: true },
    });
    const again = e.execute(
      req({ type: "group.create", groupId: G, name: "East" }, "key-1", "fp-1"),
    );
    expect(again).toMatchObject({ kind: "response", replayed: true });
    expect(again.kind === "response" && first.kind === "response" && again.outcome.body).toBe(
      first.kind === "response" && first.outcome.body,
    );
    expect(
      e.execute(req({ type: "group.create", groupId: G, name: "West" }, "key-1", "fp-2")),
    ).toEqual({
      kind: "mismatch",
    });
    expect(e.journal()).toHaveLength(1);
  });

  test("a refused first command leaves no stored state; a refused later one no ledger entry", () => {
    const { e, store } = engine("cn-east", []);
    const refused = e.execute(
      req({ type: "member.set", groupId: G, userId: "usr_a", role: "sales-manager" }),
    );
    expect(refused).toMatchObject({
      kind: "rejected",
      error: { code: "not-found", entity: "group" },
    });
    const tables = store.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table'").toArray();
    expect(tables).toEqual([]);
    e.execute(req({ type: "group.create", groupId: G, name: "East" }));
    const bad = req(
      { type: "member.set", groupId: G, userId: "usr_a", role: "astronaut" },
      "bad-key",
    );
    expect(e.execute(bad)).toMatchObject({
      kind: "rejected",
      error: { code: "unprocessable", field: "role" },
    });
    const fixed = req(
      { type: "member.set", groupId: G, userId: "usr_a", role: "sales-manager" },
      "bad-key",
      "fixed",
    );
    expect(e.execute(fixed)).toMatchObject({ kind: "response", replayed: false });
  });

  test("a write that changes nothing records no event and says so", () => {
    const { e } = engine("cn-east", []);
    e.execute(req({ type: "group.create", groupId: G, name: "East" }));
    const same = e.execute(req({ type: "group.create", groupId: G, name: "East" }));
    expect(same).toMatchObject({
      kind: "response",
      outcome: { created: false, changed: false, eventIds: [] },
    });
  });

  test("a portal policy is published with a rising version; an older or equal version is refused", () => {
    const { e } = engine("cn-east", []);
    const publish = (version: number) =>
      e.execute(req({ type: "portal-policy.publish", version, document: { tiers: version } }));
    expect(publish(2)).toMatchObject({ kind: "response", outcome: { changed: true } });
    expect(publish(2)).toMatchObject({ kind: "rejected", error: { code: "invalid-state" } });
    expect(publish(1)).toMatchObject({ kind: "rejected", error: { code: "invalid-state" } });
    expect(e.current().portalPolicy).toMatchObject({ version: 2, document: { tiers: 2 } });
  });

  test("an SLA policy is published with a rising version and renders the policy in force; an older or equal version is refused", () => {
    const { e } = engine("cn-east", []);
    const publish = (version: number) =>
      e.execute(
        req({
          type: "sla-policy.publish",
          policy: TenantSlaPolicy.parse({ version, hoursByTier: { strategic: version } }),
        }),
      );
    const first = publish(2);
    expect(first).toMatchObject({ kind: "response", outcome: { changed: true } });
    if (first.kind !== "response") return;
    expect(JSON.parse(first.outcome.body)).toMatchObject({
      source: "tenant",
      version: 2,
      hoursByTier: { standard: 4, key: 4, strategic: 2 },
      calendars: { cn: { timeZone: "Asia/Shanghai" }, eu: { timeZone: "Europe/Berlin" } },
    });
    expect(publish(2)).toMatchObject({ kind: "rejected", error: { code: "invalid-state" } });
    expect(publish(1)).toMatchObject({ kind: "rejected", error: { code: "invalid-state" } });
    expect(e.current().slaPolicy).toMatchObject({ version: 2 });
  });

  test("state survives a restart: the journal is replayed into the same state", () => {
    const { e, store, clock } = engine("cn-east", []);
    e.execute(req({ type: "group.create", groupId: G, name: "East" }));
    e.execute(req({ type: "member.set", groupId: G, userId: "usr_a", role: "sales-manager" }));
    const again = new GroupsEngine(store, {
      region: "cn-east",
      peers: [],
      now: () => clock.now,
      random: () => 0,
    });
    expect(groupsStateHash(again.current())).toBe(groupsStateHash(e.current()));
  });
});

describe("replication", () => {
  test("[LF3] two regions that exchange their outboxes hold one state hash; a duplicate delivery counts once", () => {
    const east = engine("cn-east", ["cn-south"]).e;
    const south = engine("cn-south", ["cn-east"]).e;
    east.execute(req({ type: "group.create", groupId: G, name: "East" }));
    south.execute(req({ type: "roles.set", roles: ["sales-manager", "field-engineer"] }));
    for (const [from, to, peer] of [
      [east, south, "cn-south"],
      [south, east, "cn-east"],
    ] as const) {
      const batch = from.duePush(peer)!;
      expect(to.applyRemote(TENANT, batch.events)).toEqual({ applied: 1, duplicates: 0 });
      expect(to.applyRemote(TENANT, batch.events)).toEqual({ applied: 0, duplicates: 1 });
      from.acked(peer, batch.through);
    }
    expect(groupsStateHash(east.current())).toBe(groupsStateHash(south.current()));
    // Each holds the other's event now, but never sends it back to its origin.
    expect(east.duePush("cn-south")).toMatchObject({ events: [] });
    expect(east.outboxStatus()).toEqual({ pending: 0, nextPushMs: null });
  });

  test("a failed push waits with bounded exponential backoff, then is due again", () => {
    const { e, clock } = engine("cn-east", ["cn-south"]);
    e.execute(req({ type: "group.create", groupId: G, name: "East" }));
    const delays: number[] = [];
    for (let i = 0; i < 12; i++) {
      e.failed("cn-south", "unreachable");
      const next = e.outboxStatus().nextPushMs!;
      delays.push(next - clock.now);
      expect(e.duePush("cn-south")).toBeNull();
      clock.now = next;
      expect(e.duePush("cn-south")).not.toBeNull();
    }
    expect(delays[1]! / delays[0]!).toBeCloseTo(2, 1);
    expect(Math.max(...delays)).toBeLessThanOrEqual(60_000);
  });

  test("a batch and a pull page hold at most GROUP_BATCH events; pages continue from their cursor", () => {
    const { e } = engine("cn-east", ["cn-south"]);
    e.execute(req({ type: "group.create", groupId: G, name: "East" }));
    for (let i = 0; i < GROUP_BATCH + 5; i++)
      e.execute(req({ type: "group.rename", groupId: G, name: `East ${i}` }));
    const first = e.journalPage(0);
    expect(first.events).toHaveLength(GROUP_BATCH);
    expect(first.more).toBe(true);
    const second = e.journalPage(first.through);
    expect(second).toMatchObject({ more: false, through: GROUP_BATCH + 6 });
    expect(second.events).toHaveLength(6);
    expect(e.duePush("cn-south")!.events).toHaveLength(GROUP_BATCH);
  });

  test("events of another tenant are never merged into this one", () => {
    const east = engine("cn-east", ["cn-south"]).e;
    const south = engine("cn-south", ["cn-east"]).e;
    south.execute(req({ type: "group.create", groupId: G, name: "South" }));
    const events = south.duePush("cn-east")!.events.map((ev) => ({ ...ev, tenantId: "ten_other" }));
    expect(() => east.applyRemote(TENANT, events)).toThrow(/belongs to tenant ten_other/);
    expect(east.journal()).toEqual([]);
  });
});
