// A customer's portal users, the staff side (DESIGN §11, §12): staff invite a person of the
// customer (a one-time code, shown once), list them and disable them. Portal users are
// facts of their account (replicated with it inside its jurisdiction, masked abroad); each
// region's login index (DirectoryDO) is fed from the account. The invited person accepts
// and logs in through the portal's own routes (portal-auth.ts).
import { z } from "@hono/zod-openapi";
import {
  AccountId,
  type PortalUserView as PortalUser,
  PortalUserDisable,
  PortalUserId,
  PortalUserInvite,
  PortalUserView,
  portalUserIdFor,
} from "../../../core/index.ts";
import { accountStub } from "../../../durable-objects/stubs.ts";
import { notFound, Problem } from "../errors.ts";
import { accountIdKey, executeCommand, renderOutcome, requireIdempotencyKey } from "../lifeline.ts";
import { directory, rememberPortalTokenVersion } from "../middleware/auth.ts";
import { requireRole } from "../middleware/roles.ts";
import {
  bearerRoutes,
  IdempotencyHeaders,
  json,
  jsonBody,
  NoQuery,
  problem,
  READ_HEADERS,
  readProblems,
  writeProblems,
  written,
} from "../openapi.ts";
import { auditPortalUser, newInvitation } from "../portal/users.ts";
import { newRouter, raw } from "../router.ts";
import { served } from "./shared.ts";

export const portalUsers = newRouter();
const route = bearerRoutes("portal-users");

const CustomerParam = z.object({ id: AccountId });
const UserParams = z.object({ id: AccountId, userId: PortalUserId });
const location = (accountId: string, userId: string) =>
  `/v1/customers/${accountId}/portal-users/${userId}`;

const userNotFound = (id: string) =>
  new Problem(404, "not-found", "Portal user not found", `No portal user ${id} of this customer.`);

const Invited = z
  .object({
    user: PortalUserView,
    invitation: z
      .object({
        code: z.string().meta({
          description:
            "The one-time code to hand to the person (e.g. in a link to the portal's acceptance page); only its SHA-256 is stored",
        }),
        expiresAt: z.string(),
      })
      .nullable()
      .meta({
        description:
          "Only in the first answer to an Idempotency-Key: a replay answers `null` (the code is not stored, so it cannot be read again); invite again for a new code",
      }),
  })
  .meta({ id: "PortalUserInvited" });

const invite = route({
  method: "post",
  path: "/v1/customers/{id}/portal-users",
  operationId: "invitePortalUser",
  summary: "Invite a person of the customer to the portal (or invite them again)",
  description:
    "The answer carries a one-time code valid for 7 days; the person chooses a password with it (`POST /v1/portal/auth/accept`) and then logs in with their e-mail. Inviting the same e-mail again is the same user with a new code (200): the pending code stops working, and a password reset works the same way. The code is in the first answer only (replays say `invitation: null`). One e-mail is one portal user in a region: an e-mail a portal user of another customer logs in with is `email-taken` (409). Admins, managers and reps; audited.",
  middleware: [requireRole("admin", "manager", "rep")] as const,
  request: {
    headers: IdempotencyHeaders,
    params: CustomerParam,
    query: NoQuery,
    body: jsonBody(PortalUserInvite),
  },
  responses: {
    201: written(Invited, "Invited"),
    200: written(Invited, "Invited again: a new code replaces the pending one"),
    ...writeProblems,
    403: problem("Not an admin, manager or rep (an integrator key)"),
    404: readProblems[404],
    409: problem(
      "The e-mail is taken (`email-taken`), the user is disabled, the same Idempotency-Key is in flight, or the account lives in another jurisdiction",
    ),
  },
});

portalUsers.openapi(invite, async (c) => {
  const key = requireIdempotencyKey(c);
  const { id } = c.req.valid("param");
  const input = c.req.valid("json");
  const p = c.get("principal");
  // One e-mail is one login in the region's index, whatever the tenant.
  const indexed = await directory(c.env).portalUserByEmail(input.email);
  if (indexed && (indexed.tenantId !== p.tenantId || indexed.accountId !== id))
    throw new Problem(
      409,
      "email-taken",
      "E-mail already used by another portal user",
      "A portal user of another customer logs in with this e-mail; each person has one portal login.",
      { errors: [{ field: "email", pointer: "#/email", message: "already used for the portal" }] },
    );
  const userId = portalUserIdFor(id, input.email, accountIdKey(c.env, c.env.JURISDICTION));
  const invitation = newInvitation(Date.now());
  const command = {
    type: "portal-user.invite" as const,
    userId,
    email: input.email,
    name: input.name,
    invitationHash: invitation.hash,
    invitationExpiresAt: invitation.expiresAt,
  };
  const { outcome, replayed, degraded } = await executeCommand(c, id, command, input, key);
  const user = JSON.parse(outcome.body) as PortalUser;
  await auditPortalUser(
    c,
    { tenantId: p.tenantId, accountId: id, userId: user.id, by: p.id },
    outcome.created ? "invited" : "re-invited",
    outcome,
  );
  const body = {
    user,
    invitation: replayed ? null : { code: invitation.code, expiresAt: invitation.expiresAt },
  };
  const res = renderOutcome(outcome, replayed, degraded, {
    body: JSON.stringify(body),
    location: location(id, user.id),
  });
  // The first answer carries a secret: no cache keeps it.
  res.headers.set("cache-control", "no-store");
  return raw(res);
});

const Users = z
  .object({
    items: z.array(PortalUserView),
    masked: z.literal(true).optional().meta({
      description:
        "Present (true) when this region is outside the customer's jurisdiction: e-mails and names are withheld (null)",
    }),
  })
  .meta({ id: "PortalUserList" });

const list = route({
  method: "get",
  path: "/v1/customers/{id}/portal-users",
  operationId: "listPortalUsers",
  summary: "A customer's portal users, by e-mail (authoritative)",
  middleware: [requireRole("admin", "manager", "rep")] as const,
  request: { params: CustomerParam, query: NoQuery },
  responses: {
    200: { ...json(Users, "The customer's portal users"), headers: READ_HEADERS },
    ...readProblems,
    403: problem("Not an admin, manager or rep (an integrator key)"),
  },
});

portalUsers.openapi(list, async (c) => {
  const { id } = c.req.valid("param");
  const stub = accountStub(c.env, c.get("principal").tenantId, id);
  const [items, residency] = await Promise.all([stub.portalUsers(), stub.getResidency()]);
  if (residency === null) throw notFound("Customer", id);
  return c.json(served(c, { items }, residency), 200);
});

const get = route({
  method: "get",
  path: "/v1/customers/{id}/portal-users/{userId}",
  operationId: "getPortalUser",
  summary: "One portal user of a customer (the Location of an invitation)",
  middleware: [requireRole("admin", "manager", "rep")] as const,
  request: { params: UserParams, query: NoQuery },
  responses: {
    200: { ...json(PortalUserView, "The portal user"), headers: READ_HEADERS },
    ...readProblems,
    403: problem("Not an admin, manager or rep (an integrator key)"),
  },
});

portalUsers.openapi(get, async (c) => {
  const { id, userId } = c.req.valid("param");
  const stub = accountStub(c.env, c.get("principal").tenantId, id);
  const [items, residency] = await Promise.all([stub.portalUsers(), stub.getResidency()]);
  const user = items.find((u) => u.id === userId);
  if (!user) throw userNotFound(userId);
  return c.json(served(c, user, residency), 200);
});

const disable = route({
  method: "post",
  path: "/v1/customers/{id}/portal-users/{userId}/disable",
  operationId: "disablePortalUser",
  summary: "Disable a portal user (or enable them again with `disabled: false`)",
  description:
    "A disabled user cannot log in or accept an invitation, and their sessions end (at once in this region's isolate that answers, within 30 s in the others; in the other regions of the jurisdiction once the fact has reached them). Setting what is already set changes nothing. Admins and managers; audited.",
  middleware: [requireRole("admin", "manager")] as const,
  request: {
    headers: IdempotencyHeaders,
    params: UserParams,
    query: NoQuery,
    body: jsonBody(PortalUserDisable),
  },
  responses: {
    200: written(PortalUserView, "The portal user as it is now"),
    ...writeProblems,
    403: problem("Not an admin or manager"),
    404: readProblems[404],
  },
});

portalUsers.openapi(disable, async (c) => {
  const key = requireIdempotencyKey(c);
  const { id, userId } = c.req.valid("param");
  const input = c.req.valid("json");
  const p = c.get("principal");
  const command = { type: "portal-user.disable" as const, userId, disabled: input.disabled };
  const { outcome, replayed, degraded } = await executeCommand(c, id, command, input, key);
  const write = { tenantId: p.tenantId, accountId: id, userId, by: p.id };
  await auditPortalUser(c, write, input.disabled ? "disabled" : "enabled", outcome);
  if (input.disabled) rememberPortalTokenVersion(p.tenantId, userId, null);
  return raw(renderOutcome(outcome, replayed, degraded, { location: location(id, userId) }));
});
