// The customer portal's own login (DESIGN §11, §12): a customer user, invited by the
// customer's success group, accepts the invitation with a password and then logs in to a
// session of the portal audience, bound to one customer account. The session opens only
// /v1/portal/*; staff sessions and API keys do not open the portal's routes either.
// Logins share the staff login's rate limits (per address, per e-mail, growing lockouts). A
// login, like every authenticated portal request, notes the user's day of portal use.
import { createRoute, z } from "@hono/zod-openapi";
import { sign } from "hono/jwt";
import { sha256Hex } from "../../../core/index.ts";
import { Problem } from "../errors.ts";
import {
  authenticatePortal,
  directory,
  PORTAL_AUDIENCE,
  rememberPortalTokenVersion,
  TOKEN_ISSUER,
} from "../middleware/auth.ts";
import { notePortalActivity } from "../middleware/portal-activity.ts";
import {
  loginAddressLimit,
  loginEmailGate,
  loginOutcome,
  rateLimit,
} from "../middleware/rate-limit.ts";
import { json, jsonBody, ProblemSchema } from "../openapi.ts";
import { activatePortalUser } from "../portal/users.ts";
import { newRouter } from "../router.ts";
import { checkPassword } from "./auth.ts";

/** A customer's session is shorter than a rep's working day. */
const PORTAL_SESSION_TTL_S = 8 * 60 * 60;
export const MIN_PORTAL_PASSWORD = 10;

export const portalAuth = newRouter();

const problem = (description: string) => ({
  content: { "application/problem+json": { schema: ProblemSchema } },
  description,
});

const PortalLogin = z
  .strictObject({ email: z.email().max(254), password: z.string().min(1).max(1024) })
  .meta({ id: "PortalLogin" });
const PortalSession = z
  .object({
    token: z.string(),
    tokenType: z.literal("Bearer"),
    expiresAt: z.string(),
    user: z.object({
      id: z.string(),
      name: z.string(),
      accountId: z.string(),
      tenantId: z.string(),
    }),
  })
  .meta({ id: "PortalSession" });

portalAuth.use("/v1/portal/auth/login", loginAddressLimit());
portalAuth.use("/v1/portal/auth/accept", loginAddressLimit());

portalAuth.openapi(
  createRoute({
    method: "post",
    path: "/v1/portal/auth/login",
    operationId: "portalLogin",
    tags: ["portal"],
    summary: "Log a customer's portal user in",
    request: { body: jsonBody(PortalLogin) },
    responses: {
      200: json(PortalSession, "A portal session token (audience lifeline-portal)"),
      400: problem("Invalid body"),
      401: problem("Wrong e-mail or password, or the invitation was not accepted yet"),
      429: problem("Too many logins; see `Retry-After`"),
      503: problem("The password check could not run in this region"),
    },
  }),
  async (c) => {
    const { email, password } = c.req.valid("json");
    await loginEmailGate(c.env, email);
    const user = await directory(c.env).portalUserByEmail(email);
    const usable = user && !user.disabled ? user : null;
    // An unknown, disabled or not yet activated user is checked against the dummy hash:
    // the same cost, so timing does not tell who has a portal account.
    const ok = await checkPassword(c.env, password, usable?.passwordHash ?? null);
    await loginOutcome(c, email, ok && usable !== null);
    if (!ok || !usable) throw new Problem(401, "unauthorized", "Wrong e-mail or password");
    // A login is portal use: the day counts toward the customer's portal activity.
    notePortalActivity(c, {
      tenantId: usable.tenantId,
      accountId: usable.accountId,
      userId: usable.id,
    });
    const exp = Math.floor(Date.now() / 1000) + PORTAL_SESSION_TTL_S;
    const token = await sign(
      {
        iss: TOKEN_ISSUER,
        aud: PORTAL_AUDIENCE,
        sub: usable.id,
        tid: usable.tenantId,
        acc: usable.accountId,
        ver: usable.tokenVersion,
        exp,
      },
      c.env.AUTH_TOKEN_SECRET,
      "HS256",
    );
    return c.json(
      {
        token,
        tokenType: "Bearer" as const,
        expiresAt: new Date(exp * 1000).toISOString(),
        user: {
          id: usable.id,
          name: usable.name,
          accountId: usable.accountId,
          tenantId: usable.tenantId,
        },
      },
      200,
    );
  },
);

const Accept = z
  .strictObject({
    code: z.string().regex(/^[A-Za-z0-9_-]{32,64}$/, "must be the invitation's code"),
    password: z.string().min(MIN_PORTAL_PASSWORD).max(1024),
  })
  .meta({ id: "PortalAcceptInvitation" });

portalAuth.openapi(
  createRoute({
    method: "post",
    path: "/v1/portal/auth/accept",
    operationId: "portalAcceptInvitation",
    tags: ["portal"],
    summary: "Accept a portal invitation by choosing a password",
    description: `The code comes from the invitation the customer's success group sent. A password has at least ${MIN_PORTAL_PASSWORD} characters. A code works once: used, expired or unknown, it is a 404 (ask for a new invitation).`,
    request: { body: jsonBody(Accept) },
    responses: {
      204: { description: "The user can log in now" },
      400: problem("Invalid body"),
      404: problem("Unknown, used or expired invitation"),
      429: problem("Too many attempts; see `Retry-After`"),
      503: problem("The password could not be hashed or stored in this region; retry"),
    },
  }),
  async (c) => {
    const { code, password } = c.req.valid("json");
    const invitationHash = sha256Hex(code);
    const user = await directory(c.env).portalUserByInvitation(invitationHash);
    const expired =
      !user?.invitationExpiresAt || Date.parse(user.invitationExpiresAt) <= Date.now();
    if (!user || user.disabled || expired)
      throw new Problem(
        404,
        "invitation-not-found",
        "Unknown, used or expired invitation",
        "Ask your contact at the vendor for a new invitation.",
      );
    await activatePortalUser(c, user, invitationHash, password);
    return c.body(null, 204);
  },
);

portalAuth.use("/v1/portal/auth/logout", authenticatePortal(), rateLimit());

portalAuth.openapi(
  createRoute({
    method: "post",
    path: "/v1/portal/auth/logout",
    operationId: "portalLogout",
    tags: ["portal"],
    summary: "End every portal session of the calling user",
    security: [{ bearer: [] }],
    responses: { 204: { description: "Sessions ended" }, 401: problem("No valid portal session") },
  }),
  async (c) => {
    const p = c.get("principal");
    const version = await directory(c.env).revokePortalSessions(p.tenantId, p.id);
    rememberPortalTokenVersion(p.tenantId, p.id, version);
    return c.body(null, 204);
  },
);
