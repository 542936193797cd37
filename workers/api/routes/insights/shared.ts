// What the insights routes share: how they are documented (tag `insights`, bearer security)
// and who an insight or an answer is recorded as.
import type { Context } from "hono";
import type { AppEnv } from "../../env.ts";
import { TOOLING_PREFIX } from "../../insights/store.ts";
import { bearerRoutes } from "../../openapi.ts";
import { isLocalTooling } from "../local.ts";

export const insightRoute = bearerRoutes("insights");

/** Local tooling is marked, so adoption statistics never count it (see insights/store.ts). */
export const recordedAs = (c: Context<AppEnv>) => {
  const { id } = c.get("principal");
  return isLocalTooling(c) ? `${TOOLING_PREFIX}${id}` : id;
};
