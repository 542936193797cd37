// One way to start a worker in workerd for a test: wrangler's unstable_startWorker on
// loopback, with string bindings, no inspector and no file watching (tests share source
// trees with other running workers; a rebuild must not restart this one mid-request).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unstable_startWorker } from "wrangler";

process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";
process.env.WRANGLER_SEND_METRICS = "false";
// Tests never edit a wrangler.toml: a spurious change event from the config watcher would
// reload the worker and answer an in-flight POST with wrangler's "restarted mid-request".
process.env.WRANGLER_CI_DISABLE_CONFIG_WATCHING = "true";

/**
 * A dev registry private to this test process: a service binding (the API's INFERENCE)
 * whose worker is not running resolves to "not found" at call time, as in production when
 * the worker is gone, instead of failing the whole config; and it never reaches a worker
 * of another test or of a running `npm start`.
 */
const REGISTRY = mkdtempSync(join(tmpdir(), "lifeline-registry-"));

export type TestWorker = { url: string; dispose(): Promise<void> };

export async function startTestWorker(options: {
  config: string;
  env?: string;
  bindings?: Record<string, string>;
  /** Default: any free port. */
  port?: number;
  /** Default: no persistence. */
  persist?: string;
}): Promise<TestWorker> {
  const worker = await unstable_startWorker({
    config: options.config,
    ...(options.env ? { env: options.env } : {}),
    bindings: Object.fromEntries(
      Object.entries(options.bindings ?? {}).map(([k, value]) => [
        k,
        { type: "plain_text" as const, value },
      ]),
    ),
    dev: {
      watch: false,
      server: { hostname: "127.0.0.1", port: options.port ?? 0 },
      inspector: false,
      persist: options.persist ?? false,
      registry: REGISTRY,
      logLevel: "warn",
    },
  });
  await worker.ready;
  return { url: (await worker.url).toString().replace(/\/$/, ""), dispose: () => worker.dispose() };
}

/**
 * The credentials worker (password checks behind the API's CREDENTIALS binding), shared
 * by every region of this test process through REGISTRY: started with the first region
 * that holds it, stopped when the last one lets go, so no workerd outlives the file.
 */
let credentials: { holders: number; worker: Promise<TestWorker> } | undefined;

export async function holdCredentialsWorker(): Promise<() => Promise<void>> {
  credentials ??= {
    holders: 0,
    worker: startTestWorker({ config: "workers/credentials/wrangler.toml" }),
  };
  const held = credentials;
  held.holders++;
  try {
    await held.worker;
  } catch (err) {
    if (credentials === held) credentials = undefined;
    throw err;
  }
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    if (--held.holders > 0) return;
    if (credentials === held) credentials = undefined;
    await (await held.worker).dispose();
  };
}
