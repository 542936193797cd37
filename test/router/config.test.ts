// workers/router/wrangler.toml is the router's deployable truth: its vars are exactly the
// bindings RouterEnv declares, and its region map is the one every regional API carries.

import { describe, expect, test } from "vitest";
import { unstable_readConfig } from "wrangler";
import { parseConfig } from "../../workers/router/config.ts";
import type { RouterEnv } from "../../workers/router/env.ts";

process.env.WRANGLER_SEND_METRICS = "false";

const read = (config: string, env?: string) =>
  unstable_readConfig({ config, ...(env ? { env } : {}) }, { hideWarnings: true });

describe("router wrangler.toml", () => {
  const router = read("workers/router/wrangler.toml");

  test("declares exactly the required vars of RouterEnv, and they parse", () => {
    const required: (keyof RouterEnv)[] = ["REGIONS", "ROUTER_DEFAULT_JURISDICTION"];
    expect(Object.keys(router.vars).sort()).toEqual(required.sort());
    const config = parseConfig(router.vars as unknown as RouterEnv);
    expect(config.defaultJurisdiction).toBe("cn");
    expect(config.attemptTimeoutMs).toBe(10_000);
  });

  test("runs index.ts as lifeline-router on 127.0.0.1:8787 (DESIGN §6)", () => {
    expect(router.name).toBe("lifeline-router");
    expect(router.main).toMatch(/workers\/router\/index\.ts$/);
    expect(router.compatibility_flags).toContain("nodejs_compat");
    expect(router.dev).toMatchObject({ ip: "127.0.0.1", port: 8787 });
  });

  test("routes over the same region map as every regional API env", () => {
    const regions = JSON.parse(String(router.vars.REGIONS));
    for (const env of ["cn-east", "cn-south", "eu-central"]) {
      expect(JSON.parse(String(read("wrangler.toml", env).vars.REGIONS))).toEqual(regions);
    }
  });
});
