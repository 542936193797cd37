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
  // Delivery and service facts (DESIGN §11) are worth a second region but are neither money
  // received nor a signature: like the customer, they degrade rather than fail. An invoice
  // is a claim, not money; a change request's answer is a promise the customer then accepts.
  "contract.set-terms": { goal: "region", onDeadline: "degrade" },
  "delivery.set-milestone": { goal: "region", onDeadline: "degrade" },
  "invoice.issue": { goal: "region", onDeadline: "degrade" },
  "service.open": { goal: "region", onDeadline: "degrade" },
  "service.resolve": { goal: "region", onDeadline: "degrade" },
  "change.file": { goal: "region", onDeadline: "degrade" },
  "change.set-checklist": { goal: "region", onDeadline: "degrade" },
  "change.answer": { goal: "region", onDeadline: "degrade" },
  "change.respond": { goal: "region", onDeadline: "degrade" },
  "change.withdraw": { goal: "region", onDeadline: "degrade" },
  // Portal users (DESIGN §11, §12): like the customer, worth a second region (a login must
  // survive the loss of this one), never worth refusing the invitation or the acceptance.
  "portal-user.invite": { goal: "region", onDeadline: "degrade" },
  "portal-user.activate": { goal: "region", onDeadline: "degrade" },
  "portal-user.disable": { goal: "region", onDeadline: "degrade" },
  // Engagement facts noted in the background (the CHI's portal activity and call sentiment):
  // nobody waits for them and a lost one costs a day's or a call's weight in a score, so
  // the local commit is enough.
  "portal-user.note-active": { goal: "zone", onDeadline: "degrade" },
  "call.record-sentiment": { goal: "zone", onDeadline: "degrade" },
};

export const DEFAULT_SURVIVAL_DEADLINE_MS = 1_000;
