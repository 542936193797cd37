// The isolate caches in front of DirectoryDO, in Node with a counting stand-in for the DO:
// unknown keys are remembered briefly and apart from known ones; token versions are checked.
import { Hono } from "hono";
import { sign } from "hono/jwt";
import { afterEach, beforeEach, expect, test, vi } from "vitest";
import type { AppEnv } from "../env.ts";
import { onError } from "../errors.ts";
import { authenticate, rememberTokenVersion, TOKEN_ISSUER } from "./auth.ts";

const SECRET = "unit-test-secret";
let lookups: string[] = [];
let versions = new Map<string, number>();

const env = {
  AUTH_TOKEN_SECRET: SECRET,
  DIRECTORY: {
    idFromName: (name: string) => name,
    get: () => ({
      resolveApiKey: async (hash: string) => {
        lookups.push(hash);
        return hash === KNOWN_HASH
          ? { tenantId: "ten_a", kind: "apiKey", id: "key_a", role: "integrator" }
          : null;
      },
      tokenVersion: async (_tenant: string, user: string) => {
        lookups.push(`version:${user}`);
        return versions.get(user) ?? null;
      },
    }),
  },
} as unknown as Env;

const KNOWN = "lk_known_key_for_unit_tests";
// sha256("lk_known_key_for_unit_tests"), as the middleware computes it.
const KNOWN_HASH = await crypto.subtle
  .digest("SHA-256", new TextEncoder().encode(KNOWN))
  .then((d) => Buffer.from(d).toString("hex"));

const app = new Hono<AppEnv>();
app.onError(onError);
app.use("*", authenticate());
app.get("/", (c) => c.text(c.get("principal").id));
const call = (credential: string) =>
  app.request("/", { headers: { authorization: `Bearer ${credential}` } }, env);

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date("2026-12-01T00:00:00Z"));
  lookups = [];
  versions = new Map();
});
afterEach(() => {
  // Past every TTL: the next test starts with cold caches.
  vi.setSystemTime(new Date("2026-12-01T01:00:00Z"));
  vi.useRealTimers();
});

test("[auth] an unknown API key reaches DirectoryDO once per 10 s", async () => {
  for (let i = 0; i < 5; i++) expect((await call("lk_unknown_key_123")).status).toBe(401);
  expect(lookups).toHaveLength(1);
  vi.advanceTimersByTime(10_001);
  expect((await call("lk_unknown_key_123")).status).toBe(401);
  expect(lookups).toHaveLength(2);
});

test("[auth] spraying unknown API keys never evicts a known one", async () => {
  expect((await call(KNOWN)).status).toBe(200);
  for (let i = 0; i < 1_000; i++) await call(`lk_spray_${i}_xxxxxxxx`);
  lookups = [];
  expect((await call(KNOWN)).status).toBe(200);
  expect(lookups).toEqual([]);
});

const token = (user: string, ver: unknown) =>
  sign(
    { iss: TOKEN_ISSUER, sub: user, tid: "ten_a", role: "rep", ver, exp: 4_000_000_000 },
    SECRET,
    "HS256",
  );

test("[auth] a session token of an older version is refused, and one without a version", async () => {
  versions.set("usr_a", 3);
  expect((await call(await token("usr_a", 3))).status).toBe(200);
  expect((await call(await token("usr_a", 2))).status).toBe(401);
  expect((await call(await token("usr_a", undefined))).status).toBe(401);
});

test("[auth] a logout in this isolate refuses the old token at once; elsewhere within 30 s", async () => {
  versions.set("usr_b", 0);
  const old = await token("usr_b", 0);
  expect((await call(old)).status).toBe(200);
  // Another isolate bumped the version: this one notices when its cached version expires.
  versions.set("usr_b", 1);
  expect((await call(old)).status).toBe(200);
  vi.advanceTimersByTime(30_001);
  expect((await call(old)).status).toBe(401);
  // The isolate that served the logout knows at once.
  versions.set("usr_c", 0);
  const c = await token("usr_c", 0);
  expect((await call(c)).status).toBe(200);
  rememberTokenVersion("ten_a", "usr_c", 1);
  expect((await call(c)).status).toBe(401);
});
