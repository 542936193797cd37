// Widening a trained char-CNN (more classes, more characters) keeps what it answers: the old
// classes' logits and every text's reading are unchanged until training moves them.
import { describe, expect, test } from "vitest";
import { extract } from "../features/extract.ts";
import { encode, textChars } from "../features/vocab.ts";
import { forward, layout, workspace } from "./model.ts";
import { predictor } from "./predict.ts";
import { randomCnn } from "./random-artifact.ts";
import { widenCnn } from "./widen.ts";

const base = randomCnn(21, { classes: 2, widths: [1, 2, 3], wideBits: 6 });
const texts = ["价格太贵了", "服务很好，我们满意", "招标流程要走三个月", ""];

describe("widenCnn", () => {
  test("old classes keep their logits; the new class's logit is their mean", () => {
    const w = widenCnn(base, ["class-0", "neutral", "class-1"], ["招", "标"]);
    const l = layout(w.config);
    const ws = workspace(w.config, base.header.maxLen);
    const before = predictor(base);
    for (const text of texts) {
      const ids = encode(w.vocab, textChars(text), base.header.maxLen);
      forward(
        w.config,
        l,
        w.params,
        ids.length ? ids : Int32Array.of(0),
        extract(text, base.header.wideFeatures!),
        ws,
      );
      const z = Array.from(ws.logits);
      // Two-class softmax of the old logits is what the base answered.
      const p0 = before(text);
      const twoWay = Math.exp(z[0]!) / (Math.exp(z[0]!) + Math.exp(z[2]!));
      expect(twoWay).toBeCloseTo(p0[0]!, 5);
      expect(z[1]).toBeCloseTo((z[0]! + z[2]!) / 2, 4);
    }
  });

  test("a new character starts with the embedding of the bucket it hashed into", () => {
    const w = widenCnn(base, ["class-0", "class-1"], ["招"]);
    const E = base.config.embDim;
    const was = encode(base.vocab, ["招"], 1)[0]!;
    const now = encode(w.vocab, ["招"], 1)[0]!;
    expect(now).toBe(1 + base.vocab.chars.length);
    expect(Array.from(w.params.subarray(now * E, (now + 1) * E))).toEqual(
      Array.from(base.params.subarray(was * E, (was + 1) * E)),
    );
  });

  test("refuses to drop a class or to add a known character", () => {
    expect(() => widenCnn(base, ["class-0"], [])).toThrow(/drop class-1/);
    expect(() => widenCnn(base, ["class-0", "class-1"], ["价"])).toThrow(/new to the vocabulary/);
  });
});
