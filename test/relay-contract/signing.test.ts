// Signing keys as receivers see them: rotation through (current, next), rejection of anything
// else, and QStash's dev mode (QSTASH_DEV=true) taking the relay for the running dev server.

import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { Receiver } from "@upstash/qstash";
import { describe, expect, test } from "vitest";
import { DEV_TOKEN, type Delivery, devReceiver, open, raw, until, verify } from "./harness.ts";

const CURRENT = "sig_currentKeyForTheRelayTests1";
const NEXT = "sig_nextKeyForTheRelayTests2222";

describe("key rotation", () => {
  test("signs with the current key: receivers knowing it as current or next accept", async () => {
    const { dest, client, relay } = await open({
      token: "relay-token",
      currentSigningKey: CURRENT,
      nextSigningKey: NEXT,
    });
    expect((await raw(relay.url, "/v2/keys", { token: "relay-token" })).json).toEqual({
      current: CURRENT,
      next: NEXT,
    });
    expect((await raw(relay.url, "/v2/keys", { token: DEV_TOKEN })).status).toBe(401);

    await client.publishJSON({ url: `${dest.url}/signed`, body: { n: 1 } });
    const [d] = await until(() => dest.deliveries.length === 1 && dest.deliveries, "the delivery");
    const delivery = d as Delivery;
    const receiver = (currentSigningKey: string, nextSigningKey: string) =>
      new Receiver({ currentSigningKey, nextSigningKey });
    expect(await verify(delivery, receiver(CURRENT, NEXT))).toBe(true);
    // Mid-rotation, a receiver still holding the retired key finds ours as its next key.
    expect(await verify(delivery, receiver("sig_retiredKey", CURRENT))).toBe(true);
    await expect(verify(delivery, receiver(NEXT, "sig_other"))).rejects.toThrow(
      "signature verification failed",
    );
    await expect(verify(delivery, devReceiver())).rejects.toThrow("signature verification failed");
  });

  test("a tampered body or a different URL fails verification", async () => {
    const { dest, client } = await open();
    await client.publishJSON({ url: `${dest.url}/tamper`, body: { amount: 100 } });
    const [d] = await until(() => dest.deliveries.length === 1 && dest.deliveries, "the delivery");
    const delivery = d as Delivery;
    expect(await verify(delivery)).toBe(true);
    await expect(verify({ ...delivery, body: '{"amount":1000}' })).rejects.toThrow(
      "body hash does not match",
    );
    await expect(verify({ ...delivery, url: `${dest.url}/elsewhere` })).rejects.toThrow(
      "invalid subject",
    );
  });
});

// Dev mode reads the environment when the Client is built and probes the dev server in the
// background, so it runs in its own process rather than mutating this one's env.
const DEV_CLIENT = `
import { Client } from "@upstash/qstash";
const client = new Client();
const res = await client.publishJSON({ url: process.env.DESTINATION, body: { dev: true } });
console.log("RESULT " + JSON.stringify(res));
`;

test("QSTASH_DEV=true with QSTASH_DEV_PORT uses the relay as the dev server, spawning nothing", async () => {
  const { dest, relay } = await open();
  const child = spawn(process.execPath, ["--input-type=module", "-e", DEV_CLIENT], {
    cwd: resolve(import.meta.dirname, "../.."),
    env: {
      ...process.env,
      QSTASH_DEV: "true",
      QSTASH_DEV_PORT: String(relay.relay.port),
      QSTASH_URL: "http://127.0.0.1:9/not-used",
      QSTASH_TOKEN: "not-used",
      DESTINATION: `${dest.url}/dev`,
    },
  });
  let out = "";
  child.stdout.on("data", (c) => {
    out += c;
  });
  child.stderr.on("data", (c) => {
    out += c;
  });
  const code = await new Promise<number | null>((done) => child.on("exit", done));
  expect(out).toContain(`Server already running at http://127.0.0.1:${relay.relay.port}`);
  expect(out).not.toMatch(/download|spawn|Could not start/i);
  expect(code).toBe(0);
  const result = JSON.parse(/RESULT (.*)/.exec(out)?.[1] ?? "null");
  expect(result).toMatchObject({ messageId: expect.stringMatching(/^msg_/) });
  const [d] = await until(() => dest.deliveries.length === 1 && dest.deliveries, "the delivery");
  expect(d?.headers["upstash-message-id"]).toBe(result.messageId);
  expect(await verify(d as Delivery, devReceiver())).toBe(true);
});
