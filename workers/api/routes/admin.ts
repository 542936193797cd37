// Operations endpoints for a tenant's admins (role "admin", checked for every
// /v1/admin/* and /v1/audit/* route in index.ts): the per-region state hash of the
// caller's tenant, page by page (convergence is checkable, DESIGN §3), and verification
// of this region's keyed audit chain against the checkpoints its peers hold [LF7].
import { z } from "@hono/zod-openapi";
import { mapLimit, sha256Hex } from "../../../core/index.ts";
import { checkpointHolders, fetchCheckpoint } from "../../../durable-objects/audit/checkpoints.ts";
import { accountStub, auditStub } from "../../../durable-objects/stubs.ts";
import { regionInfo } from "../../../replication/regions.ts";
import { Problem } from "../errors.ts";
import { directory } from "../middleware/auth.ts";
import { bearerRoutes, json, problem } from "../openapi.ts";
import { newRouter } from "../router.ts";

/** Accounts hashed per request at most; a caller pages with `cursor` for more. */
const MAX_PAGE = 1_000;
/** Account Durable Objects asked at once: a big tenant must not fan out to all at a time. */
const FAN_OUT = 16;

export const admin = newRouter();
const operationsRoute = bearerRoutes("operations");

export const adminProblems = {
  401: problem("Missing or invalid credentials"),
  403: problem("The caller is not an admin (a rep token or an integrator key)"),
} as const;

const AccountHash = z.union([
  z.object({ hash: z.string(), view: z.enum(["full", "masked"]) }),
  z.object({ unavailable: z.literal(true) }),
]);
type AccountHash = z.infer<typeof AccountHash>;

const StateHash = z
  .object({
    region: z.string(),
    as: z.string(),
    tenantId: z.string(),
    /** Accounts in this page. */
    count: z.int(),
    /** SHA-256 of this page's `id:hash` lines, sorted by id. */
    hash: z.string(),
    accounts: z.record(z.string(), AccountHash),
    /** Pass as `cursor` for the next page; null on the last. */
    nextCursor: z.string().nullable(),
  })
  .meta({ id: "StateHash" });

const stateHashRoute = operationsRoute({
  method: "get",
  path: "/v1/admin/state-hash",
  operationId: "stateHash",
  summary: "State hash of the caller's tenant in this region, one page of accounts at a time",
  description:
    "Each account's state hash as this region holds it, viewed as region `as` should hold it (full or masked), so two regions' answers can be compared account by account. Admins only.",
  request: {
    query: z.object({
      as: z
        .string()
        .max(32)
        .optional()
        .meta({ description: "A region of REGIONS (default: this one)" }),
      cursor: z
        .string()
        .max(512)
        .optional()
        .meta({ description: "`nextCursor` of the previous page" }),
      limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(MAX_PAGE),
    }),
  },
  responses: {
    200: json(StateHash, "One page of the tenant's accounts and their hashes"),
    400: problem("Unknown region or invalid query"),
    ...adminProblems,
  },
});

admin.openapi(stateHashRoute, async (c) => {
  const tenantId = c.get("principal").tenantId;
  const { cursor = "", limit } = c.req.valid("query");
  const as = c.req.valid("query").as ?? c.env.REGION;
  if (!regionInfo(c.env, as))
    throw new Problem(400, "validation", "Unknown region", `as: ${as} is not in REGIONS`, {
      errors: [{ field: "as", pointer: "#/as", message: "unknown region" }],
    });
  const page = await directory(c.env).accounts(tenantId, cursor, limit + 1);
  const ids = page.slice(0, limit);
  const hashes = await mapLimit(ids, FAN_OUT, async (id): Promise<AccountHash> => {
    const h = await accountStub(c.env, tenantId, id).stateHash(as);
    return h ?? { unavailable: true };
  });
  const accounts = new Map(ids.map((id, i) => [id, hashes[i]!]));
  const lines = [...accounts.keys()].sort().map((id) => {
    const a = accounts.get(id)!;
    return `${id}:${"hash" in a ? a.hash : "unavailable"}`;
  });
  c.header("cache-control", "no-store");
  return c.json(
    {
      region: c.env.REGION,
      as,
      tenantId,
      count: ids.length,
      hash: sha256Hex(lines.join("\n")),
      accounts: Object.fromEntries(accounts),
      nextCursor: page.length > limit ? ids.at(-1)! : null,
    },
    200,
  );
});

const AuditVerification = z
  .object({
    region: z.string(),
    /**
     * ok: the chain verifies and contains every checkpoint its peers hold; broken: it
     * does not; unverified-head: no peer could be asked, so entries cut off the end
     * would go unnoticed — never reported as ok.
     */
    status: z.enum(["ok", "broken", "unverified-head"]),
    ok: z.boolean(),
    finding: z.enum(["chain-broken", "checkpoint-differs", "entries-removed"]).optional(),
    /** Entries about the caller's tenant; region-wide counts and seqs are not shown. */
    tenantEntries: z.int(),
    checkpoints: z.array(
      z.object({ holder: z.string(), state: z.enum(["checked", "none-held", "unavailable"]) }),
    ),
  })
  .meta({ id: "AuditVerification" });

const verifyRoute = operationsRoute({
  method: "get",
  path: "/v1/audit/verify",
  operationId: "verifyAudit",
  summary: "Verify this region's audit chain against the checkpoints its peers hold",
  description:
    "Walks the region's keyed audit chain page by page and checks that it contains the head each checkpoint holder (a peer region) last countersigned. Admins only. 200 ok, 409 broken, 503 when no holder answered (the end of the chain is unverified).",
  responses: {
    200: json(AuditVerification, "The chain verifies against its checkpoints"),
    409: json(AuditVerification, "The chain is broken, or shorter than a checkpoint"),
    503: json(AuditVerification, "No checkpoint holder answered: the head is unverified"),
    ...adminProblems,
  },
});

admin.openapi(verifyRoute, async (c) => {
  const tenantId = c.get("principal").tenantId;
  const fetched = await Promise.all(
    checkpointHolders(c.env).map((holder) => fetchCheckpoint(c.env, holder)),
  );
  const heads = fetched.flatMap((f) =>
    f.kind === "held" ? [{ seq: f.checkpoint.seq, hash: f.checkpoint.hash }] : [],
  );
  const { verdict, tenantEntries } = await auditStub(c.env).verify(heads, tenantId);
  const answered = fetched.some((f) => f.kind !== "unavailable");
  const status: "ok" | "broken" | "unverified-head" = !verdict.ok
    ? "broken"
    : answered
      ? "ok"
      : "unverified-head";
  // Seqs are region-wide counts (every tenant's entries): they go to the region's log,
  // not to one tenant's admin.
  if (!verdict.ok)
    console.error(`[LF7] audit chain broken at seq ${verdict.brokenAt}: ${verdict.reason}`);
  for (const f of fetched)
    if (f.kind === "unavailable") console.error(`[LF7] checkpoint holder ${f.holder}: ${f.detail}`);
  c.header("cache-control", "no-store");
  const body = {
    region: c.env.REGION,
    status,
    ok: status === "ok",
    ...(verdict.ok ? {} : { finding: verdict.finding }),
    tenantEntries,
    checkpoints: fetched.map((f) => ({
      holder: f.holder,
      state:
        f.kind === "held"
          ? ("checked" as const)
          : f.kind === "none"
            ? ("none-held" as const)
            : ("unavailable" as const),
    })),
  };
  if (status === "broken") return c.json(body, 409);
  if (status === "unverified-head") return c.json(body, 503);
  return c.json(body, 200);
});
