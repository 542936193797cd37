// URL groups (the API still calls them topics): named endpoint lists a publish fans out to,
// one message per endpoint. Adding endpoints creates the group.

import type { RelayContext } from "../context.ts";
import { type Db, scalar } from "../db.ts";
import { assertAllowed } from "../destinations.ts";
import {
  decodeParam,
  ok,
  RelayError,
  type Reply,
  type RequestInfo,
  type Route,
  readJson,
} from "../http.ts";
import { isHttpUrl, NAME } from "../publish-request.ts";
import { type Endpoint, groupEndpoints, groupView } from "../url-group-store.ts";

const MAX_ENDPOINTS = 100;
const MAX_GROUPS = 1000;

function view(db: Db, name: string) {
  const group = groupView(db, name);
  if (!group) throw new RelayError(404, `url group ${name} not found`);
  return group;
}

async function endpointList(ctx: RelayContext, r: RequestInfo): Promise<Partial<Endpoint>[]> {
  const body = (await readJson(r.req, ctx.config.maxBodyBytes)) as { endpoints?: unknown };
  if (!Array.isArray(body?.endpoints)) throw new RelayError(400, "endpoints must be an array");
  return body.endpoints.map((e: { url?: unknown; name?: unknown }) => {
    if (e?.url !== undefined && (typeof e.url !== "string" || !isHttpUrl(e.url)))
      throw new RelayError(400, `invalid endpoint url: ${String(e.url)}`);
    if (e?.name !== undefined && typeof e.name !== "string")
      throw new RelayError(400, "endpoint name must be a string");
    return { url: e.url as string | undefined, name: (e.name as string | undefined) ?? null };
  });
}

async function addEndpoints(ctx: RelayContext, r: RequestInfo, name: string): Promise<Reply> {
  if (!NAME.test(name)) throw new RelayError(400, `invalid url group name: ${name}`);
  const endpoints = await endpointList(ctx, r);
  if (endpoints.some((e) => e.url === undefined))
    throw new RelayError(400, "every endpoint needs a url");
  for (const e of endpoints) assertAllowed(ctx.config.allowedOrigins, e.url!, "endpoint");
  const { db } = ctx;
  const now = ctx.now();
  db.transaction(() => {
    const groups = Number(scalar(db, "SELECT count(*) FROM url_groups"));
    const exists = groupEndpoints(db, name) !== null;
    if (!exists && groups >= MAX_GROUPS)
      throw new RelayError(400, `at most ${MAX_GROUPS} url groups`);
    db.prepare(
      `INSERT INTO url_groups (name, created_at, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET updated_at = excluded.updated_at`,
    ).run(name, now, now);
    const upsert = db.prepare(
      `INSERT INTO url_group_endpoints (group_name, url, name) VALUES (?, ?, ?)
       ON CONFLICT (group_name, url) DO UPDATE SET name = excluded.name`,
    );
    for (const e of endpoints) upsert.run(name, e.url, e.name);
    if ((groupEndpoints(db, name)?.length ?? 0) > MAX_ENDPOINTS)
      throw new RelayError(400, `a url group holds at most ${MAX_ENDPOINTS} endpoints`);
  }).immediate();
  return ok(undefined);
}

async function removeEndpoints(ctx: RelayContext, r: RequestInfo, name: string): Promise<Reply> {
  const endpoints = await endpointList(ctx, r);
  const { db } = ctx;
  if (groupEndpoints(db, name) === null) throw new RelayError(404, `url group ${name} not found`);
  const byUrl = db.prepare("DELETE FROM url_group_endpoints WHERE group_name = ? AND url = ?");
  const byName = db.prepare("DELETE FROM url_group_endpoints WHERE group_name = ? AND name = ?");
  db.transaction(() => {
    for (const e of endpoints) {
      if (e.url !== undefined) byUrl.run(name, e.url);
      else if (e.name) byName.run(name, e.name);
    }
    db.prepare("UPDATE url_groups SET updated_at = ? WHERE name = ?").run(ctx.now(), name);
  }).immediate();
  return ok(undefined);
}

function list(ctx: RelayContext): Reply {
  const names = ctx.db.prepare("SELECT name FROM url_groups ORDER BY name").raw(true).all() as [
    string,
  ][];
  return ok(names.map(([name]) => view(ctx.db, name)));
}

function remove(ctx: RelayContext, name: string): Reply {
  const gone = ctx.db.prepare("DELETE FROM url_groups WHERE name = ?").run(name).changes;
  if (gone === 0) throw new RelayError(404, `url group ${name} not found`);
  return ok(undefined);
}

export const urlGroupRoutes: Route[] = [
  {
    method: "POST",
    pattern: /^\/v2\/topics\/([^/]+)\/endpoints$/,
    handler: (ctx, r, [name]) => addEndpoints(ctx, r, decodeParam(name)),
  },
  {
    method: "DELETE",
    pattern: /^\/v2\/topics\/([^/]+)\/endpoints$/,
    handler: (ctx, r, [name]) => removeEndpoints(ctx, r, decodeParam(name)),
  },
  { method: "GET", pattern: /^\/v2\/topics$/, handler: list },
  {
    method: "GET",
    pattern: /^\/v2\/topics\/([^/]+)$/,
    handler: (ctx, _r, [name]) => ok(view(ctx.db, decodeParam(name))),
  },
  {
    method: "DELETE",
    pattern: /^\/v2\/topics\/([^/]+)$/,
    handler: (ctx, _r, [name]) => remove(ctx, decodeParam(name)),
  },
];
