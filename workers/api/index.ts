// The regional API worker: app assembly only. Routes live one group per file in routes/;
// errors become problem+json in exactly one place (errors.ts).
import "./env.ts";
import { OpenAPIHono } from "@hono/zod-openapi";
import { keyRingOf } from "../../replication/signing.ts";
import { noRoute } from "../shared/allow.ts";
import type { AppEnv } from "./env.ts";
import { onError } from "./errors.ts";
import { authenticate } from "./middleware/auth.ts";
import { limitBodies } from "./middleware/body-limit.ts";
import { cors } from "./middleware/cors.ts";
import { degradationHeaders } from "./middleware/degradation.ts";
import { rateLimit } from "./middleware/rate-limit.ts";
import { regionHeaders } from "./middleware/region.ts";
import { requireRole } from "./middleware/roles.ts";
import { openApiDocument } from "./openapi.ts";
import { admin } from "./routes/admin.ts";
import { auditCheckpoints } from "./routes/audit-checkpoints.ts";
import { auth } from "./routes/auth.ts";
import { contracts } from "./routes/contracts.ts";
import { customers } from "./routes/customers.ts";
import { degradation } from "./routes/degradation.ts";
import { files } from "./routes/files.ts";
import { health } from "./routes/health.ts";
import { insightRoutes } from "./routes/insights/index.ts";
import { local } from "./routes/local.ts";
import { payments } from "./routes/payments.ts";
import { quarantine } from "./routes/quarantine.ts";
import { regions } from "./routes/regions.ts";
import { replication } from "./routes/replication.ts";

export { AccountDO } from "../../durable-objects/account/index.ts";
export { AuditDO } from "../../durable-objects/audit/index.ts";
export { DirectoryDO } from "../../durable-objects/directory/index.ts";
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
app.route("/", local);
app.route("/", replication);
app.route("/", auditCheckpoints);
app.use("/v1/customers/*", authenticate());
app.use("/v1/customers", authenticate());
app.use("/v1/contracts/*", authenticate());
app.use("/v1/contracts", authenticate());
app.use("/v1/payments/*", authenticate());
app.use("/v1/payments", authenticate());
app.use("/v1/admin/*", authenticate(), requireRole("admin"));
app.use("/v1/audit/*", authenticate(), requireRole("admin"));
app.use("/v1/insights/*", authenticate());
// Every role of the tenant stores and reads files; a role not listed (a portal user) may not.
app.use("/v1/files/*", authenticate(), requireRole("admin", "manager", "rep", "integrator"));
// After authenticate (it needs the principal); routes registered above are not limited here.
app.use("/v1/*", rateLimit());
app.route("/", customers);
app.route("/", contracts);
app.route("/", payments);
app.route("/", files);
app.route("/", admin);
app.route("/", degradation);
app.route("/", quarantine);
app.route("/", insightRoutes);

app.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
  type: "http",
  scheme: "bearer",
  description: "An integrator API key (`lk_…`) or a rep session token from /v1/auth/login",
});
app.get("/v1/openapi.json", (c) => c.json(openApiDocument(app, c.env)));

export default app;
