// The tenant's SLA policy as a change request's filing needs it (DESIGN §11): read from the
// tenant's GroupsDO within a budget [LF5]; when it does not answer, the defaults apply and
// the answer says so (`Lifeline-SLA-Policy`), as it does for a tenant without a policy or
// with one this build cannot read. The filing command carries the policy to the account.
import type { SlaSetting } from "../../../core/sla/tenant.ts";
import { groupsStub } from "../../../durable-objects/stubs.ts";
import { within } from "../../shared/timeout.ts";
import { header } from "../openapi.ts";

/** How long a filing waits for the tenant's settings before it files under the defaults. */
export const SLA_SETTING_TIMEOUT_MS = 1_000;

export const SLA_POLICY_HEADER = "lifeline-sla-policy";

/** The header a filing's first answer carries (a replay answers what the filing stored). */
export const SLA_POLICY_HEADERS = {
  "Lifeline-SLA-Policy": header(
    "On a new filing: the SLA policy its clock was set by — `tenant; version=N`, or `default; reason=unset|unreadable|unavailable` when the tenant has none, has one this build cannot read, or its settings did not answer in time",
  ),
};

/** The tenant's setting, or the defaults (reason `unavailable`) when its object does not answer. */
export async function slaSettingFor(env: Env, tenantId: string): Promise<SlaSetting> {
  try {
    // The RPC stub's promise type does not narrow on a union; the value is the plain setting.
    const read = groupsStub(env, tenantId).slaSetting() as unknown as Promise<SlaSetting>;
    const setting = await within(read, SLA_SETTING_TIMEOUT_MS);
    if (setting.source === "default" && setting.reason === "unreadable")
      console.warn(`tenant ${tenantId}: stored SLA policy unreadable; defaults apply`);
    return setting;
  } catch (err) {
    console.warn(
      `tenant ${tenantId}: SLA policy unavailable; defaults apply`,
      err instanceof Error ? err.message : err,
    );
    return { source: "default", policy: null, reason: "unavailable" };
  }
}

/** `tenant; version=3` or `default; reason=unset`. */
export function slaPolicyHeader(setting: SlaSetting): string {
  return setting.source === "tenant"
    ? `tenant; version=${setting.policy.version}`
    : `default; reason=${setting.reason}`;
}

/** Adds the header to a filing's answer, unless the answer is a replay of an earlier one. */
export function withSlaPolicyHeader(response: Response, setting: SlaSetting): Response {
  if (response.headers.get("idempotent-replayed") !== "true")
    response.headers.set(SLA_POLICY_HEADER, slaPolicyHeader(setting));
  return response;
}
