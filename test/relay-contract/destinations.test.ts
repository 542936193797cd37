// The relay delivers only to the origins of the configured topology: a destination, a
// callback or a URL-group endpoint elsewhere is refused when published (400, as QStash
// refuses an unusable destination), through the vendor client and the raw API alike.

import { QstashError } from "@upstash/qstash";
import { afterEach, describe, expect, test } from "vitest";
import {
  type Destination,
  raw,
  sleep,
  startDestination,
  startTestRelay,
  type TestRelay,
  until,
} from "./harness.ts";

const opened: Array<{ stop?(): Promise<void>; close?(): Promise<void> }> = [];
afterEach(async () => {
  for (const o of opened.splice(0)) await (o.stop ?? o.close)?.call(o);
});

async function topology(): Promise<{
  relay: TestRelay;
  allowed: Destination;
  foreign: Destination;
}> {
  const allowed = await startDestination();
  const foreign = await startDestination();
  const relay = await startTestRelay({ allowedOrigins: [allowed.url] });
  opened.push(relay, allowed, foreign);
  return { relay, allowed, foreign };
}

describe("the relay only publishes to destinations of the configured topology", () => {
  test("an allowed origin is delivered; a foreign URL, callback or batch item is refused", async () => {
    const { relay, allowed, foreign } = await topology();
    await relay.client.publishJSON({ url: `${allowed.url}/v1/replication/qstash`, body: { a: 1 } });
    await until(() => allowed.deliveries.length === 1, "the allowed delivery");

    await expect(
      relay.client.publishJSON({ url: `${foreign.url}/steal`, body: { a: 1 } }),
    ).rejects.toThrow(QstashError);
    await expect(
      relay.client.publishJSON({
        url: `${allowed.url}/ok`,
        body: { a: 1 },
        callback: `${foreign.url}/callback`,
      }),
    ).rejects.toThrow(/not an origin this relay delivers to/);
    const batch = await raw(relay.url, "/v2/batch", {
      method: "POST",
      body: JSON.stringify([
        { destination: `${allowed.url}/ok`, body: "x" },
        { destination: "http://169.254.169.254/latest/meta-data", body: "x" },
      ]),
    });
    expect(batch.status).toBe(400);
    await sleep(50);
    expect(foreign.deliveries).toEqual([]);
    // The batch was refused whole: only the first publish was ever delivered.
    expect(allowed.deliveries).toHaveLength(1);
  });

  test("a URL group cannot hold a foreign endpoint", async () => {
    const { relay, allowed, foreign } = await topology();
    const put = (url: string) =>
      raw(relay.url, "/v2/topics/peers/endpoints", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ endpoints: [{ url }] }),
      });
    expect((await put(`${foreign.url}/x`)).status).toBe(400);
    expect((await put(`${allowed.url}/x`)).status).toBe(200);
  });
});
