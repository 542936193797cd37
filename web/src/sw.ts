/// <reference lib="webworker" />
// The service worker: precaches the app shell (and, lazily, the on-device model and
// ORT's wasm), serves every navigation from the cached shell so the app opens offline,
// and drains the outbox on Background Sync with the session and endpoints the page left
// in IndexedDB. API requests are never cached here: reads are cached as data by the app.
import {
  cleanupOutdatedCaches,
  createHandlerBoundToURL,
  precacheAndRoute,
} from "workbox-precaching";
import { NavigationRoute, registerRoute } from "workbox-routing";
import { Api, endpointsFor, type RegionInfo } from "./app/api.ts";
import { getMeta } from "./app/db.ts";
import { replay } from "./app/outbox.ts";
import type { Session } from "./app/state.ts";

declare const self: ServiceWorkerGlobalScope & {
  __WB_MANIFEST: Array<{ url: string; revision: string | null }>;
};

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
registerRoute(
  new NavigationRoute(createHandlerBoundToURL("index.html"), {
    // The customer portal (/portal/) is another app, online only: the network serves it.
    denylist: [/^\/v1\//, /^\/router\//, /^\/__local\//, /^\/portal(\/|$)/],
  }),
);

self.addEventListener("install", () => void self.skipWaiting());
self.addEventListener("activate", (e) => e.waitUntil(self.clients.claim()));

async function drainFromWorker(): Promise<void> {
  // The browser fires sync when it thinks the network is back; trust the worker's own view too.
  if (!self.navigator.onLine) throw new Error("offline");
  const session = await getMeta<Session>("session");
  if (!session || Date.parse(session.expiresAt) <= Date.now()) return;
  const regions = (await getMeta<RegionInfo[]>("regions")) ?? [];
  const lang = (await getMeta<string>("lang")) ?? "en";
  const api = new Api(
    endpointsFor(regions, session.jurisdiction, self.location.origin),
    session.token,
    lang,
  );
  const notify = async () => {
    for (const c of await self.clients.matchAll()) c.postMessage({ type: "outbox-changed" });
  };
  const r = await replay(api, () => void notify());
  await notify();
  // Throwing asks the browser to retry the sync later (bounded by the browser).
  if (r.stopped?.reason === "unreachable") throw new Error("outbox not drained");
}

self.addEventListener("sync", (event: Event) => {
  const e = event as ExtendableEvent & { tag?: string };
  if (e.tag === "lifeline-outbox") e.waitUntil(drainFromWorker());
});
