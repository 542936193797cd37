// What this server refuses to run: statements that reach files other than its own database.
// The libSQL engine bundles SQLite's fileio functions (readfile, writefile, fsdir), and
// ATTACH or VACUUM INTO open or create any path the server's user can, so a client holding
// the token could otherwise read or write the laptop's files. sqld denies these through
// SQLite's authorizer; libsql-js exposes no per-action authorizer, so the statement's own
// names are checked instead, before it is prepared, and refused the way sqld refuses them.

import { StmtError } from "./errors.ts";
import { namesOf } from "./sql-text.ts";

/** Functions (and table-valued functions) that touch the filesystem. */
const FILE_FUNCTIONS = new Set(["READFILE", "WRITEFILE", "FSDIR", "LOAD_EXTENSION"]);
/** Pragmas that point SQLite at other directories. */
const FILE_PRAGMAS = new Set(["TEMP_STORE_DIRECTORY", "DATA_STORE_DIRECTORY"]);

const notAuthorized = (what: string) =>
  new StmtError(`SQLite error: not authorized: ${what} is disabled on this server`, "SQLITE_AUTH");

/** Throws SQLITE_AUTH for a statement that would reach a file outside the database. */
export function refuseFileAccess(sql: string): void {
  const names = namesOf(sql);
  const keywords = names.filter((n) => !n.quoted).map((n) => n.name);
  let i = 0;
  while (keywords[i] === "EXPLAIN" || keywords[i] === "QUERY" || keywords[i] === "PLAN") i++;
  const verb = keywords[i];
  if (verb === "ATTACH" || verb === "DETACH") throw notAuthorized(verb);
  if (verb === "VACUUM" && keywords.includes("INTO")) throw notAuthorized("VACUUM INTO");
  if (verb === "PRAGMA") {
    const pragma = names.slice(i + 1).find((n) => FILE_PRAGMAS.has(n.name));
    if (pragma) throw notAuthorized(`PRAGMA ${pragma.name.toLowerCase()}`);
  }
  const call = names.find((n) => n.call && FILE_FUNCTIONS.has(n.name));
  if (call) throw notAuthorized(`${call.name.toLowerCase()}()`);
}
