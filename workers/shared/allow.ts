// Which methods a path answers to, read from a Hono app's own routes, so a wrong method on
// a known path is a 405 naming the allowed ones (RFC 9110 §15.5.6), not a 404.
import { Problem } from "./problem.ts";

type Route = { method: string; path: string };

/** The methods (with HEAD wherever GET is) that some route of `routes` takes at `path`. */
export function allowedMethods(routes: readonly Route[], path: string): string[] {
  const methods = new Set<string>();
  for (const route of routes) {
    // Middleware and catch-alls are registered as ALL: they are not what a path "allows".
    if (route.method === "ALL" || route.path.includes("*")) continue;
    if (templateOf(route.path).test(path)) methods.add(route.method);
  }
  if (methods.has("GET")) methods.add("HEAD");
  return [...methods].sort();
}

/** 405 when the path is known under other methods, else 404 "no such route". */
export function noRoute(routes: readonly Route[], method: string, path: string, detail?: string) {
  const allowed = allowedMethods(routes, path);
  if (allowed.length === 0) return new Problem(404, "not-found", "No such route", detail);
  return new Problem(
    405,
    "method-not-allowed",
    `${method} is not allowed on this path`,
    `${path} answers ${allowed.join(", ")}.`,
    { allowed },
    { allow: allowed.join(", ") },
  );
}

const templates = new Map<string, RegExp>();

function templateOf(path: string): RegExp {
  let re = templates.get(path);
  if (!re) {
    const body = path
      .split("/")
      .map((s) => (s.startsWith(":") ? "[^/]+" : s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
      .join("/");
    re = new RegExp(`^${body}/?$`);
    templates.set(path, re);
  }
  return re;
}
