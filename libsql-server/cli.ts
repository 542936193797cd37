// Command-line entry point: parses flags, starts the server, and shuts it down cleanly on
// SIGINT/SIGTERM (streams rolled back, WAL checkpointed) before exiting 0.

import { cliChecks, serveUntilSignal } from "../service-kit/cli.ts";
import { startLibsqlServer } from "./server.ts";

const USAGE = `Usage: tsx libsql-server/cli.ts --db <path> [options]

Serves a libSQL database file over Hrana-over-HTTP (what @libsql/client's http:// URLs speak).

Options:
  --db <path>              database file; its directory is created if missing (required)
  --port <n>               port to listen on, 0 for any free port (default 8811)
  --host <addr>            address to bind (default 127.0.0.1)
  --auth-token <token>     require "authorization: Bearer <token>" (env LIBSQL_AUTH_TOKEN)
  --log-level <level>      debug | info | warn (default info)
  --stream-idle-ms <n>     close idle streams after this long (default 10000)
  -h, --help               show this help
`;

const { fail, integer, logLevel: checkLogLevel, flags } = cliChecks("libsql-server", USAGE);

const values = flags(["db", "port", "host", "auth-token", "log-level", "stream-idle-ms"]);
const dbPath = values.db || fail("--db is required");
const logLevel = checkLogLevel(values["log-level"]);

await serveUntilSignal(
  "libsql-server",
  startLibsqlServer({
    dbPath,
    port: integer(values.port, "--port", 0, 65535) ?? 8811,
    host: values.host ?? "127.0.0.1",
    authToken: values["auth-token"] ?? process.env.LIBSQL_AUTH_TOKEN ?? undefined,
    logLevel,
    streamIdleMs: integer(values["stream-idle-ms"], "--stream-idle-ms", 1, 3_600_000),
  }),
);
