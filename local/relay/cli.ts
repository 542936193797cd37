// Command-line entry point: parses flags and env credentials, starts the relay, and shuts it
// down cleanly on SIGINT/SIGTERM (in-flight deliveries finished or left pending) before exit 0.

import { cliChecks, serveUntilSignal } from "../service-kit/cli.ts";
import { startRelay } from "./server.ts";

const USAGE = `Usage: tsx local/relay/cli.ts --allow-origins <list> [--port 8080] [--data .data/relay/relay.db] [options]

A local QStash-compatible relay: the QStash REST API the @upstash/qstash client speaks,
with signed delivery, retries, queues, URL groups, deduplication and a DLQ in one SQLite file.

Options:
  --allow-origins <list>     the only origins messages are delivered to, comma-separated,
                             e.g. http://127.0.0.1:8801,http://127.0.0.1:8802 (required)
  --port <n>                 port, 0 for any free port (default $QSTASH_DEV_PORT or 8080)
  --host <addr>              address to bind (default 127.0.0.1)
  --data <path>              SQLite file; its directory is created (default .data/relay/relay.db)
  --time-scale <x>           multiply delays and retry backoff, e.g. 0.01 (default 1 = QStash's)
  --max-retries <n>          retries when a message sets no Upstash-Retries (default 3)
  --delivery-timeout-ms <n>  per-attempt timeout without Upstash-Timeout (default 30000)
  --log-level <level>        debug | info | warn (default info)
  -h, --help                 show this help

Environment (required; npm start generates them into .data/secrets.json):
  QSTASH_TOKEN, QSTASH_CURRENT_SIGNING_KEY, QSTASH_NEXT_SIGNING_KEY
`;

const { fail, integer, logLevel: checkLogLevel, flags } = cliChecks("relay", USAGE);

const values = flags([
  "allow-origins",
  "port",
  "host",
  "data",
  "time-scale",
  "max-retries",
  "delivery-timeout-ms",
  "log-level",
]);
const logLevel = checkLogLevel(values["log-level"]);
const timeScale = Number(values["time-scale"] ?? 1);
if (!(timeScale > 0 && timeScale <= 1000)) fail("--time-scale must be a number in (0, 1000]");
const env = process.env;
// No built-in credentials or open destinations: fixed, published keys would let anyone on
// the machine publish through the relay or forge its deliveries.
const credentials = {
  token: env.QSTASH_TOKEN,
  currentSigningKey: env.QSTASH_CURRENT_SIGNING_KEY,
  nextSigningKey: env.QSTASH_NEXT_SIGNING_KEY,
};
const missing = Object.entries({
  QSTASH_TOKEN: credentials.token,
  QSTASH_CURRENT_SIGNING_KEY: credentials.currentSigningKey,
  QSTASH_NEXT_SIGNING_KEY: credentials.nextSigningKey,
})
  .filter(([, v]) => !v || v.length < 16)
  .map(([k]) => k);
if (missing.length) fail(`set ${missing.join(", ")} (16+ characters each)`);
const origins = (values["allow-origins"] ?? "")
  .split(",")
  .map((o) => o.trim())
  .filter(Boolean);
if (origins.length === 0) fail("--allow-origins is required: the origins the relay delivers to");
for (const o of origins) {
  if (!/^https?:\/\/[^/]+\/?$/.test(o)) fail(`--allow-origins: ${o} is not an http(s) origin`);
}

await serveUntilSignal(
  "relay",
  startRelay({
    port: integer(values.port ?? env.QSTASH_DEV_PORT, "--port", 0, 65535) ?? 8080,
    host: values.host ?? "127.0.0.1",
    dataPath: values.data ?? ".data/relay/relay.db",
    token: credentials.token!,
    currentSigningKey: credentials.currentSigningKey!,
    nextSigningKey: credentials.nextSigningKey!,
    allowedOrigins: origins,
    timeScale,
    maxRetries: integer(values["max-retries"], "--max-retries", 0, 100),
    deliveryTimeoutMs: integer(
      values["delivery-timeout-ms"],
      "--delivery-timeout-ms",
      1,
      3_600_000,
    ),
    logLevel,
  }),
);
