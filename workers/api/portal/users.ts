// Customer portal users' writes (DESIGN §11, §12), as account facts: a staff invitation
// (a one-time code handed out once, only its SHA-256 journaled) and its acceptance by the
// invited person (the password hashed by the credentials worker, never here, journaled in
// the user's account by the user as a `portal` actor). Every change is audited, without a
// code, a hash or the person's e-mail in the entry.
import type { Context } from "hono";
import { type Command, sha256Hex, type WriteOutcome } from "../../../core/index.ts";
import type { PortalLoginRow } from "../../../durable-objects/directory/index.ts";
import { auditStub } from "../../../durable-objects/stubs.ts";
import type { AppEnv } from "../env.ts";
import { Problem } from "../errors.ts";
import { executeAs } from "../lifeline.ts";

/** How long an invitation can be accepted. */
export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;
/** Random bytes of an invitation code (base64url: 43 characters). */
const CODE_BYTES = 32;

export type Invitation = { code: string; hash: string; expiresAt: string };

/** A fresh one-time code, its SHA-256 (all that is stored) and when it expires. */
export function newInvitation(nowMs: number): Invitation {
  const bytes = crypto.getRandomValues(new Uint8Array(CODE_BYTES));
  const code = btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
  return {
    code,
    hash: sha256Hex(code),
    expiresAt: new Date(nowMs + INVITATION_TTL_MS).toISOString(),
  };
}

export const invitationNotFound = () =>
  new Problem(
    404,
    "invitation-not-found",
    "Unknown, used or expired invitation",
    "Ask your contact at the vendor for a new invitation.",
  );

export type PortalUserAction = "invited" | "re-invited" | "activated" | "disabled" | "enabled";

/**
 * The `portal-user` audit entry of a write that changed something: who did what to which
 * user. Keyed by the account's version after the write, so a replay is the same entry.
 */
export async function auditPortalUser(
  c: Context<AppEnv>,
  write: { tenantId: string; accountId: string; userId: string; by: string },
  action: PortalUserAction,
  outcome: WriteOutcome,
): Promise<void> {
  if (outcome.changed === false) return;
  await auditStub(c.env).append({
    key: `portal-user/${write.tenantId}/${write.accountId}/${outcome.version}`,
    kind: "portal-user",
    detail: {
      tenantId: write.tenantId,
      customerId: write.accountId,
      userId: write.userId,
      action,
      by: write.by,
      hlc: outcome.version,
    },
  });
}

/**
 * The invited person accepts `invitationHash`'s invitation with `password`: hashed by the
 * credentials worker, then journaled in their account as their own write. The
 * Idempotency-Key is the invitation's (`portal-accept:<hash>`) and the request is the user
 * only, so an accept retried (with whatever password) is the first one: the password
 * chosen first stands. No longer open in the account (used, expired, disabled): 404.
 */
export async function activatePortalUser(
  c: Context<AppEnv>,
  user: PortalLoginRow,
  invitationHash: string,
  password: string,
): Promise<void> {
  let passwordHash: string;
  try {
    passwordHash = await c.env.CREDENTIALS.hash(password);
  } catch {
    throw new Problem(
      503,
      "credentials-unavailable",
      "The password could not be hashed in this region",
      "Nothing was changed; retry shortly or in another region of your jurisdiction.",
      {},
      { "retry-after": "5" },
    );
  }
  const command: Command = {
    type: "portal-user.activate",
    userId: user.id,
    invitationHash,
    passwordHash,
  };
  const caller = { tenantId: user.tenantId, actor: { kind: "portal" as const, id: user.id } };
  let outcome: WriteOutcome;
  try {
    ({ outcome } = await executeAs(
      c,
      caller,
      user.accountId,
      command,
      { userId: user.id },
      `portal-accept:${invitationHash}`,
    ));
  } catch (err) {
    if (err instanceof Problem && err.status === 404) throw invitationNotFound();
    throw err;
  }
  const write = { tenantId: user.tenantId, accountId: user.accountId, userId: user.id };
  await auditPortalUser(c, { ...write, by: user.id }, "activated", outcome);
}
