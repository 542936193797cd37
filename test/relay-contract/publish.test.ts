// Publishing through the vendor client: single URLs, URL-group fan-out, batches, deduplication,
// and the REST surface's auth and error answers — every delivery checked by the vendor Receiver.

import { QstashError } from "@upstash/qstash";
import { describe, expect, test } from "vitest";
import {
  DEV_CURRENT_SIGNING_KEY,
  DEV_NEXT_SIGNING_KEY,
  type Delivery,
  devReceiver,
  open,
  raw,
  sleep,
  until,
  verify,
} from "./harness.ts";

type Published = { messageId: string; url: string; deduplicated?: boolean };

describe("publish to a URL", () => {
  test("publishJSON delivers once, signed for its URL, with forwarded headers and no telemetry", async () => {
    const { dest, client } = await open();
    const url = `${dest.url}/hook?a=1&b=2`;
    const res = await client.publishJSON({
      url,
      body: { hello: "world" },
      headers: { "X-Custom": "v", Authorization: "Bearer downstream" },
    });
    expect(res.messageId).toMatch(/^msg_/);
    const [d] = await until(() => dest.deliveries.length === 1 && dest.deliveries, "the delivery");
    expect(d).toMatchObject({ method: "POST", url, body: '{"hello":"world"}' });
    expect(d?.headers).toMatchObject({
      "content-type": "application/json",
      "x-custom": "v",
      authorization: "Bearer downstream",
      "user-agent": "Upstash-QStash",
      "upstash-message-id": res.messageId,
      "upstash-retried": "0",
    });
    const leaked = Object.keys(d?.headers ?? {}).filter((h) =>
      /^upstash-(telemetry|forward|method|retries)/.test(h),
    );
    expect(leaked).toEqual([]);
    expect(await verify(d as Delivery)).toBe(true);
    await sleep(50);
    expect(dest.deliveries).toHaveLength(1);
  });

  test("publish sends the raw body with Upstash-Method and the published Content-Type", async () => {
    const { dest, client } = await open();
    const body = "plain text, ünïcode ✓";
    await client.publish({
      url: `${dest.url}/put`,
      body,
      method: "PUT",
      headers: { "Content-Type": "text/plain; charset=utf-8" },
    });
    const [d] = await until(() => dest.deliveries.length === 1 && dest.deliveries, "the delivery");
    expect(d).toMatchObject({ method: "PUT", body });
    expect(d?.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(await verify(d as Delivery)).toBe(true);
  });
});

describe("URL groups", () => {
  test("fan out to one message per endpoint, each signed with its own subject", async () => {
    const { dest, client } = await open();
    const [a, b] = [`${dest.url}/region-a`, `${dest.url}/region-b`];
    await client.urlGroups.addEndpoints({ name: "regions", endpoints: [{ url: a }] });
    await client.urlGroups.addEndpoints({ name: "regions", endpoints: [{ name: "eu", url: b }] });
    expect(await client.urlGroups.get("regions")).toMatchObject({
      name: "regions",
      createdAt: expect.any(Number),
      endpoints: [{ url: a }, { name: "eu", url: b }],
    });
    expect((await client.urlGroups.list()).map((g) => g.name)).toEqual(["regions"]);

    const res = (await client.publishJSON({ urlGroup: "regions", body: { n: 1 } })) as unknown;
    const fanned = res as Published[];
    expect(fanned).toEqual([
      { messageId: expect.stringMatching(/^msg_/), url: a },
      { messageId: expect.stringMatching(/^msg_/), url: b },
    ]);
    expect(fanned[0]?.messageId).not.toBe(fanned[1]?.messageId);
    await until(() => dest.deliveries.length === 2, "both deliveries");
    for (const [i, url] of [a, b].entries()) {
      const [d] = dest.to(url.slice(dest.url.length));
      expect(d?.headers["upstash-topic-name"]).toBe("regions");
      expect(d?.headers["upstash-message-id"]).toBe(fanned[i]?.messageId);
      expect(await verify(d as Delivery)).toBe(true);
      const other = i === 0 ? b : a;
      await expect(verify({ ...(d as Delivery), url: other })).rejects.toThrow("invalid subject");
    }

    await client.urlGroups.removeEndpoints({ name: "regions", endpoints: [{ url: a }] });
    await client.publishJSON({ urlGroup: "regions", body: { n: 2 } });
    await until(() => dest.to("/region-b").length === 2, "the second fan-out");
    expect(dest.to("/region-a")).toHaveLength(1);

    await client.urlGroups.delete("regions");
    await expect(client.urlGroups.get("regions")).rejects.toMatchObject({ status: 404 });
    await expect(client.publishJSON({ urlGroup: "regions", body: {} })).rejects.toMatchObject({
      status: 404,
    });
  });
});

describe("batch", () => {
  test("batchJSON stores URL, URL-group and queued messages in one call", async () => {
    const { dest, client } = await open();
    await client.urlGroups.addEndpoints({
      name: "g",
      endpoints: [{ url: `${dest.url}/g1` }, { url: `${dest.url}/g2` }],
    });
    const res = (await client.batchJSON([
      { url: `${dest.url}/one`, body: { n: 1 } },
      { urlGroup: "g", body: { n: 2 }, headers: { "x-a": "1" } },
      { url: `${dest.url}/queued`, body: { n: 3 }, queueName: "qq" },
    ])) as unknown[];
    expect(res).toEqual([
      { messageId: expect.any(String), url: `${dest.url}/one` },
      [
        { messageId: expect.any(String), url: `${dest.url}/g1` },
        { messageId: expect.any(String), url: `${dest.url}/g2` },
      ],
      { messageId: expect.any(String), url: `${dest.url}/queued` },
    ]);
    await until(() => dest.deliveries.length === 4, "four deliveries");
    expect(dest.to("/one")[0]?.body).toBe('{"n":1}');
    expect(dest.to("/g2")[0]?.headers["x-a"]).toBe("1");
    expect(dest.to("/queued")[0]?.body).toBe('{"n":3}');
    for (const d of dest.deliveries) expect(await verify(d)).toBe(true);
    const queue = client.queue({ queueName: "qq" });
    await until(async () => (await queue.get()).lag === 0, "the queue to drain");
  });

  test("a batch with one invalid message stores none of them", async () => {
    const { dest, client } = await open();
    await expect(
      client.batchJSON([
        { url: `${dest.url}/ok`, body: 1 },
        { url: `${dest.url}/bad`, body: 2, retryDelay: "eval(1)" },
      ]),
    ).rejects.toMatchObject({ status: 400 });
    await sleep(50);
    expect(dest.deliveries).toEqual([]);
  });
});

describe("deduplication", () => {
  test("a repeated deduplication id returns the first messageId with 202 and delivers once", async () => {
    const { dest, client, relay } = await open({ timeScale: 0.01 });
    const url = `${dest.url}/dedup`;
    const first = await client.publishJSON({
      url,
      body: { n: 1 },
      deduplicationId: "evt-1",
      delay: 10,
    });
    const again = await client.publishJSON({ url, body: { n: 2 }, deduplicationId: "evt-1" });
    expect(again).toEqual({ messageId: first.messageId, url, deduplicated: true });
    const rawAgain = await raw(relay.url, `/v2/publish/${url}`, {
      method: "POST",
      headers: { "upstash-deduplication-id": "evt-1" },
      body: "x",
    });
    expect(rawAgain.status).toBe(202);
    // Ids are scoped by destination: the same event id may go to another region.
    const elsewhere = await client.publishJSON({
      url: `${url}-eu`,
      body: { n: 1 },
      deduplicationId: "evt-1",
    });
    expect(elsewhere.messageId).not.toBe(first.messageId);
    await until(() => dest.deliveries.length === 2, "two deliveries");
    await sleep(100);
    expect(dest.to("/dedup").map((d) => d.body)).toEqual(['{"n":1}']);
  });

  test("content-based deduplication treats an identical body as a duplicate", async () => {
    const { dest, client } = await open();
    const url = `${dest.url}/content`;
    const publish = (n: number) =>
      client.publishJSON({ url, body: { n }, contentBasedDeduplication: true });
    const [a, b, c] = [await publish(1), await publish(1), await publish(2)];
    expect(b.messageId).toBe(a.messageId);
    expect(c.messageId).not.toBe(a.messageId);
    await until(() => dest.deliveries.length === 2, "two deliveries");
    await sleep(50);
    expect(dest.deliveries.map((d) => d.body).sort()).toEqual(['{"n":1}', '{"n":2}']);
  });
});

describe("REST surface", () => {
  test("every route needs the bearer token and answers 401 with an error body", async () => {
    const { relay, dest } = await open();
    for (const token of [null, "wrong"]) {
      for (const [method, path] of [
        ["GET", "/v2/keys"],
        ["POST", `/v2/publish/${dest.url}/x`],
        ["GET", "/v2/dlq"],
        ["GET", "/v2/nowhere"],
      ] as const) {
        const res = await raw(relay.url, path, { method, token });
        expect(res.status).toBe(401);
        expect(res.json).toEqual({ error: expect.stringContaining("Unauthorized") });
      }
    }
    await sleep(30);
    expect(dest.deliveries).toEqual([]);
  });

  test("GET /v2/keys returns the signing keys; unknown routes answer 404 with an error body", async () => {
    const { relay } = await open();
    const keys = await raw(relay.url, "/v2/keys");
    expect(keys.json).toEqual({ current: DEV_CURRENT_SIGNING_KEY, next: DEV_NEXT_SIGNING_KEY });
    for (const [method, path] of [
      ["GET", "/v2/nowhere"],
      ["GET", "/v2/publish/http://x"],
      ["PUT", "/v2/keys"],
    ]) {
      const res = await raw(relay.url, path as string, { method });
      expect(res.status).toBe(404);
      expect(res.json).toEqual({ error: expect.any(String) });
    }
  });

  test("rejects oversized bodies with 413 and bad options with 400, storing nothing", async () => {
    const { relay, dest, client } = await open({ maxBodyBytes: 1024 });
    const big = await raw(relay.url, `/v2/publish/${dest.url}/big`, {
      method: "POST",
      body: "x".repeat(4096),
    });
    expect(big.status).toBe(413);
    expect(big.json).toEqual({ error: expect.stringContaining("1024") });
    const bad = (options: object) =>
      client.publishJSON({ url: `${dest.url}/bad`, body: {}, ...options });
    const refused = await bad({ retryDelay: "process.exit(1)" }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(QstashError);
    expect(refused).toMatchObject({ status: 400 });
    expect((refused as Error).message).toContain("invalid Upstash-Retry-Delay");
    await expect(bad({ delay: "soon" })).rejects.toMatchObject({ status: 400 });
    await expect(bad({ retries: 1000 })).rejects.toMatchObject({ status: 400 });
    await expect(client.publish({ url: "ftp://example.com/x", body: "" })).rejects.toMatchObject({
      status: 400,
    });
    await expect(client.publish({ urlGroup: "missing", body: "" })).rejects.toMatchObject({
      status: 404,
    });
    await sleep(50);
    expect(dest.deliveries).toEqual([]);
    expect((await client.dlq.listMessages()).messages).toEqual([]);
  });
});

test("refuses publishes beyond maxPendingMessages with 429", async () => {
  const { dest, client } = await open({ maxPendingMessages: 2, timeScale: 0.01 });
  await client.publishJSON({ url: `${dest.url}/a`, body: {}, delay: 20 });
  await client.publishJSON({ url: `${dest.url}/b`, body: {}, delay: 20 });
  await expect(client.publishJSON({ url: `${dest.url}/c`, body: {} })).rejects.toMatchObject({
    status: 429,
  });
  await until(() => dest.deliveries.length === 2, "the two accepted messages");
  await client.publishJSON({ url: `${dest.url}/c`, body: {} });
  await until(() => dest.to("/c").length === 1, "room again once delivered");
});

test("the dev receiver fixture holds the QStash dev keys", () => {
  expect(devReceiver()).toMatchObject({
    currentSigningKey: DEV_CURRENT_SIGNING_KEY,
    nextSigningKey: DEV_NEXT_SIGNING_KEY,
  });
});
