// Test fixtures shared by core's tests: events of one account as a region journals them,
// so a test spells out only what it is about (the HLC and the event's data).
import type { Actor, DomainEvent, EventData } from "../events.ts";
import { decodeHlc } from "../hlc.ts";

/**
 * A maker of `accountId`'s events at an encoded HLC: the region is the HLC's, the id is the
 * one a region's engine gives (`evt_<account>_<hlc>`, as receivers check it).
 */
export function envelopesFor(
  tenantId: string,
  accountId: string,
  actor: Actor = { kind: "system", id: "test" },
): (hlc: string, data: EventData) => DomainEvent {
  return (hlc, data) => ({
    v: 1,
    id: `evt_${accountId.slice(4)}_${hlc}`,
    tenantId,
    accountId,
    hlc,
    region: decodeHlc(hlc).region,
    actor,
    data,
  });
}
