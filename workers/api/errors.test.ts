// Problem bodies say what went wrong in our words only: an upstream or framework message
// (a parser's, a library's, a peer's) is logged, never sent, in the API and the router.
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { afterEach, describe, expect, test, vi } from "vitest";
import { onError as routerOnError } from "../router/errors.ts";
import { onError } from "./errors.ts";

const UPSTREAM = "SqliteError: no such table at /srv/lifeline/node_modules/libsql/index.js:59";

function appThrowing(err: Error, handler: typeof onError) {
  const app = new Hono();
  app.onError(handler);
  app.get("/x", () => {
    throw err;
  });
  return app;
}

describe("problem bodies carry no upstream error text", () => {
  const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
  const error = vi.spyOn(console, "error").mockImplementation(() => {});
  afterEach(() => {
    warn.mockClear();
    error.mockClear();
  });

  for (const [name, handler] of [
    ["API", onError],
    ["router", routerOnError],
  ] as const) {
    test(`${name}: a framework exception's message stays in the log`, async () => {
      for (const status of [400, 401, 403, 502] as const) {
        const res = await appThrowing(
          new HTTPException(status, { message: UPSTREAM }),
          handler,
        ).request("/x");
        expect(res.status).toBe(status);
        expect(res.headers.get("content-type")).toBe("application/problem+json");
        const text = await res.text();
        expect(text).not.toContain("SqliteError");
        expect(text).not.toContain("/srv/");
      }
      expect(warn).toHaveBeenCalled();
    });

    test(`${name}: an unexpected error is a 500 in our words`, async () => {
      const res = await appThrowing(new Error(UPSTREAM), handler).request("/x");
      expect(res.status).toBe(500);
      expect(await res.text()).not.toContain("SqliteError");
    });
  }

  test("API: a malformed body is named as such without the parser's text", async () => {
    const res = await appThrowing(
      new HTTPException(400, { message: "Malformed JSON in request body: Unexpected token }" }),
      onError,
    ).request("/x");
    const body = (await res.json()) as { type: string; detail: string };
    expect(body.type).toBe("urn:lifeline:problem:malformed-body");
    expect(body.detail).not.toContain("Unexpected token");
  });
});
