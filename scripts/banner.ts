// What `npm start` prints once every region is ready: where things are, how to log in,
// and one request to paste.
import { relative } from "node:path";
import type { RegionHandle } from "./region.ts";
import type { DevCredentials } from "./seed.ts";

export interface BannerInput {
  handles: RegionHandle[];
  credentials: DevCredentials;
  dataDir: string;
  readySeconds: number;
  /** The global entry (router worker) and the QStash relay, when this run started them. */
  routerUrl?: string;
  relayUrl?: string;
  /** The replication bus the regions were started with. */
  bus?: string;
  /** npm start's control API (for `npm run chaos`). */
  controlUrl?: string;
  /** The demo customer's portal login (scripts/demo-data.ts), when it was written. */
  portal?: { email: string; password: string } | undefined;
}

export function banner({
  handles,
  credentials: c,
  dataDir,
  readySeconds,
  routerUrl,
  relayUrl,
  bus,
  controlUrl,
  portal,
}: BannerInput): string {
  const first = handles[0]!;
  const residency = first.jurisdiction === "eu" ? "eu" : "cn";
  const plural = handles.length === 1 ? "region" : "regions";
  const lines = [
    "",
    `Lifeline is running: ${handles.length} ${plural}, ready in ${readySeconds.toFixed(1)} s.`,
    "",
    ...(routerUrl
      ? [
          `  Rep app (PWA; log in as the rep user below)   ${routerUrl}/`,
          ...(portal
            ? [`  Customer portal (log in as the buyer below)    ${routerUrl}/portal/`]
            : []),
          `  Router (global entry, routes by jurisdiction)  ${routerUrl}`,
        ]
      : []),
    ...(relayUrl ? [`  QStash relay (local stand-in)                  ${relayUrl}`] : []),
    ...(bus ? [`  Replication bus                                ${bus}`] : []),
    ...(controlUrl ? [`  Control (npm run chaos -- status)              ${controlUrl}`] : []),
    ...(routerUrl || relayUrl ? [""] : []),
    ...handles.flatMap((h) => [
      `  ${h.region} (jurisdiction ${h.jurisdiction})`,
      `    API       ${h.apiUrl}`,
      `    OpenAPI   ${h.openapiUrl}`,
      `    Health    ${h.apiUrl}/v1/health`,
      `    Inference ${h.inference === "ready" ? "ready (models loaded)" : h.inference === "absent" ? "not running (insights are shed)" : "still loading (insights are shed until it is ready)"}`,
      `    libSQL    ${h.libsqlUrl}`,
      `    Logs      ${relative(process.cwd(), h.dataDir) || "."}/{worker,libsql${h.processes.credentials ? ",credentials" : ""}}.log`,
      "",
    ]),
    "Dev credentials (the same in every region):",
    `  Tenant        ${c.tenantId} (Demo Sales Org)`,
    `  API key       ${c.apiKey}   (Authorization: Bearer …)`,
    `  Rep login     ${c.repEmail} / ${c.repPassword}   (POST /v1/auth/login)`,
    `  Admin login   ${c.adminEmail} / ${c.adminPassword}   (audit, state hash)`,
    `  Other tenant  ${c.otherTenantId}, API key ${c.otherApiKey}   (for trying tenant isolation)`,
    ...(portal
      ? [
          `  Portal login  ${portal.email} / ${portal.password}   (华东人民医院's buyer; POST /v1/portal/auth/login)`,
          "  Group         华东重点客户组, led by the rep (workbench: the rep app's Group tab)",
        ]
      : []),
    "",
    "Create a customer:",
    `  curl -s ${routerUrl ?? first.apiUrl}/v1/customers \\`,
    `    -H 'Authorization: Bearer ${c.apiKey}' \\`,
    "    -H 'Content-Type: application/json' \\",
    '    -H "Idempotency-Key: demo-$RANDOM-$RANDOM" \\',
    `    -d '{"name":"Acme Trading Co.","residency":"${residency}"}'`,
    "",
    "Analyse a call (sentiment, signals, metrics, next-best actions; 华康医疗 is in the demo gazetteer):",
    `  curl -s ${first.apiUrl}/v1/insights/analyze \\`,
    `    -H 'Authorization: Bearer ${c.apiKey}' -H 'Content-Type: application/json' \\`,
    `    -d '{"industry":"medical-devices","transcript":[{"speaker":"rep","text":"王主任您好，上次的报价您看了吗？"},{"speaker":"customer","text":"看了，价格比华康贵不少，售后响应也要快。"}]}'`,
    "",
    "Log in as the rep:",
    `  curl -s ${routerUrl ?? first.apiUrl}/v1/auth/login -H 'Content-Type: application/json' \\`,
    `    -d '{"email":"${c.repEmail}","password":"${c.repPassword}"}'`,
    "",
    `Data and logs: ${dataDir}/ (kept across restarts). Ctrl-C to stop.`,
    "A part that dies is reported and the others keep serving; drill it with",
    "  npm run chaos -- region kill|restart|pause|resume <region>   (and: status)",
    "",
  ];
  return `${lines.join("\n")}\n`;
}
