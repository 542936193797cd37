// Deletes every peer outbox row of every AccountDO under a region's storage (worker stopped).

import { readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const require = createRequire(new URL("../../package.json", import.meta.url));
const Database = require("libsql");
const dir = process.argv[2];
let deleted = 0,
  files = 0;
const walk = (d) => {
  for (const n of readdirSync(d)) {
    const p = join(d, n);
    if (statSync(p).isDirectory()) walk(p);
    else if (p.includes("AccountDO") && n.endsWith(".sqlite")) drop(p);
  }
};
function drop(p) {
  const db = new Database(p);
  try {
    if (!db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'outbox'").get()) return;
    const n = db.prepare("DELETE FROM outbox WHERE destination LIKE 'peer:%'").run().changes;
    if (n) {
      deleted += n;
      files++;
    }
  } finally {
    db.close();
  }
}
walk(dir);
console.log(`deleted ${deleted} peer outbox rows in ${files} account objects`);
