// Delivery outcomes: retries with QStash's backoff (or the message's / destination's override),
// the DLQ with its last response and redrive, non-retryable 489s, timeouts and callbacks.

import { describe, expect, test } from "vitest";
import { type Delivery, gaps, open, sleep, until, verify } from "./harness.ts";

const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("retries", () => {
  test("retry with e^(2.5n) backoff until the destination answers 2xx, then stop", async () => {
    // timeScale 0.001: the first retry waits ~12 ms, the second ~148 ms.
    const { dest, client } = await open({}, (_d, i) => ({ status: i < 2 ? 500 : 200 }));
    const { messageId } = await client.publishJSON({ url: `${dest.url}/flaky`, body: { n: 1 } });
    await until(() => dest.deliveries.length === 3, "three attempts");
    expect(dest.deliveries.map((d) => d.headers["upstash-retried"])).toEqual(["0", "1", "2"]);
    for (const d of dest.deliveries) {
      expect(d.headers["upstash-message-id"]).toBe(messageId);
      expect(await verify(d)).toBe(true);
    }
    const [first, second] = gaps(dest.deliveries) as [number, number];
    expect(first).toBeGreaterThanOrEqual(11);
    expect(second).toBeGreaterThanOrEqual(147);
    await sleep(300);
    expect(dest.deliveries).toHaveLength(3);
    await expect(client.messages.get(messageId)).rejects.toMatchObject({ status: 404 });
  });

  test("Upstash-Retry-Delay replaces the backoff, evaluated with retried = 0, 1, …", async () => {
    const { dest, client } = await open({}, (_d, i) => ({ status: i < 2 ? 500 : 200 }));
    // 100 s and 200 s of QStash time: 100 ms and 200 ms here (the default would be 12 and 148).
    await client.publishJSON({
      url: `${dest.url}/custom`,
      body: {},
      retryDelay: "100000 * (retried + 1)",
    });
    await until(() => dest.deliveries.length === 3, "three attempts");
    const [first, second] = gaps(dest.deliveries) as [number, number];
    expect(first).toBeGreaterThanOrEqual(99);
    expect(second).toBeGreaterThanOrEqual(199);
  });

  test("a destination's Retry-After sets the next attempt time", async () => {
    const { dest, client } = await open({}, (_d, i) =>
      i === 0 ? { status: 503, headers: { "Retry-After": "300" } } : { status: 200 },
    );
    await client.publishJSON({ url: `${dest.url}/busy`, body: {} });
    await until(() => dest.deliveries.length === 2, "the retry");
    expect(gaps(dest.deliveries)[0]).toBeGreaterThanOrEqual(299);
  });

  test("an attempt that outlives its timeout (relay default or Upstash-Timeout) is retried", async () => {
    const { dest, client } = await open({ deliveryTimeoutMs: 100 }, (d) => {
      const first = d.headers["upstash-retried"] === "0";
      return { status: 200, delayMs: !first ? 0 : d.url.endsWith("/slow") ? 400 : 1300 };
    });
    const started = Date.now();
    await Promise.all([
      client.publishJSON({ url: `${dest.url}/slow`, body: {} }),
      // Upstash-Timeout raises this message's limit above the relay's 100 ms default.
      client.publishJSON({ url: `${dest.url}/own-timeout`, body: {}, timeout: 1 }),
    ]);
    await until(() => dest.to("/slow").length === 2, "the retry after the default timeout");
    expect(dest.to("/slow")[1]?.headers["upstash-retried"]).toBe("1");
    // The timeout runs from when the relay sent the request, so measure from the publish.
    expect((dest.to("/slow")[1] as Delivery).at - started).toBeGreaterThanOrEqual(100);
    const own = await until(
      () => dest.to("/own-timeout").length === 2 && dest.to("/own-timeout"),
      "own retry",
    );
    expect(own[1]?.headers["upstash-retried"]).toBe("1");
    expect((own[1] as Delivery).at - started).toBeGreaterThanOrEqual(1000);
  });
});

describe("dead-letter queue", () => {
  test("exhausted retries land in the DLQ with the last response, and redrive delivers", async () => {
    let healthy = false;
    const { dest, client } = await open({}, (d) =>
      d.url.endsWith("/fail") && !healthy
        ? { status: 500, headers: { "X-Why": "down" }, body: "boom" }
        : { status: 200 },
    );
    const url = `${dest.url}/fail`;
    const { messageId } = await client.publishJSON({
      url,
      body: { n: 1 },
      retries: 2,
      failureCallback: `${dest.url}/failure-callback`,
      label: "billing",
    });
    const { messages } = await until(async () => {
      const page = await client.dlq.listMessages();
      return page.messages.length > 0 && page;
    }, "the DLQ entry");
    expect(dest.to("/fail")).toHaveLength(3);
    const [dead] = messages;
    expect(dead).toMatchObject({
      messageId,
      url,
      method: "POST",
      body: '{"n":1}',
      maxRetries: 2,
      label: "billing",
      dlqId: expect.stringMatching(/^\d+-\d+$/),
      responseStatus: 500,
      responseBody: "boom",
      responseHeader: expect.objectContaining({ "X-Why": ["down"] }),
    });
    await expect(client.messages.get(messageId)).rejects.toMatchObject({ status: 404 });

    const [callback] = await until(
      () => dest.to("/failure-callback").length === 1 && dest.to("/failure-callback"),
      "the failure callback",
    );
    expect(await verify(callback as Delivery)).toBe(true);
    expect(JSON.parse(callback?.body ?? "")).toMatchObject({
      status: 500,
      body: b64("boom"),
      retried: 2,
      maxRetries: 2,
      sourceMessageId: messageId,
      url,
      method: "POST",
      sourceBody: b64('{"n":1}'),
      dlqId: dead?.dlqId,
    });

    healthy = true;
    const { responses } = await client.dlq.retry([dead?.dlqId as string]);
    expect(responses).toEqual([{ messageId: expect.stringMatching(/^msg_/) }]);
    const redriven = responses[0]?.messageId;
    expect(redriven).not.toBe(messageId);
    const [, , , last] = await until(
      () => dest.to("/fail").length === 4 && dest.to("/fail"),
      "redrive",
    );
    expect(last?.headers).toMatchObject({ "upstash-message-id": redriven, "upstash-retried": "0" });
    expect(await verify(last as Delivery)).toBe(true);
    expect((await client.dlq.listMessages()).messages).toEqual([]);
  });

  test("489 with Upstash-NonRetryable-Error goes straight to the DLQ; a bare 489 is retried", async () => {
    const { dest, client } = await open({}, (d) =>
      d.url.endsWith("/final")
        ? { status: 489, headers: { "Upstash-NonRetryable-Error": "true" }, body: "no" }
        : { status: 489 },
    );
    const { messageId } = await client.publishJSON({
      url: `${dest.url}/final`,
      body: {},
      retries: 3,
    });
    await client.publishJSON({ url: `${dest.url}/plain`, body: {}, retries: 1 });
    await until(() => dest.to("/plain").length === 2, "the bare 489 retried");
    await sleep(100);
    expect(dest.to("/final")).toHaveLength(1);
    const { messages } = await client.dlq.listMessages({ filter: { url: `${dest.url}/final` } });
    expect(messages).toEqual([
      expect.objectContaining({ messageId, responseStatus: 489, responseBody: "no" }),
    ]);
  });

  test("keeps at most maxDlqMessages entries, dropping the oldest", async () => {
    const { dest, client } = await open({ maxDlqMessages: 2 }, () => ({ status: 500 }));
    for (const n of [1, 2, 3]) {
      await client.publishJSON({ url: `${dest.url}/capped-${n}`, body: { n }, retries: 0 });
      await until(() => dest.deliveries.length === n, `attempt ${n}`);
    }
    const urls = await until(async () => {
      const { messages } = await client.dlq.listMessages();
      return messages.some((m) => m.url.endsWith("-3")) && messages.map((m) => m.url);
    }, "the third DLQ entry");
    expect(urls).toEqual([`${dest.url}/capped-2`, `${dest.url}/capped-3`]);
  });

  test("lists by page and deletes single and all entries", async () => {
    const { dest, client } = await open({}, () => ({ status: 500 }));
    for (const n of [1, 2, 3])
      await client.publishJSON({ url: `${dest.url}/dead-${n}`, body: { n }, retries: 0 });
    await until(
      async () => (await client.dlq.listMessages()).messages.length === 3,
      "three DLQ entries",
    );
    const first = await client.dlq.listMessages({ count: 2 });
    expect(first.messages.map((m) => m.url)).toEqual([`${dest.url}/dead-1`, `${dest.url}/dead-2`]);
    expect(first.cursor).toEqual(expect.any(String));
    const second = await client.dlq.listMessages({ count: 2, cursor: first.cursor });
    expect(second.messages.map((m) => m.url)).toEqual([`${dest.url}/dead-3`]);
    expect(second.cursor).toBeUndefined();

    await client.dlq.delete(first.messages[0]?.dlqId as string);
    await expect(client.dlq.delete("0-0")).rejects.toMatchObject({ status: 404 });
    expect(await client.dlq.delete({ all: true })).toMatchObject({ deleted: 2 });
    expect((await client.dlq.listMessages()).messages).toEqual([]);
  });
});

test("Upstash-Callback receives every attempt's response as a signed message", async () => {
  const { dest, client } = await open({}, (d, i) =>
    d.url.endsWith("/work")
      ? { status: i === 0 ? 500 : 201, body: `answer ${i}` }
      : { status: 200 },
  );
  const { messageId } = await client.publishJSON({
    url: `${dest.url}/work`,
    body: { job: 1 },
    callback: `${dest.url}/callback`,
  });
  const calls = await until(
    () => dest.to("/callback").length === 2 && dest.to("/callback"),
    "two callbacks",
  );
  const bodies = calls.map((c) => JSON.parse(c.body));
  expect(bodies.map((b) => [b.status, b.retried, b.sourceMessageId]).sort()).toEqual([
    [201, 1, messageId],
    [500, 0, messageId],
  ]);
  for (const c of calls) expect(await verify(c)).toBe(true);
});
