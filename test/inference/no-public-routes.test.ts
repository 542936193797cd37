// The inference worker exposes no public routes in production: in every deployable env
// (as wrangler itself resolves the config) it has no workers.dev URL, no preview URLs and
// no routes, so only a service binding reaches it.
import { expect, test } from "vitest";
import { unstable_readConfig } from "wrangler";

const CONFIG = "workers/inference/wrangler.toml";

test("the inference worker is binding-only in every env: workers_dev off, no routes", () => {
  for (const env of [undefined, "cn-east", "cn-south", "eu-central"]) {
    const config = unstable_readConfig({ config: CONFIG, ...(env ? { env } : {}) });
    expect({ env, workers_dev: config.workers_dev }).toEqual({ env, workers_dev: false });
    expect(config.preview_urls).toBe(false);
    expect(config.routes ?? []).toEqual([]);
    expect(config.route).toBeUndefined();
  }
});
