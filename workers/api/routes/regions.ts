// GET /v1/regions: public discovery of the deployment's regions (no credentials), so a
// client that starts at the router can reach each region of its jurisdiction directly
// and fail over between them. The router answers the same path with each region's health.
import { createRoute, z } from "@hono/zod-openapi";
import { regionsOf } from "../../../replication/regions.ts";
import { REGIONS_CACHE_CONTROL, regionsIn } from "../../shared/regions.ts";
import { BreakerState, json, problem } from "../openapi.ts";
import { newRouter } from "../router.ts";

export const regions = newRouter();

const RegionEntry = z.object({
  region: z.string().meta({ example: "cn-east" }),
  jurisdiction: z.string().meta({ example: "cn" }),
  url: z.string().meta({ description: "Where the region's API answers directly" }),
  health: z
    .object({
      breaker: BreakerState,
      lastProbe: z.object({ at: z.string(), ok: z.boolean() }).nullable(),
    })
    .optional()
    .meta({
      description:
        "Only in the router's answer: its breaker for the region and its last health probe, as the answering router isolate knows them",
    }),
});

const Regions = z
  .object({
    regions: z.array(RegionEntry),
    self: z
      .string()
      .optional()
      .meta({ description: "The region that answered; absent in the router's answer" }),
  })
  .meta({ id: "Regions" });

const route = createRoute({
  method: "get",
  path: "/v1/regions",
  operationId: "listRegions",
  tags: ["operations"],
  summary: "The deployment's regions, their jurisdictions and URLs (public)",
  description:
    "No credentials. A region answers with `self` and `Cache-Control: public, max-age=60`; the router answers without `self`, with each region's `health`, uncached.",
  request: {
    query: z.strictObject({
      jurisdiction: z
        .string()
        .regex(/^[a-z]{2,8}$/, { message: "must be a jurisdiction such as cn or eu" })
        .optional()
        .meta({
          description: "Only the regions of this jurisdiction; one no region serves is a 400",
          example: "cn",
        }),
    }),
  },
  responses: {
    200: json(Regions, "The regions, in the order of the deployment's region map"),
    400: problem("An unknown query parameter or jurisdiction"),
  },
});

regions.openapi(route, (c) => {
  const { jurisdiction } = c.req.valid("query");
  c.header("cache-control", REGIONS_CACHE_CONTROL);
  return c.json({ regions: regionsIn(regionsOf(c.env), jurisdiction), self: c.env.REGION }, 200);
});
