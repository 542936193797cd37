// CORS against a bare app (app.request, no server): exact origins only, preflights answered
// before anything that needs credentials, no CORS on peer and operator routes.
import { Hono } from "hono";
import { describe, expect, test } from "vitest";
import type { AppEnv } from "../env.ts";
import { Problem } from "../errors.ts";
import { cors, EXPOSE_HEADERS, webOrigins } from "./cors.ts";

const PWA = "http://127.0.0.1:8787";
const env = { WEB_ORIGINS: `${PWA}, http://localhost:5173` } as unknown as Env;

function app() {
  const a = new Hono<AppEnv>();
  a.use("*", cors());
  // Stands for authenticate(): anything behind CORS must not be reached by a preflight.
  a.use("/v1/customers", async (c, next) => {
    if (!c.req.header("authorization")) return c.json({ status: 401 }, 401);
    await next();
  });
  a.get("/v1/customers", (c) => {
    c.header("lifeline-region", "cn-east");
    return c.json({ items: [] });
  });
  a.get("/v1/boom", () => {
    throw new Problem(503, "x", "Down", undefined, {}, { "retry-after": "1" });
  });
  a.onError((err) => new Response(err.message, { status: (err as Problem).status ?? 500 }));
  a.post("/v1/replication/batch", (c) => c.text("ok"));
  return a;
}

const preflight = (origin: string, path = "/v1/customers") =>
  app().request(
    path,
    {
      method: "OPTIONS",
      headers: {
        origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, idempotency-key, content-type",
      },
    },
    env,
  );

describe("CORS for the PWA", () => {
  test("a listed origin's preflight is 204 without credentials: methods, headers, max age", async () => {
    const res = await preflight(PWA);
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe(PWA);
    expect(res.headers.get("access-control-allow-methods")).toBe("GET, POST, PUT, DELETE");
    expect(res.headers.get("access-control-allow-headers")).toContain("idempotency-key");
    expect(res.headers.get("access-control-allow-headers")).toContain("lifeline-region");
    expect(res.headers.get("access-control-max-age")).toBe("600");
    expect(res.headers.get("access-control-allow-credentials")).toBeNull();
    expect(res.headers.get("vary")).toBe("Origin");
  });

  test("an unlisted origin's preflight gets no CORS header, and is never echoed or `*`", async () => {
    for (const origin of ["http://evil.test", `${PWA}/`, "null", "http://127.0.0.1:8788"]) {
      const res = await preflight(origin);
      expect(res.status, origin).toBe(204);
      const cors = [...res.headers.keys()].filter((k) => k.startsWith("access-control-"));
      expect(cors, origin).toEqual([]);
    }
  });

  test("a listed origin's answer echoes it and exposes the headers a client acts on", async () => {
    const res = await app().request(
      "/v1/customers",
      { headers: { origin: "http://localhost:5173", authorization: "Bearer x" } },
      env,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
    const exposed = res.headers.get("access-control-expose-headers")!.split(", ");
    expect(exposed).toEqual(EXPOSE_HEADERS);
    for (const h of [
      "retry-after",
      "lifeline-region",
      "lifeline-degraded",
      "lifeline-durability",
      "lifeline-stale-age",
      "lifeline-jurisdiction",
      "location",
    ])
      expect(exposed).toContain(h);
    expect(res.headers.get("vary")).toBe("Origin");
  });

  test("error answers (401 before the route, a thrown problem) carry CORS too, so a browser can read them", async () => {
    const denied = await app().request("/v1/customers", { headers: { origin: PWA } }, env);
    expect(denied.status).toBe(401);
    expect(denied.headers.get("access-control-allow-origin")).toBe(PWA);
    const failed = await app().request("/v1/boom", { headers: { origin: PWA } }, env);
    expect(failed.status).toBe(503);
    expect(failed.headers.get("access-control-allow-origin")).toBe(PWA);
  });

  test("no Origin or an unlisted one: no CORS headers, only Vary: Origin", async () => {
    const cases: Record<string, string>[] = [
      { authorization: "Bearer x" },
      { authorization: "Bearer x", origin: "http://evil.test" },
    ];
    for (const headers of cases) {
      const res = await app().request("/v1/customers", { headers }, env);
      expect(res.status).toBe(200);
      expect([...res.headers.keys()].filter((k) => k.startsWith("access-control-"))).toEqual([]);
      expect(res.headers.get("vary")).toBe("Origin");
    }
  });

  test("replication routes get no CORS at all, preflight included", async () => {
    const pre = await preflight(PWA, "/v1/replication/batch");
    expect(pre.headers.get("access-control-allow-origin")).toBeNull();
    expect(pre.status).not.toBe(204);
    const post = await app().request(
      "/v1/replication/batch",
      { method: "POST", headers: { origin: PWA } },
      env,
    );
    expect(post.headers.get("access-control-allow-origin")).toBeNull();
    expect(post.headers.get("vary")).toBeNull();
  });

  test("WEB_ORIGINS keeps exact origins only: no path, no trailing slash, no `null`", () => {
    const origins = webOrigins({
      WEB_ORIGINS: " http://127.0.0.1:8787 ,http://a.test/,https://b.test/app,null,,https://c.test",
    });
    expect([...origins]).toEqual(["http://127.0.0.1:8787", "https://c.test"]);
  });
});
