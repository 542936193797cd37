// Command-line entry point: parses flags and env credentials, starts the relay, and shuts it
// down cleanly on SIGINT/SIGTERM (in-flight deliveries finished or left pending) before exit 0.

import { cliChecks, serveUntilSignal } from "../service-kit/cli.ts";
import { startRelay } from "./server.ts";

const USAGE = `Usage: tsx relay/cli.ts [--port 8080] [--data .data/relay/relay.db] [options]

A local QStash-compatible relay: the QStash REST API the @upstash/qstash client speaks,
with signed delivery, retries, queues, URL groups, deduplication and a DLQ in one SQLite file.

Options:
  --port <n>                 port, 0 for any free port (default $QSTASH_DEV_PORT or 8080)
  --host <addr>              address to bind (default 127.0.0.1)
  --data <path>              SQLite file; its directory is created (default .data/relay/relay.db)
  --time-scale <x>           multiply delays and retry backoff, e.g. 0.01 (default 1 = QStash's)
  --max-retries <n>          retries when a message sets no Upstash-Retries (default 3)
  --delivery-timeout-ms <n>  per-attempt timeout without Upstash-Timeout (default 30000)
  --log-level <level>        debug | info | warn (default info)
  -h, --help                 show this help

Environment (defaults are the QStash dev server's, so QSTASH_DEV=true clients work as-is):
  QSTASH_TOKEN, QSTASH_CURRENT_SIGNING_KEY, QSTASH_NEXT_SIGNING_KEY
`;

const { fail, integer, logLevel: checkLogLevel, flags } = cliChecks("relay", USAGE);

const values = flags([
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

await serveUntilSignal(
  "relay",
  startRelay({
    port: integer(values.port ?? env.QSTASH_DEV_PORT, "--port", 0, 65535) ?? 8080,
    host: values.host ?? "127.0.0.1",
    dataPath: values.data ?? ".data/relay/relay.db",
    token: env.QSTASH_TOKEN || undefined,
    currentSigningKey: env.QSTASH_CURRENT_SIGNING_KEY || undefined,
    nextSigningKey: env.QSTASH_NEXT_SIGNING_KEY || undefined,
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
