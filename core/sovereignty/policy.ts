// Field policies (DESIGN §4): which personal fields are restricted, and what an
// out-of-jurisdiction copy carries instead — nothing (omit), a mask, or a keyed hash.
import { z } from "zod";

export const RestrictableField = z.enum([
  "customer.name",
  "customer.taxId",
  "contact.name",
  "contact.phone",
  "contact.email",
  "signer.name",
  "signer.title",
  "signer.email",
]);
export type RestrictableField = z.infer<typeof RestrictableField>;

export const MaskAction = z.enum(["omit", "mask", "hash"]);
export type MaskAction = z.infer<typeof MaskAction>;

export const FieldRule = z.strictObject({ restricted: z.literal(true), action: MaskAction });
export type FieldRule = z.infer<typeof FieldRule>;

/** Fields an event cannot be valid without: they can be masked or hashed, never omitted. */
const REQUIRED: ReadonlySet<RestrictableField> = new Set([
  "customer.name",
  "contact.name",
  "signer.name",
]);

/** Field → rule; a field not listed is not restricted and crosses borders as it is. */
export const FieldPolicy = z
  .partialRecord(RestrictableField, FieldRule)
  .superRefine((policy, ctx) => {
    for (const [field, rule] of Object.entries(policy)) {
      if (rule?.action === "omit" && REQUIRED.has(field as RestrictableField)) {
        ctx.addIssue({
          code: "custom",
          path: [field, "action"],
          message: `${field} is required in events; mask or hash it instead of omitting it`,
        });
      }
    }
  })
  .meta({ id: "FieldPolicy" });
export type FieldPolicy = z.infer<typeof FieldPolicy>;

/**
 * Personal data of natural persons is restricted; the customer's (company) name is kept,
 * because global reporting needs it. The tax id is hashed with the tenant's key so it
 * still joins across regions without being readable.
 */
export const DEFAULT_FIELD_POLICY: FieldPolicy = FieldPolicy.parse({
  "customer.taxId": { restricted: true, action: "hash" },
  "contact.name": { restricted: true, action: "mask" },
  "contact.phone": { restricted: true, action: "mask" },
  "contact.email": { restricted: true, action: "mask" },
  "signer.name": { restricted: true, action: "mask" },
  "signer.email": { restricted: true, action: "mask" },
});
