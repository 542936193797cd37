// When messages go out: Upstash-Delay (scaled) and Upstash-Not-Before (absolute), cancelling
// pending messages, FIFO queues with parallelism 1, and pending work surviving a restart.

import { describe, expect, test } from "vitest";
import { type Delivery, open, sleep, until, verify } from "./harness.ts";

describe("delay and not-before", () => {
  test("Upstash-Delay holds a message for the scaled delay, visible via messages.get", async () => {
    const { dest, client } = await open({ timeScale: 0.01 });
    const before = Date.now();
    // 20 s of QStash time = 200 ms here.
    const { messageId } = await client.publishJSON({
      url: `${dest.url}/later`,
      body: {},
      delay: "20s",
    });
    const pending = await client.messages.get(messageId);
    expect(pending).toMatchObject({ messageId, url: `${dest.url}/later`, method: "POST" });
    expect(pending.notBefore).toBeGreaterThanOrEqual(before + 200);
    expect(pending.notBefore).toBeLessThanOrEqual(Date.now() + 200);
    const [d] = await until(() => dest.deliveries.length === 1 && dest.deliveries, "the delivery");
    expect(d?.at).toBeGreaterThanOrEqual(pending.notBefore as number);
    expect(await verify(d as Delivery)).toBe(true);
  });

  test("Upstash-Not-Before is an absolute unix time and wins over a delay", async () => {
    const { dest, client } = await open({ timeScale: 0.001 });
    // At least 500 ms away, so the early check below cannot race the due time.
    const notBefore = Math.ceil((Date.now() + 500) / 1000);
    await client.publishJSON({ url: `${dest.url}/at`, body: {}, notBefore, delay: 1 });
    await sleep(100);
    expect(dest.deliveries).toEqual([]);
    const [d] = await until(() => dest.deliveries.length === 1 && dest.deliveries, "the delivery");
    expect(d?.at).toBeGreaterThanOrEqual(notBefore * 1000);
  });
});

describe("cancel", () => {
  test("a cancelled pending message is never delivered", async () => {
    const { dest, client } = await open({ timeScale: 0.01 });
    const url = `${dest.url}/cancelled`;
    const { messageId } = await client.publishJSON({ url, body: { n: 1 }, delay: 30 });
    expect(await client.messages.get(messageId)).toMatchObject({ messageId, body: '{"n":1}' });
    expect(await client.messages.cancel(messageId)).toEqual({ cancelled: 1 });
    await expect(client.messages.get(messageId)).rejects.toMatchObject({ status: 404 });
    await expect(client.messages.cancel(messageId)).rejects.toMatchObject({ status: 404 });
    // A control message published with the same delay shows the wait was long enough.
    await client.publishJSON({ url: `${dest.url}/control`, body: {}, delay: 30 });
    await until(() => dest.to("/control").length === 1, "the control delivery");
    await sleep(50);
    expect(dest.to("/cancelled")).toEqual([]);
  });

  test("bulk cancel takes ids or everything pending", async () => {
    const { dest, client } = await open({ timeScale: 0.01 });
    const ids = [];
    for (const n of [1, 2, 3])
      ids.push(
        (await client.publishJSON({ url: `${dest.url}/m${n}`, body: {}, delay: 30 })).messageId,
      );
    expect(await client.messages.cancel([ids[0] as string, ids[1] as string])).toEqual({
      cancelled: 2,
    });
    expect(await client.messages.cancel({ all: true })).toEqual({ cancelled: 1 });
    await sleep(400);
    expect(dest.deliveries).toEqual([]);
  });
});

describe("queues", () => {
  test("deliver in FIFO order, one at a time, a failing head holding the rest back", async () => {
    const { dest, client } = await open({}, (d, i) => ({
      status: i === 0 ? 500 : 200,
      delayMs: (Number(JSON.parse(d.body).n) * 7) % 20,
    }));
    const queue = client.queue({ queueName: "ordered" });
    for (let n = 0; n < 6; n++) await queue.enqueueJSON({ url: `${dest.url}/q`, body: { n } });
    await until(() => dest.deliveries.length === 7, "seven attempts");
    expect(dest.deliveries.map((d) => JSON.parse(d.body).n)).toEqual([0, 0, 1, 2, 3, 4, 5]);
    dest.deliveries.slice(1).forEach((d, i) => {
      const previous = dest.deliveries[i] as Delivery;
      expect(d.at).toBeGreaterThanOrEqual(previous.doneAt as number);
    });
    const drained = await until(async () => {
      const info = await queue.get();
      return info.lag === 0 && info;
    }, "the queue to drain");
    expect(drained).toMatchObject({ name: "ordered", parallelism: 1 });
  });

  test("a paused queue holds its messages until resumed", async () => {
    const { dest, client } = await open();
    const queue = client.queue({ queueName: "held" });
    await queue.upsert({ parallelism: 1 });
    await queue.pause();
    await queue.enqueueJSON({ url: `${dest.url}/held`, body: {} });
    await sleep(100);
    expect(dest.deliveries).toEqual([]);
    expect(await queue.get()).toMatchObject({ paused: true, lag: 1 });
    await queue.resume();
    await until(() => dest.deliveries.length === 1, "the delivery after resume");
  });
});

describe("durability", () => {
  test("pending and in-retry messages survive a restart and are delivered exactly once", async () => {
    // timeScale 0.01: the delayed message is due 1 s after publish and the retry 300 ms after
    // the failed attempt, both long enough for the restart to come first.
    const { dest, client, relay } = await open({ timeScale: 0.01 }, (d) => ({
      status: d.url.endsWith("/retrying") && d.headers["upstash-retried"] === "0" ? 500 : 200,
    }));
    await client.urlGroups.addEndpoints({ name: "kept", endpoints: [{ url: `${dest.url}/k` }] });
    const published = Date.now();
    const delayed = await client.publishJSON({ url: `${dest.url}/delayed`, body: {}, delay: 100 });
    const retrying = await client.publishJSON({
      url: `${dest.url}/retrying`,
      body: {},
      retryDelay: "30000",
    });
    await until(() => dest.to("/retrying").length === 1, "the first, failing attempt");
    await relay.restart();
    expect(await relay.client.messages.get(delayed.messageId)).toMatchObject({
      notBefore: expect.any(Number),
    });
    expect(dest.to("/delayed")).toEqual([]);

    const [late] = await until(
      () => dest.to("/delayed").length === 1 && dest.to("/delayed"),
      "delayed",
    );
    expect(late?.at).toBeGreaterThanOrEqual(published + 1000);
    expect(late?.headers["upstash-message-id"]).toBe(delayed.messageId);
    await until(() => dest.to("/retrying").length === 2, "the retry after restart");
    expect(dest.to("/retrying")[1]?.headers).toMatchObject({
      "upstash-message-id": retrying.messageId,
      "upstash-retried": "1",
    });
    await sleep(200);
    expect(dest.deliveries).toHaveLength(3);
    expect((await relay.client.urlGroups.get("kept")).endpoints).toEqual([
      { url: `${dest.url}/k` },
    ]);
  });
});
