// `?accounts=acc_…,acc_…`: the accounts a cross-account list is narrowed to (a workbench
// lists its group's accounts). Bounded, so one query never names an unbounded IN list.
import { z } from "@hono/zod-openapi";
import { ACCOUNT_ID } from "../../../core/index.ts";

/** Accounts one list query may name. */
export const MAX_FILTER_ACCOUNTS = 100;

export const accountsFilter = z
  .string()
  .max(MAX_FILTER_ACCOUNTS * 31)
  .transform((s, ctx) => {
    const ids = [...new Set(s.split(",").map((x) => x.trim()))].filter((x) => x !== "");
    if (ids.length === 0 || ids.length > MAX_FILTER_ACCOUNTS)
      ctx.addIssue({
        code: "custom",
        message: `must name 1 to ${MAX_FILTER_ACCOUNTS} customer ids (acc_…), comma-separated`,
      });
    for (const id of ids)
      if (!ACCOUNT_ID.test(id))
        ctx.addIssue({
          code: "custom",
          message: `${id.slice(0, 40)} is not a customer id (acc_…)`,
        });
    return ids;
  })
  .optional()
  .meta({
    description: `Only these customers' records: up to ${MAX_FILTER_ACCOUNTS} ids (acc_…), comma-separated`,
  });
