// Runs the one client contract against both backends: the local server (started here on a
// free port over a temp-dir database) and the embedded engine on a temp file.

import { rm } from "node:fs/promises";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { afterAll, beforeAll } from "vitest";
import { defineClientContract } from "./contract.ts";
import { makeTempDir, startTestServer, type TestServer } from "./harness.ts";

let server: TestServer;
let fileDir: string;
beforeAll(async () => {
  server = await startTestServer();
  fileDir = await makeTempDir("libsql-contract-file-");
});
afterAll(async () => {
  await server?.stop();
  if (fileDir) await rm(fileDir, { recursive: true, force: true });
});

defineClientContract("local libSQL server over http://", (config) =>
  createClient({ ...config, url: server.url }),
);
defineClientContract("embedded engine over file:", (config) =>
  createClient({ ...config, url: `file:${join(fileDir, "contract.db")}` }),
);
