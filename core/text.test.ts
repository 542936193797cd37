// Free text is NFC and carries no control or bidi-override characters; a refusal names
// the field (through the schema's path) and the character.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Utterance } from "./insights/schema.ts";
import { CustomerCreate, PaymentCreate, SignatureCreate } from "./schemas.ts";
import { FreeText, normalizeText, unsafeTextReason } from "./text.ts";

type Parsed = { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } };
const issuesOf = (r: Parsed) =>
  r.error?.issues.map((i) => ({ path: i.path.join("."), message: i.message })) ?? [];

describe("free text", () => {
  test("is stored in NFC: a decomposed é is the composed é", () => {
    const decomposed = "Cafe\u0301 Müller";
    const parsed = FreeText(50).parse(decomposed);
    expect(parsed).toBe("Café Müller".normalize("NFC"));
    expect(parsed.length).toBe(decomposed.length - 1);
  });

  test.each([
    ["U+202E right-to-left override", "invoice\u202Etxt.exe", "U+202E"],
    ["U+2066 left-to-right isolate", "a\u2066b", "U+2066"],
    ["U+202A left-to-right embedding", "\u202Aname", "U+202A"],
    ["a NUL", "a\u0000b", "U+0000"],
    ["an escape", "a\u001b[31mred", "U+001B"],
    ["a line feed in a single-line field", "two\nlines", "U+000A"],
    ["a C1 control", "a\u0085b", "U+0085"],
    ["a line separator", "a\u2028b", "U+2028"],
    ["a lone surrogate", "a\uD800b", "U+D800"],
  ])("refuses %s, naming the character", (_, text, cp) => {
    const r = FreeText(100).safeParse(text);
    expect(r.success).toBe(false);
    expect(issuesOf(r)[0]!.message).toContain(cp);
  });

  test("keeps the marks mixed-direction text needs (LRM, RLM, ALM) and every script", () => {
    for (const ok of [
      "שלום\u200F (Tel Aviv)",
      "\u200EABC",
      "مرحبا\u061C",
      "上海测试医疗器械有限公司",
      "Ørsted A/S",
    ])
      expect(unsafeTextReason(ok)).toBeNull();
  });

  test("multi-line text keeps line feeds and tabs, folds CR LF, refuses other controls", () => {
    expect(FreeText(100, { multiline: true }).parse("a\r\nb\tc\rd")).toBe("a\nb\tc\nd");
    expect(unsafeTextReason("a\u0007b", { multiline: true })).toContain("U+0007");
    expect(unsafeTextReason("a\u202Eb", { multiline: true })).toContain("U+202E");
  });

  test("normalisation is idempotent and accepted text is always free of refused characters (property)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), (s) => {
        const n = normalizeText(s);
        expect(normalizeText(n)).toBe(n);
        const r = FreeText(200).safeParse(s);
        if (r.success) {
          expect(r.data).toBe(r.data.normalize("NFC"));
          expect(r.data).not.toMatch(/[\p{Cc}\u202a-\u202e\u2066-\u2069\u2028\u2029]/u);
        }
      }),
      { numRuns: 500 },
    );
  });

  test("the API's names, titles and signers refuse them with the field's path", () => {
    const customer = CustomerCreate.safeParse({
      name: "ACME\u202E",
      residency: "cn",
      contacts: [{ name: "张三\u0000" }],
    });
    expect(issuesOf(customer).map((i) => i.path)).toEqual(["name", "contacts.0.name"]);
    const signature = SignatureCreate.safeParse({
      party: "customer",
      signer: { name: "王五", title: "CFO\u2067" },
      documentHash: "a".repeat(64),
    });
    expect(issuesOf(signature).map((i) => i.path)).toEqual(["signer.title"]);
  });
});

describe("call transcripts (multi-line notes)", () => {
  test("keep line breaks and tabs but refuse bidi overrides and other controls, naming the field", () => {
    expect(Utterance.safeParse({ speaker: "customer", text: "价格太高\n\t再说" }).success).toBe(
      true,
    );
    for (const text of ["ok\u202Eko", "ok\u0000"]) {
      const r = Utterance.safeParse({ speaker: "customer", text });
      expect(issuesOf(r).map((i) => i.path)).toEqual(["text"]);
    }
  });
});

describe("payment references", () => {
  const body = (reference: string) => ({
    contractId: `ctr_${"0".repeat(26)}_${"0".repeat(16)}`,
    reference,
    amount: { value: 1, currency: "CNY" },
  });

  test("[LF2] are normalised before they key a payment: trimmed, inner white space removed, upper case", () => {
    for (const typed of [" icbc-1", "ICBC-1", "icbc -1\t", "ＩＣＢＣ－１"])
      expect(PaymentCreate.parse(body(typed)).reference).toBe("ICBC-1");
  });

  test("refuse what is not the printable ASCII of a bank reference, naming the field", () => {
    expect(issuesOf(PaymentCreate.safeParse(body("参考-1"))).map((i) => i.path)).toEqual([
      "reference",
    ]);
    expect(issuesOf(PaymentCreate.safeParse(body("  "))).map((i) => i.path)).toContain("reference");
  });
});
