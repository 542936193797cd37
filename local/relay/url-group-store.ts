// URL groups at rest: a named list of endpoints (url plus optional name) that a publish to the
// group fans out to, in the order the endpoints were added.

import { type Db, scalar } from "./db.ts";

export interface Endpoint {
  url: string;
  name: string | null;
}

/** null when the group does not exist. */
export function groupEndpoints(db: Db, group: string): Endpoint[] | null {
  if (scalar(db, "SELECT count(*) FROM url_groups WHERE name = ?", group) === 0) return null;
  return (
    db
      .prepare("SELECT url, name FROM url_group_endpoints WHERE group_name = ? ORDER BY rowid")
      .raw(true)
      .all(group) as [string, string | null][]
  ).map(([url, name]) => ({ url, name }));
}

export function groupView(db: Db, name: string) {
  const row = db
    .prepare("SELECT created_at, updated_at FROM url_groups WHERE name = ?")
    .raw(true)
    .get(name) as [number, number] | undefined;
  if (!row) return null;
  const endpoints = (groupEndpoints(db, name) ?? []).map((e) =>
    e.name === null ? { url: e.url } : { name: e.name, url: e.url },
  );
  return { name, createdAt: row[0], updatedAt: row[1], endpoints };
}
