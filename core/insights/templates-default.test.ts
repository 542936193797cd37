// The built-in templates and triggers speak both languages: every one has Simplified
// Chinese and English text, and the two fill in the same values. And each reason quotes
// only what supports it: the signal kinds it names as evidence fit what it talks about.
import { describe, expect, test } from "vitest";
import { evidenceKinds } from "./actions.ts";
import { languageOf } from "./language.ts";
import { DEFAULT_PRODUCT_LINES } from "./product-lines-default.ts";
import {
  Locale,
  type LocalisedText,
  PROCUREMENT_GATES,
  type SignalKind,
  type Topic,
} from "./schema.ts";
import { DEFAULT_TEMPLATES } from "./templates-default.ts";
import { DEFAULT_TRIGGERS } from "./triggers-default.ts";

const placeholders = (text: string) => new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]));

function expectBilingual(name: string, texts: { title: LocalisedText; reason: LocalisedText }) {
  for (const field of ["title", "reason"] as const) {
    const text = texts[field];
    if (typeof text === "string") throw new Error(`${name} ${field} is not per locale`);
    expect(Object.keys(text).sort(), `${name} ${field}`).toEqual([...Locale.options].sort());
    expect(placeholders(text.zh!), `${name} ${field}`).toEqual(placeholders(text.en!));
    expect(languageOf(text.zh!.replace(/\{\w+\}/g, "")), `${name} ${field}.zh`).toBe("zh");
    expect(languageOf(text.en!), `${name} ${field}.en`).toBe("other");
  }
}

test("every built-in template and trigger has zh and en text and the same placeholders in both", () => {
  expect(DEFAULT_TEMPLATES.length).toBeGreaterThan(20);
  for (const t of DEFAULT_TEMPLATES) expectBilingual(t.strategy, t);
  expect(DEFAULT_TRIGGERS.map((t) => t.strategy)).toEqual([
    "trigger.competitor-price-win-back",
    "trigger.service-recovery",
    "trigger.renewal-window",
    "trigger.budget-month",
  ]);
  for (const t of DEFAULT_TRIGGERS) expectBilingual(t.strategy, t);
});

describe("[E] evidence that supports the reason", () => {
  /**
   * What a reason of each topic talks about, and so the only kinds it may quote: a product
   * or a scale-based reason never quotes a price word, a service one never a competitor.
   */
  const SUPPORTS: Record<Topic, readonly SignalKind[]> = {
    close: ["purchase-intent", ...PROCUREMENT_GATES],
    product: ["purchase-intent", "product-mention"],
    price: ["price-sensitivity"],
    budget: ["price-sensitivity", "objection", "purchase-intent"],
    service: ["service-concern"],
    competitor: ["competitor-mention"],
    objection: ["objection"],
    relationship: [],
  };

  test.each(DEFAULT_TEMPLATES.map((t) => [t.strategy, t] as const))(
    "%s quotes only kinds its topic's reason speaks of",
    (_, t) => {
      for (const kind of evidenceKinds(t)) expect(SUPPORTS[t.topic]).toContain(kind);
      // A template that quotes cites something; one that cites nothing is moved by mood.
      const quotes = JSON.stringify([t.title, t.reason]).includes("{quotes}");
      expect(quotes).toBe(evidenceKinds(t).length > 0);
    },
  );

  test("a product-mention is quoted only by a template about product lines", () => {
    for (const t of DEFAULT_TEMPLATES) {
      if (evidenceKinds(t).includes("product-mention")) expect(t.lines, t.strategy).toBeDefined();
    }
  });
});

describe("[L] product lines", () => {
  const lines = new Map(DEFAULT_PRODUCT_LINES.map((l) => [l.id, l]));

  test("every line a built-in template names is in the vocabulary, of the template's industry", () => {
    for (const t of DEFAULT_TEMPLATES) {
      for (const id of [...(t.lines ?? []), ...(t.upgradeFrom ?? [])]) {
        expect(lines.get(id)?.industry, `${t.strategy}: ${id}`).toBe(t.industry);
      }
    }
  });

  test("the vocabulary covers four industries, and no word names two lines", () => {
    expect(new Set(DEFAULT_PRODUCT_LINES.map((l) => l.industry))).toEqual(
      new Set(["medical-devices", "education", "manufacturing", "software"]),
    );
    const owner = new Map<string, string>();
    for (const l of DEFAULT_PRODUCT_LINES) {
      for (const k of l.keywords) {
        expect(owner.get(k.toLowerCase()), `${k} in ${l.id}`).toBeUndefined();
        owner.set(k.toLowerCase(), l.id);
      }
    }
  });

  test("MRI / CT are offered only for MRI / CT; an upgrade to CT only from X-ray, saying so", () => {
    const flagship = DEFAULT_TEMPLATES.find((t) => t.strategy === "medical.flagship-imaging-demo")!;
    expect(flagship.lines).toEqual(["mri", "ct"]);
    expect(flagship.upgradeFrom).toBeUndefined();
    for (const t of DEFAULT_TEMPLATES.filter((x) => x.upgradeFrom)) {
      for (const locale of Locale.options) {
        expect((t.reason as Record<string, string>)[locale]).toContain("{upgrade}");
      }
    }
  });
});

test("[P] close-now waits for every procurement gate; each gate has its process action", () => {
  const close = DEFAULT_TEMPLATES.find((t) => t.strategy === "generic.close-now")!;
  expect(close.when.stages).toEqual(["none"]);
  for (const gate of PROCUREMENT_GATES) {
    const process = DEFAULT_TEMPLATES.filter(
      (t) => t.topic === "close" && t.when.stages?.includes(gate) && t.industry === "any",
    );
    expect(process.length, gate).toBeGreaterThan(0);
  }
});
