// The local topology, derived from wrangler.toml alone: one entry per [env.<region>], its
// API port from REGION_URL and its libSQL port from LIBSQL_URL. No second port table.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { RegionName } from "../core/sovereignty/jurisdiction.ts";
import { parseToml, type TomlTable, type TomlValue } from "./toml.ts";

export interface RegionTopology {
  region: string;
  jurisdiction: string;
  apiUrl: string;
  apiPort: number;
  libsqlUrl: string;
  libsqlPort: number;
  /** The QStash endpoint this region publishes to (the local relay in local mode). */
  relayUrl: string;
  relayPort: number;
  /** Durable Object bindings, which wrangler does not inherit into envs. */
  durableObjects: { name: string; className: string }[];
}

export const WRANGLER_TOML = resolve(import.meta.dirname, "..", "wrangler.toml");

export function readTopology(path: string = WRANGLER_TOML): RegionTopology[] {
  return topologyFromToml(readFileSync(path, "utf8"));
}

export function topologyFromToml(text: string): RegionTopology[] {
  const envs = asTable(parseToml(text).env, "[env]");
  return Object.entries(envs).map(([region, value]) => {
    const env = asTable(value, `[env.${region}]`);
    const vars = asTable(env.vars, `[env.${region}.vars]`);
    const str = (key: string) => {
      const v = vars[key];
      if (typeof v !== "string" || !v)
        throw new Error(`wrangler.toml: env.${region}.vars.${key} missing`);
      return v;
    };
    if (str("REGION") !== region)
      throw new Error(`wrangler.toml: env.${region}.vars.REGION is "${str("REGION")}"`);
    // Region names travel inside ids (ins_<region>_…) and URLs: caught here, not at the
    // first analysis.
    if (!RegionName.safeParse(region).success)
      throw new Error(`wrangler.toml: [env.${region}]: a region name is 1–32 of a-z, 0-9 and -`);
    const api = localUrl(str("REGION_URL"), `env.${region}.vars.REGION_URL`);
    const libsql = localUrl(str("LIBSQL_URL"), `env.${region}.vars.LIBSQL_URL`);
    const relay = localUrl(str("QSTASH_URL"), `env.${region}.vars.QSTASH_URL`);
    const bindings = asTable(env.durable_objects ?? {}, `[env.${region}.durable_objects]`).bindings;
    return {
      region,
      jurisdiction: str("JURISDICTION"),
      apiUrl: api.url,
      apiPort: api.port,
      libsqlUrl: libsql.url,
      libsqlPort: libsql.port,
      relayUrl: relay.url,
      relayPort: relay.port,
      durableObjects: (Array.isArray(bindings) ? bindings : []).map((b) => {
        const t = asTable(b, `[[env.${region}.durable_objects.bindings]]`);
        return { name: String(t.name), className: String(t.class_name) };
      }),
    };
  });
}

/** Picks regions by name, in the order given; unknown names list the known ones. */
export function selectRegions(all: RegionTopology[], names: string[]): RegionTopology[] {
  return names.map((name) => {
    const found = all.find((r) => r.region === name);
    if (!found)
      throw new Error(
        `unknown region "${name}"; wrangler.toml declares ${all.map((r) => r.region).join(", ")}`,
      );
    return found;
  });
}

function localUrl(text: string, where: string): { url: string; port: number } {
  const url = new URL(text);
  // Local development binds loopback only; a deployed URL here means the wrong file.
  if (url.protocol !== "http:" || !url.port)
    throw new Error(`wrangler.toml: ${where} must be http://127.0.0.1:<port>, not ${text}`);
  return { url: url.origin, port: Number(url.port) };
}

function asTable(value: TomlValue | undefined, where: string): TomlTable {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new Error(`wrangler.toml: ${where} missing or not a table`);
  return value;
}

/** The REGIONS var (JSON) for a set of regions: their names, jurisdictions and API URLs. */
export function regionsVar(
  regions: ReadonlyArray<Pick<RegionTopology, "region" | "jurisdiction" | "apiUrl">>,
): string {
  return JSON.stringify(
    regions.map((r) => ({ region: r.region, jurisdiction: r.jurisdiction, url: r.apiUrl })),
  );
}
