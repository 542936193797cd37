// [LF4] the jurisdiction map decides which regions may hold an account unmasked.
import { describe, expect, test } from "vitest";
import {
  DEFAULT_JURISDICTIONS,
  JurisdictionMap,
  jurisdictionOf,
  mayHoldUnmasked,
  regionsOf,
} from "./jurisdiction.ts";

describe("jurisdictions", () => {
  test("the default map puts cn-east and cn-south in cn, eu-central in eu", () => {
    expect(jurisdictionOf("cn-east")).toBe("cn");
    expect(jurisdictionOf("cn-south")).toBe("cn");
    expect(jurisdictionOf("eu-central")).toBe("eu");
    expect(jurisdictionOf("us-west")).toBeNull();
    expect(regionsOf("cn")).toEqual(["cn-east", "cn-south"]);
    expect(regionsOf("us")).toEqual([]);
  });

  test("[LF4] only regions of the account's residency may hold it unmasked", () => {
    expect(mayHoldUnmasked("cn-east", "cn")).toBe(true);
    expect(mayHoldUnmasked("eu-central", "cn")).toBe(false);
    expect(mayHoldUnmasked("eu-central", "eu")).toBe(true);
    expect(mayHoldUnmasked("cn-south", "eu")).toBe(false);
    expect(mayHoldUnmasked("us-west", "cn")).toBe(false);
  });

  test("a tenant map validates: one jurisdiction per region, none empty", () => {
    expect(JurisdictionMap.parse(DEFAULT_JURISDICTIONS)).toEqual(DEFAULT_JURISDICTIONS);
    const map = JurisdictionMap.parse({ cn: ["cn-east"], eu: ["eu-central", "eu-west"] });
    expect(mayHoldUnmasked("eu-west", "eu", map)).toBe(true);
    expect(JurisdictionMap.safeParse({ cn: ["cn-east"], eu: ["cn-east"] }).success).toBe(false);
    expect(JurisdictionMap.safeParse({ cn: [] }).success).toBe(false);
    expect(JurisdictionMap.safeParse({ CN: ["cn-east"] }).success).toBe(false);
    expect(JurisdictionMap.safeParse({ cn: ["CN East"] }).success).toBe(false);
  });
});
