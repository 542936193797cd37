// Who an insight or an answer is recorded as: local tooling is marked, so adoption
// statistics never count it (insights/store.ts leaves TOOLING_PREFIX out).
import type { Context } from "hono";
import type { AppEnv } from "../../env.ts";
import { TOOLING_PREFIX } from "../../insights/store.ts";
import { isLocalTooling } from "../local.ts";

export const recordedAs = (c: Context<AppEnv>) => {
  const { id } = c.get("principal");
  return isLocalTooling(c) ? `${TOOLING_PREFIX}${id}` : id;
};
