// Command-line entry point: parses flags, starts the server, and shuts it down cleanly on
// SIGINT/SIGTERM (streams rolled back, WAL checkpointed) before exiting 0.

import { cliChecks, serveUntilSignal } from "../service-kit/cli.ts";
import { startLibsqlServer } from "./server.ts";

const USAGE = `Usage: tsx local/libsql-server/cli.ts --db <path> [options]

Serves a libSQL database file over Hrana-over-HTTP (what @libsql/client's http:// URLs speak).

Options:
  --db <path>              database file; its directory is created if missing (required)
  --port <n>               port to listen on, 0 for any free port (default 8811)
  --host <addr>            address to bind (default 127.0.0.1)
  --auth-token <token>     the token clients must send as "authorization: Bearer <token>"
                           (required, 16+ characters; prefer env LIBSQL_AUTH_TOKEN: argv is visible in ps)
  --log-level <level>      debug | info | warn (default info)
  --stream-idle-ms <n>     close idle streams after this long (default 10000)
  -h, --help               show this help
`;

const { fail, integer, logLevel: checkLogLevel, flags } = cliChecks("libsql-server", USAGE);

const values = flags(["db", "port", "host", "auth-token", "log-level", "stream-idle-ms"]);
const dbPath = values.db || fail("--db is required");
const logLevel = checkLogLevel(values["log-level"]);
const port = integer(values.port, "--port", 0, 65535) ?? 8811;
const streamIdleMs = integer(values["stream-idle-ms"], "--stream-idle-ms", 1, 3_600_000);
// Never open: any process on the machine could otherwise read and write the database.
const authToken = values["auth-token"] ?? process.env.LIBSQL_AUTH_TOKEN ?? "";
if (authToken.length < 16) fail("set LIBSQL_AUTH_TOKEN (or --auth-token), 16+ characters");

await serveUntilSignal(
  "libsql-server",
  startLibsqlServer({
    dbPath,
    port,
    host: values.host ?? "127.0.0.1",
    authToken,
    logLevel,
    streamIdleMs,
  }),
);
