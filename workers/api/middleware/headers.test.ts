// editHeaders changes a finished answer's headers whether or not they may be changed in place.
import { Hono } from "hono";
import { describe, expect, test } from "vitest";
import { editHeaders } from "./headers.ts";

function app(respond: () => Response) {
  const a = new Hono();
  a.use("*", async (c, next) => {
    await next();
    editHeaders(c, (h) => {
      h.set("vary", "Origin");
      h.set("lifeline-degraded", "inference-off");
    });
  });
  a.get("/x", respond);
  return a;
}

describe("editHeaders", () => {
  test("a response of the app's own is changed in place", async () => {
    const res = await app(() => new Response("ok", { headers: { "x-own": "1" } })).request("/x");
    expect(res.headers.get("x-own")).toBe("1");
    expect(res.headers.get("lifeline-degraded")).toBe("inference-off");
    expect(res.headers.get("vary")).toBe("Origin");
  });

  test("one with immutable headers (as passed through from elsewhere) is copied, status and body kept", async () => {
    const passed = Response.redirect("https://example.test/elsewhere", 302);
    expect(() => passed.headers.set("x", "1")).toThrow();
    const res = await app(() => passed).request("/x");
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("https://example.test/elsewhere");
    expect(res.headers.get("lifeline-degraded")).toBe("inference-off");
    expect(res.headers.get("vary")).toBe("Origin");
  });
});
