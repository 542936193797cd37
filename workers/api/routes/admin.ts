// Operations endpoints: the per-region state hash of the caller's tenant (convergence is
// checkable, DESIGN §3) and verification of this region's audit chain [LF7].
import { Hono } from "hono";
import { sha256Hex } from "../../../core/index.ts";
import { accountStub } from "../../../durable-objects/stubs.ts";
import { regionInfo } from "../../../replication/regions.ts";
import type { AppEnv } from "../env.ts";
import { Problem } from "../errors.ts";
import { directory } from "../middleware/auth.ts";

/** Accounts hashed per request at most: the check is for operators, bounded like everything else. */
const MAX_ACCOUNTS = 10_000;
const PAGE = 1_000;

export const admin = new Hono<AppEnv>();

type AccountHash = { hash: string; view: "full" | "masked" } | { unavailable: true };

admin.get("/v1/admin/state-hash", async (c) => {
  const tenantId = c.get("principal").tenantId;
  const as = c.req.query("as") ?? c.env.REGION;
  if (!regionInfo(c.env, as))
    throw new Problem(400, "validation", "Unknown region", `as: ${as} is not in REGIONS`, {
      errors: [{ field: "as", pointer: "#/as", message: "unknown region" }],
    });
  const ids: string[] = [];
  for (let after = ""; ids.length < MAX_ACCOUNTS; ) {
    const page = await directory(c.env).accounts(tenantId, after, PAGE);
    ids.push(...page);
    if (page.length < PAGE) break;
    after = page.at(-1)!;
  }
  const accounts: Record<string, AccountHash> = {};
  await Promise.all(
    ids.map(async (id) => {
      const h = await accountStub(c.env, tenantId, id).stateHash(as);
      accounts[id] = h ?? { unavailable: true };
    }),
  );
  const lines = Object.keys(accounts)
    .sort()
    .map((id) => {
      const a = accounts[id]!;
      return `${id}:${"hash" in a ? a.hash : "unavailable"}`;
    });
  c.header("cache-control", "no-store");
  return c.json({
    region: c.env.REGION,
    as,
    tenantId,
    count: ids.length,
    hash: sha256Hex(lines.join("\n")),
    accounts,
  });
});

admin.get("/v1/audit/verify", async (c) => {
  const audit = c.env.AUDIT.get(c.env.AUDIT.idFromName("audit"));
  const result = await audit.verify();
  c.header("cache-control", "no-store");
  return c.json({ region: c.env.REGION, ...result }, result.ok ? 200 : 409);
});
