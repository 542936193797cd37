// Survival goals per lifeline command (DESIGN §2, write path step 4): `zone` acks after the
// local commit; `region` only once another region of the same jurisdiction holds the
// events; on a missed deadline `strict` fails (503, retry) and `degrade` acks as local.
import type { Command } from "./account/decide.ts";

export type SurvivalPolicy = { goal: "zone" | "region"; onDeadline: "strict" | "degrade" };

export const SURVIVAL_POLICIES: Record<Command["type"], SurvivalPolicy> = {
  "customer.create": { goal: "region", onDeadline: "degrade" },
  // Ownership decides whose list a customer is in, not money or law: like the customer.
  "customer.assign-owner": { goal: "region", onDeadline: "degrade" },
  "contract.create": { goal: "region", onDeadline: "degrade" },
  "contract.send": { goal: "region", onDeadline: "degrade" },
  "contract.sign": { goal: "region", onDeadline: "strict" },
  "payment.confirm": { goal: "region", onDeadline: "strict" },
};

export const DEFAULT_SURVIVAL_DEADLINE_MS = 1_000;
