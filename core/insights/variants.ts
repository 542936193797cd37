// Other wordings of a next-best action, for A/B tests (experiments.ts): what a template's
// `variants` holds, and the rules that keep a variant comparable with the template's own
// text (the control). schema.ts imports this file, so it imports nothing of schema.ts at
// run time.
import { z } from "zod";
import { FreeText } from "../text.ts";
import type { Locale, LocalisedText } from "./schema.ts";

/** The arm that serves the template's own text. */
export const CONTROL = "control";
/** Alternative wordings per template: with the control, at most four arms share the traffic. */
export const MAX_VARIANTS = 3;

const LOCALES = ["zh", "en"] as const satisfies readonly Locale[];
const PLACEHOLDER_RE = /\{([^{}]*)\}/g;
/** Placeholders a variant must keep where its template's reason has them: {upgrade} says
 * that an action models an upgrade path, which no rewording may hide. */
const KEPT = ["upgrade"];

/** A variant's text is given per locale (never one string for all): it is a translation's twin. */
const VariantText = (max: number) =>
  z
    .strictObject({ zh: FreeText(max).optional(), en: FreeText(max).optional() })
    .refine((t) => t.zh !== undefined || t.en !== undefined, {
      message: "give the text in at least one locale: zh or en",
    });

export const TemplateVariant = z
  .strictObject({
    id: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,31}$/, {
        message: "must be a short lower-case id such as tco-first",
      })
      .refine((id) => id !== CONTROL, { message: `${CONTROL} names the template's own text` }),
    title: VariantText(160),
    reason: VariantText(400),
  })
  .meta({ description: "Another wording of the template's title and reason, tested against it" });
export type TemplateVariant = z.infer<typeof TemplateVariant>;

export const TemplateVariants = z
  .array(TemplateVariant)
  .max(MAX_VARIANTS)
  .superRefine((variants, ctx) => {
    variants.forEach((v, i) => {
      if (variants.findIndex((o) => o.id === v.id) < i)
        ctx.addIssue({ code: "custom", path: [i, "id"], message: `${v.id} is given twice` });
    });
  })
  .meta({
    description: `Up to ${MAX_VARIANTS} other wordings for A/B tests: each gives every locale the template gives and uses only placeholders the template uses in that locale, so that it is offered exactly where the template is. An empty list turns off the built-in wordings of a built-in strategy`,
  });

const localesOf = (text: LocalisedText): Locale[] =>
  LOCALES.filter((l) => typeof text === "string" || text[l] !== undefined);
const textIn = (text: LocalisedText, l: Locale) => (typeof text === "string" ? text : text[l]);
const placeholders = (text: string | undefined) =>
  [...(text ?? "").matchAll(PLACEHOLDER_RE)].map((m) => m[1]!);

export type VariantIssue = { path: Array<string | number>; message: string };

/** What of a template its variants are checked against (structural: schema.ts calls it). */
type Varied = {
  title: LocalisedText;
  reason: LocalisedText;
  variants?: readonly TemplateVariant[] | undefined;
};

/**
 * Why a template's variants would not be comparable with it. A variant must be offered
 * wherever the control is, in the same language: a placeholder the control does not need
 * could leave it without a value (then core offers neither), and a missing locale would show
 * another language, so adoption would measure something else than the wording.
 */
export function variantIssues(template: Varied): VariantIssue[] {
  const shared = localesOf(template.title).filter((l) => localesOf(template.reason).includes(l));
  const issues: VariantIssue[] = [];
  (template.variants ?? []).forEach((v, i) => {
    const at = (...path: Array<string | number>) => ["variants", i, ...path];
    const [title, reason] = [localesOf(v.title), localesOf(v.reason)];
    if (title.join() !== reason.join())
      issues.push({ path: at("reason"), message: "must give the same locales as the title" });
    const missing = shared.filter((l) => !title.includes(l));
    if (missing.length)
      issues.push({
        path: at("title"),
        message: `give the text in ${missing.join(" and ")} too: the template gives it`,
      });
    for (const l of title) {
      // A locale the template lacks is compared with every locale the template gives.
      const allowed = new Set(
        (shared.includes(l) ? [l] : shared).flatMap((s) => [
          ...placeholders(textIn(template.title, s)),
          ...placeholders(textIn(template.reason, s)),
        ]),
      );
      const control = shared.includes(l) ? placeholders(textIn(template.reason, l)) : [];
      for (const name of KEPT.filter((k) => control.includes(k))) {
        if (!placeholders(v.reason[l]).includes(name))
          issues.push({
            path: at("reason", l),
            message: `must keep {${name}}, as the template does`,
          });
      }
      for (const field of ["title", "reason"] as const) {
        const text = v[field][l];
        if (text === undefined) continue;
        if (/[{}]/.test(text.replace(PLACEHOLDER_RE, "").normalize("NFKC")))
          issues.push({ path: at(field, l), message: "a brace outside a placeholder" });
        for (const name of placeholders(text).filter((p) => !allowed.has(p)))
          issues.push({
            path: at(field, l),
            message: `{${name}} is not used by the template in ${l}; a variant may use only the template's placeholders`,
          });
      }
    }
  });
  return issues;
}
