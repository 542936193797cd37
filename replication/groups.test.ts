// [LF8] Every group event a peer sends is checked on its own: a malformed one, another
// tenant's, one from a region outside the topology or from a clock far ahead is
// quarantined with its rule, and never blocks the valid events of its batch.
import { describe, expect, test } from "vitest";
import { type GroupEvent, groupEventId } from "../core/groups/index.ts";
import { encodeHlc } from "../core/hlc.ts";
import { checkGroupEvents } from "./groups.ts";

const NOW = 1_700_000_000_000;

function event(over: Partial<GroupEvent> = {}, wallMs = NOW, region = "cn-south"): GroupEvent {
  const hlc = encodeHlc({ wallMs, counter: 0, region });
  return {
    v: 1,
    id: groupEventId(hlc),
    tenantId: "ten_demo",
    hlc,
    region,
    actor: { kind: "user", id: "usr_admin" },
    data: { type: "group.created", groupId: "grp_00000000000000000000000001", name: "East" },
    ...over,
  };
}

const ctx = {
  from: "cn-south",
  tenantId: "ten_demo",
  knownRegion: (r: string) => ["cn-east", "cn-south"].includes(r),
  nowMs: NOW,
};

describe("[LF8] received group events", () => {
  test("[LF8] each bad event is quarantined under its rule; the good ones in the same batch pass", () => {
    const good = event();
    const { valid, quarantined } = checkGroupEvents(
      [
        { ...event({}, NOW + 1), data: { type: "group.created", groupId: "nope", name: "X" } },
        event({ tenantId: "ten_other" }, NOW + 2),
        event({}, NOW + 3, "mars-1"),
        event({}, NOW + 60 * 60_000),
        { ...event({}, NOW + 4), id: "gev_forged" },
        "not an event",
        good,
      ],
      ctx,
    );
    expect(valid).toEqual([good]);
    expect(quarantined.map((q) => q.rule)).toEqual([
      "schema",
      "tenant",
      "origin",
      "clock-skew",
      "schema",
      "schema",
    ]);
    expect(quarantined.every((q) => q.reason.startsWith("group event: "))).toBe(true);
    expect(quarantined[1]).toMatchObject({ tenantId: "ten_other", from: "cn-south" });
  });

  test("[LF8] an event whose HLC names another region than its origin is refused", () => {
    const e = event();
    const { valid, quarantined } = checkGroupEvents([{ ...e, region: "cn-east" }], ctx);
    expect(valid).toEqual([]);
    expect(quarantined[0]?.rule).toBe("schema");
  });
});
