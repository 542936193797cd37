// Dev data for local regions: the demo tenant (integrator key, rep and admin users,
// insight rules with a demo competitor gazetteer) and a second tenant for trying tenant isolation.
// Seeding is an idempotent upsert via /__local/seed.
import { insights } from "../core/index.ts";

export interface DevCredentials {
  tenantId: string;
  apiKey: string;
  repEmail: string;
  repPassword: string;
  /** The tenant's admin: audit verification and the state hash need the admin role. */
  adminEmail: string;
  adminPassword: string;
  otherTenantId: string;
  otherApiKey: string;
}

export interface SeedBody {
  tenant: { id: string; name: string; insightRules?: insights.InsightRules };
  apiKeys: { id: string; name: string; key: string }[];
  users: {
    id: string;
    email: string;
    name: string;
    role: "rep" | "manager" | "admin";
    password: string;
  }[];
}

const API_KEY = /^lk_[A-Za-z0-9_]{8,100}$/;

/** Reads LIFELINE_DEV_API_KEY / LIFELINE_DEV_REP_PASSWORD / LIFELINE_DEV_ADMIN_PASSWORD, failing early on values the API would refuse. */
export function devCredentials(env: NodeJS.ProcessEnv = process.env): DevCredentials {
  const apiKey = env.LIFELINE_DEV_API_KEY || "lk_dev_demo_integrator";
  const repPassword = env.LIFELINE_DEV_REP_PASSWORD || "lifeline-demo";
  if (!API_KEY.test(apiKey))
    throw new Error("LIFELINE_DEV_API_KEY must match lk_ followed by 8–100 of [A-Za-z0-9_]");
  const adminPassword = env.LIFELINE_DEV_ADMIN_PASSWORD || "lifeline-admin";
  if (repPassword.length < 8)
    throw new Error("LIFELINE_DEV_REP_PASSWORD must be at least 8 characters");
  if (adminPassword.length < 8)
    throw new Error("LIFELINE_DEV_ADMIN_PASSWORD must be at least 8 characters");
  return {
    tenantId: "ten_demo",
    apiKey,
    repEmail: "rep@demo.lifeline.local",
    repPassword,
    adminEmail: "admin@demo.lifeline.local",
    adminPassword,
    otherTenantId: "ten_other",
    otherApiKey: "lk_dev_other_tenant",
  };
}

/** The defaults plus a gazetteer of fictitious competitors, so analysis names them out of the box. */
export const DEMO_COMPETITORS = [
  { name: "华康医疗", aliases: ["华康", "HK Medical"] },
  { name: "瑞声影像", aliases: ["瑞声", "Ruisheng Imaging"] },
  { name: "启明教育", aliases: ["启明", "Qiming Education"] },
];
const DEMO_INSIGHT_RULES: insights.InsightRules = insights.InsightRules.parse({
  ...insights.DEFAULT_RULES,
  competitors: DEMO_COMPETITORS,
});

export function devSeeds(c: DevCredentials): SeedBody[] {
  return [
    {
      tenant: { id: c.tenantId, name: "Demo Sales Org", insightRules: DEMO_INSIGHT_RULES },
      apiKeys: [{ id: "key_demo", name: "dev integrator", key: c.apiKey }],
      users: [
        {
          id: "usr_demo_rep",
          email: c.repEmail,
          name: "Demo Rep",
          role: "rep",
          password: c.repPassword,
        },
        {
          id: "usr_demo_admin",
          email: c.adminEmail,
          name: "Demo Admin",
          role: "admin",
          password: c.adminPassword,
        },
      ],
    },
    {
      tenant: { id: c.otherTenantId, name: "Other Org (for trying tenant isolation)" },
      apiKeys: [{ id: "key_other", name: "other tenant integrator", key: c.otherApiKey }],
      users: [],
    },
  ];
}

/** `localAdminSecret`: LOCAL_ADMIN_SECRET of the region's secrets; /__local/* needs it. */
export async function seedRegion(
  apiUrl: string,
  seeds: SeedBody[],
  localAdminSecret: string,
): Promise<void> {
  for (const seed of seeds) {
    const res = await fetch(`${apiUrl}/__local/seed`, {
      method: "POST",
      headers: { "content-type": "application/json", "lifeline-local-admin": localAdminSecret },
      body: JSON.stringify(seed),
      signal: AbortSignal.timeout(30_000),
    });
    if (res.status !== 204)
      throw new Error(
        `seeding ${seed.tenant.id} at ${apiUrl} failed: HTTP ${res.status} ${await res.text()}`,
      );
  }
}
