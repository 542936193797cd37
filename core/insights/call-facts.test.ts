// Where the purchase stands, read from the call beside the profile: the procurement gates
// pending (the most binding decides the stage), the budget state the customer states, and
// the product lines in play. Only the customer's words count.
import { describe, expect, test } from "vitest";
import type { z } from "zod";
import { callFacts } from "./call-facts.ts";
import { turnOf } from "./fixtures.ts";
import { CustomerProfile } from "./schema.ts";

const said = turnOf;
const facts = (utterances: ReturnType<typeof said>[], p: z.input<typeof CustomerProfile> = {}) =>
  callFacts(utterances, CustomerProfile.parse(p), 6);

describe("[P] procurement stage", () => {
  test("no gate said and none in the profile: none", () => {
    expect(facts([said("customer", ["purchase-intent", "想买"])]).procurement).toEqual({
      stage: "none",
      gates: [],
      budget: "unknown",
      evidence: [],
    });
  });

  test("every gate said is listed, the most binding first, and decides the stage", () => {
    const call = [
      said("customer", ["approval-pending", "等审批"]),
      said("customer", ["committee-review", "上会"], ["tender", "招标"]),
    ];
    expect(facts(call).procurement).toMatchObject({
      stage: "tender",
      gates: ["tender", "committee-review", "approval-pending"],
      evidence: [0, 1],
    });
  });

  test("the profile's tender or committee is a gate without a word in the call", () => {
    expect(facts([], { procurementAuthority: "tender" }).procurement.stage).toBe("tender");
    expect(facts([], { procurementAuthority: "committee" }).procurement.stage).toBe(
      "committee-review",
    );
    expect(facts([], { procurementAuthority: "budget-holder" }).procurement.stage).toBe("none");
    const both = facts([said("customer", ["three-quotes", "比价"])], {
      procurementAuthority: "committee",
    });
    expect(both.procurement.gates).toEqual(["three-quotes", "committee-review"]);
  });

  test("the rep naming a gate is no gate", () => {
    expect(facts([said("rep", ["tender", "招标"])]).procurement.stage).toBe("none");
  });

  test("a budget the customer says is approved is approved, whatever the profile said", () => {
    const unapproved = { budgetCycle: { budgetApproved: false, fiscalYearStartMonth: 9 } };
    expect(facts([], unapproved).procurement.budget).toBe("planning");
    const call = [said("customer", ["budget-approved", "预算批下来了"])];
    expect(facts(call, unapproved).procurement).toMatchObject({
      budget: "approved",
      evidence: [0],
    });
  });
});

describe("[L] product lines in play", () => {
  test("the customer's lines in the order named, then the profile's; the rep's do not count", () => {
    const call = [
      said("rep", ["product-mention", "CT", "ct"]),
      said(
        "customer",
        ["product-mention", "彩超", "ultrasound"],
        ["product-mention", "超声", "ultrasound"],
      ),
      said("customer", ["product-mention", "监护仪", "monitors"]),
    ];
    const f = facts(call, { productLines: ["lab"] });
    expect(f.lines).toEqual({ call: ["ultrasound", "monitors"], profile: ["lab"] });
    expect([...f.touched]).toEqual(["ultrasound", "monitors", "lab"]);
  });

  test("a month outside 1–12 is a caller's bug and throws", () => {
    expect(() => callFacts([], CustomerProfile.parse({}), 13)).toThrow(RangeError);
  });
});
