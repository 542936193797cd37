// The regional API worker: app assembly only. Routes live one group per file in routes/;
// errors become problem+json in exactly one place (errors.ts).
import "./env.ts";
import { OpenAPIHono } from "@hono/zod-openapi";
import { keyRingOf } from "../../replication/signing.ts";
import { noRoute } from "../shared/allow.ts";
import type { AppEnv } from "./env.ts";
import { onError } from "./errors.ts";
import { scheduledRounds } from "./federation/scheduled.ts";
import { authenticate } from "./middleware/auth.ts";
import { limitBodies } from "./middleware/body-limit.ts";
import { cors } from "./middleware/cors.ts";
import { degradationHeaders } from "./middleware/degradation.ts";
import { rateLimit } from "./middleware/rate-limit.ts";
import { regionHeaders } from "./middleware/region.ts";
import { requireRole } from "./middleware/roles.ts";
import { openApiDocument } from "./openapi.ts";
import { admin } from "./routes/admin.ts";
import { approvals } from "./routes/approvals.ts";
import { auditCheckpoints } from "./routes/audit-checkpoints.ts";
import { auth } from "./routes/auth.ts";
import { changeRequests } from "./routes/change-requests.ts";
import { contracts } from "./routes/contracts.ts";
import { customers } from "./routes/customers.ts";
import { degradation } from "./routes/degradation.ts";
import { delivery } from "./routes/delivery.ts";
import { federation } from "./routes/federation.ts";
import { federationAdmin } from "./routes/federation-admin.ts";
import { federationPeer } from "./routes/federation-peer.ts";
import { files } from "./routes/files.ts";
import { groups } from "./routes/groups.ts";
import { groupsReplication } from "./routes/groups-replication.ts";
import { health } from "./routes/health.ts";
import { insightRoutes } from "./routes/insights/index.ts";
import { local } from "./routes/local.ts";
import { payments } from "./routes/payments.ts";
import { portal } from "./routes/portal.ts";
import { portalAdmin } from "./routes/portal-admin.ts";
import { portalAuth } from "./routes/portal-auth.ts";
import { portalUsers } from "./routes/portal-users.ts";
import { quarantine } from "./routes/quarantine.ts";
import { regions } from "./routes/regions.ts";
import { replication } from "./routes/replication.ts";
import { serviceRequests } from "./routes/service-requests.ts";
import { slaPolicy } from "./routes/sla-policy.ts";

export { AccountDO } from "../../durable-objects/account/index.ts";
export { AuditDO } from "../../durable-objects/audit/index.ts";
export { DirectoryDO } from "../../durable-objects/directory/index.ts";
export { GroupsDO } from "../../durable-objects/groups/index.ts";
export { IdempotencyKeyDO } from "../../durable-objects/idempotency-key/index.ts";
export { QuarantineDO } from "../../durable-objects/quarantine/index.ts";
export { RateLimitDO } from "../../durable-objects/rate-limit/index.ts";
export { RegionDO } from "../../durable-objects/region/index.ts";

const app = new OpenAPIHono<AppEnv>();

// First: a preflight is answered before anything that needs credentials or counts requests.
app.use("*", cors());
app.use("*", regionHeaders());
app.use("*", degradationHeaders());
// A region whose replication keys are missing or short refuses every request with a
// readable 503 instead of running with a guessable key [LF8].
app.use("*", async (c, next) => {
  keyRingOf(c.env);
  await next();
});
// Replication batches (up to 4 MiB) are bounded by their own route.
app.use("/v1/*", limitBodies());
app.onError(onError);
app.notFound((c) => {
  throw noRoute(app.routes, c.req.method, c.req.path);
});

app.route("/", health);
app.route("/", regions);
app.route("/", auth);
// The customer portal's realm: its own login and session audience; its routes take only
// portal sessions (authenticatePortal) and staff routes never take one (DESIGN §12).
app.route("/", portalAuth);
app.route("/", portal);
app.route("/", local);
app.route("/", replication);
app.route("/", groupsReplication);
app.route("/", federationPeer);
app.route("/", auditCheckpoints);
app.use("/v1/customers/*", authenticate());
app.use("/v1/customers", authenticate());
app.use("/v1/contracts/*", authenticate());
app.use("/v1/contracts", authenticate());
app.use("/v1/payments/*", authenticate());
app.use("/v1/payments", authenticate());
app.use("/v1/service-requests/*", authenticate());
app.use("/v1/change-requests/*", authenticate());
app.use("/v1/change-requests", authenticate());
app.use("/v1/delivery-milestones", authenticate());
app.use("/v1/admin/*", authenticate(), requireRole("admin"));
app.use("/v1/audit/*", authenticate(), requireRole("admin"));
app.use("/v1/insights/*", authenticate());
app.use("/v1/federation/*", authenticate());
// Groups and approvals: every route checks its roles too (routes/groups.ts, approvals.ts).
app.use("/v1/groups", authenticate());
app.use("/v1/groups/*", authenticate());
app.use("/v1/approvals", authenticate());
app.use("/v1/approvals/*", authenticate());
app.use("/v1/me/*", authenticate());
// Every role of the tenant stores and reads files; a role not listed (a portal user) may not.
app.use("/v1/files/*", authenticate(), requireRole("admin", "manager", "rep", "integrator"));
// After authenticate (it needs the principal); routes registered above are not limited here.
app.use("/v1/*", rateLimit());
app.route("/", customers);
app.route("/", contracts);
app.route("/", payments);
app.route("/", delivery);
app.route("/", serviceRequests);
app.route("/", changeRequests);
app.route("/", files);
app.route("/", admin);
app.route("/", portalAdmin);
app.route("/", portalUsers);
app.route("/", degradation);
app.route("/", quarantine);
app.route("/", insightRoutes);
app.route("/", groups);
app.route("/", approvals);
app.route("/", federation);
app.route("/", federationAdmin);
app.route("/", slaPolicy);

app.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
  type: "http",
  scheme: "bearer",
  description: "An integrator API key (`lk_…`) or a rep session token from /v1/auth/login",
});
app.get("/v1/openapi.json", (c) => c.json(openApiDocument(app, c.env)));

// The cron trigger (wrangler.toml, the coordinator's env only) runs federated rounds.
export default {
  fetch: app.fetch,
  scheduled(_controller, env, ctx) {
    ctx.waitUntil(scheduledRounds(env));
  },
} satisfies ExportedHandler<Env>;
