// /v1/auth/login and /v1/auth/logout: a rep exchanges e-mail and password for a signed
// session token (HS256, 12 h, carrying the user's token version), accepted by every region
// that shares AUTH_TOKEN_SECRET; logout bumps the version, ending every earlier session.
// The password is checked by the credentials worker (workers/credentials), off this
// isolate; DirectoryDO only hands over the stored row.
import { createRoute, z } from "@hono/zod-openapi";
import { sign } from "hono/jwt";
import { Problem } from "../errors.ts";
import { authenticate, directory, rememberTokenVersion, TOKEN_ISSUER } from "../middleware/auth.ts";
import {
  loginAddressLimit,
  loginEmailGate,
  loginOutcome,
  rateLimit,
} from "../middleware/rate-limit.ts";
import { json, jsonBody, ProblemSchema } from "../openapi.ts";
import { newRouter } from "../router.ts";

const SESSION_TTL_S = 12 * 60 * 60;

export const auth = newRouter();

const Login = z
  .strictObject({ email: z.email().max(254), password: z.string().min(1).max(1024) })
  .meta({ id: "Login" });
const Session = z
  .object({
    token: z.string(),
    tokenType: z.literal("Bearer"),
    expiresAt: z.string(),
    user: z.object({ id: z.string(), name: z.string(), role: z.string(), tenantId: z.string() }),
  })
  .meta({ id: "Session" });

const problem = (description: string) => ({
  content: { "application/problem+json": { schema: ProblemSchema } },
  description,
});

const loginRoute = createRoute({
  method: "post",
  path: "/v1/auth/login",
  operationId: "login",
  tags: ["auth"],
  summary: "Log a rep in",
  request: { body: jsonBody(Login) },
  responses: {
    200: json(Session, "A session token for `Authorization: Bearer`"),
    400: problem("Invalid body"),
    401: problem("Wrong e-mail or password"),
    429: {
      ...problem(
        "Too many logins from this address or for this e-mail, or too many recent failures for it; see `Retry-After`",
      ),
      headers: { "Retry-After": { schema: { type: "integer" }, description: "Seconds to wait" } },
    },
    503: problem(
      "The password check could not run in this region (`credentials-unavailable`); retry after `Retry-After` seconds",
    ),
  },
});

/** A password check in the credentials worker; unreachable, the login is a 503, never a 401. */
export async function checkPassword(env: Env, password: string, stored: string | null) {
  try {
    return await env.CREDENTIALS.verify(password, stored);
  } catch {
    throw new Problem(
      503,
      "credentials-unavailable",
      "Logins are unavailable in this region",
      "The password check could not run; try again shortly or in another region of your jurisdiction.",
      {},
      { "retry-after": "5" },
    );
  }
}

// The address's budget is checked before the body is even read.
auth.use("/v1/auth/login", loginAddressLimit());

auth.openapi(loginRoute, async (c) => {
  const { email, password } = c.req.valid("json");
  await loginEmailGate(c.env, email);
  const user = await directory(c.env).userByEmail(email);
  // Checked in the credentials worker, off this isolate. An unknown e-mail is checked
  // against a dummy hash there: the same cost, so timing does not reveal who has an account.
  const ok = await checkPassword(c.env, password, user?.passwordHash ?? null);
  await loginOutcome(c, email, ok && user !== null);
  if (!ok || !user) throw new Problem(401, "unauthorized", "Wrong e-mail or password");
  const exp = Math.floor(Date.now() / 1000) + SESSION_TTL_S;
  const token = await sign(
    {
      iss: TOKEN_ISSUER,
      sub: user.id,
      tid: user.tenantId,
      role: user.role,
      ver: user.tokenVersion,
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
      user: { id: user.id, name: user.name, role: user.role, tenantId: user.tenantId },
    },
    200,
  );
});

const logoutRoute = createRoute({
  method: "post",
  path: "/v1/auth/logout",
  operationId: "logout",
  tags: ["auth"],
  summary: "End every session of the calling rep",
  description:
    "Every session token of the caller issued so far stops working: at once in the isolate that answers, everywhere in this region within 30 s. Other regions accept the token until it expires.",
  security: [{ bearer: [] }],
  responses: {
    204: { description: "Sessions ended" },
    401: problem("No valid session token"),
    409: problem("The caller is an API key, which has no session"),
  },
});

auth.use("/v1/auth/logout", authenticate(), rateLimit());

auth.openapi(logoutRoute, async (c) => {
  const principal = c.get("principal");
  if (principal.kind !== "user") {
    throw new Problem(
      409,
      "not-a-session",
      "API keys have no session to end",
      "Log out with a session token; API keys are revoked by an admin.",
    );
  }
  const version = await directory(c.env).revokeSessions(principal.tenantId, principal.id);
  rememberTokenVersion(principal.tenantId, principal.id, version);
  return c.body(null, 204);
});
