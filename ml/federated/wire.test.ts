import { describe, expect, test } from "vitest";
import { z } from "zod";
import { encodedLength } from "./codec.ts";
import {
  DecisionAnswerV1,
  MAX_FEDERATION_BODY_BYTES,
  PARAMS_LENGTH,
  PublishRequestV1,
  TrainRequestV1,
  UpdateAnswerV1,
} from "./wire.ts";

/** Every string in a JSON schema, with where it is and what constrains it. */
function strings(node: unknown, at = "#"): Array<{ at: string; node: Record<string, unknown> }> {
  if (Array.isArray(node)) return node.flatMap((n, i) => strings(n, `${at}/${i}`));
  if (typeof node !== "object" || node === null) return [];
  const n = node as Record<string, unknown>;
  const own = n.type === "string" ? [{ at, node: n }] : [];
  return [...own, ...Object.entries(n).flatMap(([k, v]) => strings(v, `${at}/${k}`))];
}

describe("[FL1] a round's messages have no room for a text", () => {
  test.each([
    ["TrainRequestV1", TrainRequestV1],
    ["UpdateAnswerV1", UpdateAnswerV1],
    ["PublishRequestV1", PublishRequestV1],
    ["DecisionAnswerV1", DecisionAnswerV1],
  ] as const)(
    "[FL1] every string of %s is an id, a hash, a closed reason or fixed-length base64",
    (_, schema) => {
      const found = strings(z.toJSONSchema(schema));
      expect(found.length).toBeGreaterThan(3);
      for (const { at, node } of found) {
        const pattern = typeof node.pattern === "string" ? new RegExp(node.pattern) : null;
        const closed = Array.isArray(node.enum) || "const" in node;
        // A pattern that admits no space and no CJK character cannot carry a sentence.
        const narrow = pattern !== null && !pattern.test("a b") && !pattern.test("价格");
        expect(closed || narrow, `${at}: ${JSON.stringify(node)}`).toBe(true);
      }
    },
  );

  test("[FL1] no message takes a field it does not name (strict objects)", () => {
    const update = {
      v: 1,
      re: "a".repeat(64),
      region: "eu-central",
      tenantId: "ten_demo",
      round: 1,
      kind: "declined",
      reason: "no-examples",
    };
    expect(UpdateAnswerV1.safeParse(update).success).toBe(true);
    expect(UpdateAnswerV1.safeParse({ ...update, rows: ["价格太贵了"] }).success).toBe(false);
    expect(UpdateAnswerV1.safeParse({ ...update, reason: "价格太贵了" }).success).toBe(false);
  });

  test("[FL2] the body limit holds one parameter vector and little else", () => {
    expect(MAX_FEDERATION_BODY_BYTES).toBeGreaterThan(encodedLength(PARAMS_LENGTH));
    expect(MAX_FEDERATION_BODY_BYTES).toBeLessThan(encodedLength(PARAMS_LENGTH) + 32 * 1024);
  });
});
