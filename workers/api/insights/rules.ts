// A tenant's insight rules as the API uses them: read from this region's DirectoryDO (not
// libSQL, so analysis works with the read model down), validated, compiled once and kept
// per isolate for RULES_TTL_MS. A change made through this isolate is seen at once; other
// isolates see it within the TTL.
import { insights } from "../../../core/index.ts";
import { Problem } from "../errors.ts";
import { directory } from "../middleware/auth.ts";

const RULES_TTL_MS = 30_000;
/** Tenants whose compiled rules an isolate keeps; the oldest is dropped beyond it. */
const MAX_CACHED = 256;

export type TenantRules = {
  rules: insights.InsightRules;
  compiled: insights.CompiledRules;
  source: "tenant" | "default";
};

const cache = new Map<string, { at: number; value: TenantRules }>();
let defaults: TenantRules | undefined;

function compileDefaults(): TenantRules {
  defaults ??= {
    rules: insights.DEFAULT_RULES,
    compiled: insights.compileRules(insights.DEFAULT_RULES),
    source: "default",
  };
  return defaults;
}

export async function tenantRules(env: Env, tenantId: string): Promise<TenantRules> {
  const hit = cache.get(tenantId);
  if (hit && Date.now() - hit.at < RULES_TTL_MS) return hit.value;
  const stored = await directory(env).insightRules(tenantId);
  let value: TenantRules;
  if (stored === null) value = compileDefaults();
  else {
    // Stored rules were validated on the way in; a parse failure here is a bug or a
    // schema change, and the defaults are the safe answer (logged, never silent).
    const parsed = insights.InsightRules.safeParse(JSON.parse(stored));
    if (parsed.success) {
      value = {
        rules: parsed.data,
        compiled: insights.compileRules(parsed.data),
        source: "tenant",
      };
    } else {
      console.error(`tenant ${tenantId}: stored insight rules no longer parse; using defaults`);
      value = compileDefaults();
    }
  }
  cache.delete(tenantId);
  cache.set(tenantId, { at: Date.now(), value });
  if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value!);
  return value;
}

/** Stores validated rules (null: back to the defaults) and forgets this isolate's copy. */
export async function replaceTenantRules(
  env: Env,
  tenantId: string,
  rules: insights.InsightRules | null,
): Promise<void> {
  const stored = await directory(env).setInsightRules(
    tenantId,
    rules === null ? null : JSON.stringify(rules),
  );
  cache.delete(tenantId);
  // An authenticated tenant exists in every region it was provisioned in; one that is not
  // here must not see its rules silently dropped.
  if (!stored) throw new Problem(404, "not-found", "tenant not found in this region");
}
