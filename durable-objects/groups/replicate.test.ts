// Replication rounds of GroupsDO engines wired by an in-memory transport: a region that was
// down catches up by pulling since its cursor in bounded pages [LF3]; a peer that cannot
// be reached backs off without holding up the others; every pulled event is checked and a
// bad one quarantined [LF8].
import { describe, expect, test } from "vitest";
import { type GroupEvent, groupsStateHash } from "../../core/groups/index.ts";
import type { QuarantineEntry } from "../../replication/receive.ts";
import { openLibsqlStore } from "../storage/libsql-store.ts";
import { GROUP_BATCH, GroupsEngine, type GroupsRequest } from "./engine.ts";
import { type GroupsTransport, MAX_PULL_PAGES, pullRound, pushRound } from "./replicate.ts";

const TENANT = "ten_demo";
const G = "grp_00000000000000000000000001";
const REGIONS = ["cn-east", "cn-south", "eu-central"];
const clock = { now: 1_700_000_000_000 };

const engines = new Map<string, GroupsEngine>();
function region(name: string): GroupsEngine {
  const e = new GroupsEngine(openLibsqlStore(), {
    region: name,
    peers: REGIONS.filter((r) => r !== name),
    now: () => clock.now,
    random: () => 0.5,
  });
  engines.set(name, e);
  return e;
}

/** Calls between engines in memory; regions in `down` answer nothing. */
function transport(
  self: string,
  down: Set<string>,
  quarantined: QuarantineEntry[] = [],
): GroupsTransport {
  const reach = (peer: string) => {
    if (down.has(peer) || down.has(self)) throw new Error(`${peer} unreachable`);
    return engines.get(peer)!;
  };
  return {
    push: async (peer, tenantId, events) => {
      reach(peer).applyRemote(tenantId, events);
    },
    pull: async (peer, _tenantId, after) => {
      const page = reach(peer).journalPage(after);
      return { events: page.events as unknown[], through: page.through, more: page.more };
    },
    quarantine: async (entries) => {
      quarantined.push(...entries);
    },
  };
}

let n = 0;
const req = (command: GroupsRequest["command"]): GroupsRequest => ({
  tenantId: TENANT,
  idempotencyKey: `k-${n++}`,
  fingerprint: `f-${n}`,
  actor: { kind: "user", id: "usr_admin" },
  command,
});

const known = { knownRegion: (r: string) => REGIONS.includes(r), nowMs: () => clock.now };
const peersOf = (self: string) => REGIONS.filter((r) => r !== self);

describe("replication rounds", () => {
  test("[LF3] a region that was down pulls what it missed since its cursor, in bounded pages, and converges", async () => {
    engines.clear();
    const east = region("cn-east");
    const south = region("cn-south");
    region("eu-central");
    east.execute(req({ type: "group.create", groupId: G, name: "East" }));
    const writes = GROUP_BATCH * MAX_PULL_PAGES + 50;
    for (let i = 0; i < writes; i++)
      east.execute(req({ type: "group.rename", groupId: G, name: `East ${i}` }));
    // cn-south is down while cn-east writes: its pushes fail and back off.
    await pushRound(east, peersOf("cn-east"), TENANT, transport("cn-east", new Set(["cn-south"])));
    expect(south.journal()).toHaveLength(0);
    expect(east.duePush("cn-south")).toBeNull(); // backing off
    expect(east.duePush("eu-central")).not.toBeNull(); // more than one round's batches: due again

    // Back up: one round takes at most MAX_PULL_PAGES pages and says there is more.
    const first = await pullRound(
      south,
      ["cn-east"],
      TENANT,
      transport("cn-south", new Set()),
      known,
    );
    expect(first).toMatchObject({ applied: GROUP_BATCH * MAX_PULL_PAGES, more: true, failed: [] });
    const second = await pullRound(
      south,
      ["cn-east"],
      TENANT,
      transport("cn-south", new Set()),
      known,
    );
    expect(second).toMatchObject({ applied: 51, more: false });
    expect(groupsStateHash(south.current())).toBe(groupsStateHash(east.current()));
    // Pulled again from the same cursor: nothing new.
    expect(
      (await pullRound(south, ["cn-east"], TENANT, transport("cn-south", new Set()), known))
        .applied,
    ).toBe(0);
  });

  test("[LF3] one unreachable peer does not hold up the others; events received are forwarded onward", async () => {
    engines.clear();
    const east = region("cn-east");
    const south = region("cn-south");
    const eu = region("eu-central");
    east.execute(req({ type: "group.create", groupId: G, name: "East" }));
    await pushRound(
      east,
      peersOf("cn-east"),
      TENANT,
      transport("cn-east", new Set(["eu-central"])),
    );
    expect(south.journal()).toHaveLength(1);
    expect(eu.journal()).toHaveLength(0);
    // cn-south forwards what it received from cn-east to eu-central (never back to cn-east).
    expect(south.duePush("cn-east")?.events ?? []).toEqual([]);
    await pushRound(south, peersOf("cn-south"), TENANT, transport("cn-south", new Set()));
    expect(groupsStateHash(eu.current())).toBe(groupsStateHash(east.current()));
  });

  test("[LF8] a pulled event that fails its checks is quarantined and the rest of the page applied", async () => {
    engines.clear();
    const south = region("cn-south");
    const east = region("cn-east");
    east.execute(req({ type: "group.create", groupId: G, name: "East" }));
    const good = east.journal()[0]!;
    const quarantined: QuarantineEntry[] = [];
    const forged: GroupEvent = { ...good, tenantId: "ten_other" };
    const evil: GroupsTransport = {
      ...transport("cn-south", new Set(), quarantined),
      pull: async () => ({ events: [forged, good], through: 2, more: false }),
    };
    const report = await pullRound(south, ["cn-east"], TENANT, evil, known);
    expect(report).toMatchObject({ applied: 1, quarantined: 1 });
    expect(quarantined[0]).toMatchObject({ rule: "tenant", from: "cn-east" });
    expect(south.journal()).toEqual([good]);
  });

  test("a pull whose cursor goes back is refused as a failure, nothing applied", async () => {
    engines.clear();
    const south = region("cn-south");
    region("cn-east");
    south.execute(req({ type: "group.create", groupId: G, name: "South" }));
    south.setPulled("cn-east", 10);
    const back: GroupsTransport = {
      ...transport("cn-south", new Set()),
      pull: async () => ({ events: [], through: 3, more: false }),
    };
    const report = await pullRound(south, ["cn-east"], TENANT, back, known);
    expect(report.failed[0]).toContain("went back");
  });
});
