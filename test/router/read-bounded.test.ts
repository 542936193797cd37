// Bounded body reads: what lets the router learn from streamed customer views without
// ever buffering more than its limit.
import { describe, expect, test } from "vitest";
import { readBounded } from "../../replication/body.ts";

function stream(...chunks: string[]) {
  const encoder = new TextEncoder();
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = chunks.shift();
      if (next === undefined) controller.close();
      else controller.enqueue(encoder.encode(next));
    },
    cancel() {
      cancelled = true;
    },
  });
  return { body, cancelled: () => cancelled };
}

describe("readBounded", () => {
  test("returns the whole body when it fits, however it is chunked", async () => {
    const bytes = await readBounded(stream("ab", "cd", "e").body, 5);
    expect(new TextDecoder().decode(bytes!)).toBe("abcde");
  });

  test("gives up and cancels the stream once the body passes the limit", async () => {
    const s = stream("abc", "def", "never read");
    expect(await readBounded(s.body, 5)).toBeNull();
    expect(s.cancelled()).toBe(true);
  });

  test("treats a missing body as empty", async () => {
    expect(await readBounded(null, 5)).toEqual(new Uint8Array(0));
  });
});
