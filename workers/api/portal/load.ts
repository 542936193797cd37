// Loading what a portal answer is built from: the account's snapshot from its AccountDO
// (authoritative, read-your-writes) and the tenant's published visibility policy from its
// GroupsDO (the default policy until a tenant publishes one). A stored policy that no
// longer parses falls back to the default, which shows less, never more, than a broken
// document might: the fail-safe direction for a customer-facing view.
import type { Context } from "hono";
import { DEFAULT_PORTAL_POLICY, PortalPolicy } from "../../../core/portal/policy.ts";
import { accountStub, groupsStub } from "../../../durable-objects/stubs.ts";
import type { AppEnv } from "../env.ts";
import { Problem } from "../errors.ts";
import { PortalAccount } from "./records.ts";

/** The tenant's portal policy and where it came from. */
export async function portalPolicyOf(
  env: Env,
  tenantId: string,
): Promise<{ policy: PortalPolicy; source: "tenant" | "default" }> {
  const stored = await groupsStub(env, tenantId).portalPolicy();
  if (!stored) return { policy: DEFAULT_PORTAL_POLICY, source: "default" };
  const parsed = PortalPolicy.safeParse(JSON.parse(stored.document));
  if (parsed.success) return { policy: parsed.data, source: "tenant" };
  console.error(`tenant ${tenantId}: portal policy v${stored.version} no longer parses; default`);
  return { policy: DEFAULT_PORTAL_POLICY, source: "default" };
}

export async function loadPortalAccount(
  c: Context<AppEnv>,
  accountId: string,
): Promise<PortalAccount> {
  const { tenantId } = c.get("principal");
  const [snapshot, { policy }] = await Promise.all([
    accountStub(c.env, tenantId, accountId).portalSnapshot(),
    portalPolicyOf(c.env, tenantId),
  ]);
  // A portal user's account always exists where the user can log in; a region that has
  // not received it yet answers as a lifeline read would.
  if (!snapshot)
    throw new Problem(
      503,
      "account-not-here-yet",
      "Your account is not available in this region yet",
      "Try again in a moment.",
      {},
      { "retry-after": "2" },
    );
  return new PortalAccount(policy, snapshot, Date.now());
}
