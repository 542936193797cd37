// The regional API worker: app assembly only. Routes live one group per file in routes/;
// errors become problem+json in exactly one place (errors.ts).
import "./env.ts";
import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "./env.ts";
import { onError, Problem } from "./errors.ts";
import { authenticate } from "./middleware/auth.ts";
import { rateLimit } from "./middleware/rate-limit.ts";
import { regionHeaders } from "./middleware/region.ts";
import { admin } from "./routes/admin.ts";
import { auth } from "./routes/auth.ts";
import { contracts } from "./routes/contracts.ts";
import { customers } from "./routes/customers.ts";
import { health } from "./routes/health.ts";
import { insightRoutes } from "./routes/insights.ts";
import { local } from "./routes/local.ts";
import { payments } from "./routes/payments.ts";
import { replication } from "./routes/replication.ts";

export { AccountDO } from "../../durable-objects/account/index.ts";
export { AuditDO } from "../../durable-objects/audit/index.ts";
export { DirectoryDO } from "../../durable-objects/directory/index.ts";
export { IdempotencyKeyDO } from "../../durable-objects/idempotency-key/index.ts";
export { RateLimitDO } from "../../durable-objects/rate-limit/index.ts";

const MAX_BODY_BYTES = 256 * 1024;
/** A full transcript (100 utterances of 2,000 characters) is ~600 KB of Chinese UTF-8. */
const MAX_TRANSCRIPT_BYTES = 1024 * 1024;

const app = new OpenAPIHono<AppEnv>();

app.use("*", regionHeaders());
// Every lifeline body is small; a bound keeps a slow or hostile client from holding memory.
// Replication batches (up to 4 MiB) are bounded by their own route.
const limitTo = (maxSize: number) =>
  bodyLimit({
    maxSize,
    onError: () => {
      throw new Problem(413, "too-large", "Request body too large", `At most ${maxSize} bytes.`);
    },
  });
const limitBody = limitTo(MAX_BODY_BYTES);
const limitTranscript = limitTo(MAX_TRANSCRIPT_BYTES);
app.use("/v1/*", (c, next) => {
  if (c.req.path.startsWith("/v1/replication/")) return next();
  if (c.req.path === "/v1/insights/analyze") return limitTranscript(c, next);
  return limitBody(c, next);
});
app.onError(onError);
app.notFound(() => {
  throw new Problem(404, "not-found", "No such route");
});

app.route("/", health);
app.route("/", auth);
app.route("/", local);
app.route("/", replication);
app.use("/v1/customers/*", authenticate());
app.use("/v1/customers", authenticate());
app.use("/v1/contracts/*", authenticate());
app.use("/v1/contracts", authenticate());
app.use("/v1/payments/*", authenticate());
app.use("/v1/payments", authenticate());
app.use("/v1/admin/*", authenticate());
app.use("/v1/audit/*", authenticate());
app.use("/v1/insights/*", authenticate());
// After authenticate (it needs the principal); routes registered above are not limited here.
app.use("/v1/*", rateLimit());
app.route("/", customers);
app.route("/", contracts);
app.route("/", payments);
app.route("/", admin);
app.route("/", insightRoutes);

app.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
  type: "http",
  scheme: "bearer",
  description: "An integrator API key (`lk_…`) or a rep session token from /v1/auth/login",
});
app.doc31("/v1/openapi.json", {
  openapi: "3.1.0",
  info: {
    title: "Lifeline regional API",
    version: "1.0.0",
    description:
      "Customers, contracts and payments that keep working through region loss. Errors are RFC 9457 problem+json.",
  },
});

export default app;
