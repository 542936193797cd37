// The rep app's build: Vite + vite-plugin-pwa (injectManifest: our own service worker in
// src/sw.ts precaches the shell), Preact's automatic JSX runtime, output in web/dist, which
// the router serves as static assets (workers/router/wrangler.toml [assets]). The customer
// portal (portal/index.html → /portal/) is a second entry with its own bundle: online only,
// so neither precached by the rep app's worker nor given its web app manifest.
// `npm run dev:web` serves it with hot reload on 127.0.0.1:5173 and proxies /v1 to the
// router of a running `npm start`.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { defineConfig, type Plugin } from "vite";
import { VitePWA } from "vite-plugin-pwa";

const ROOT = join(import.meta.dirname, "..");

/**
 * The on-device models are served from the repo's models/ (never copied into git twice):
 * emitted into the build at models/<task>/, and served by the dev server.
 */
function lifelineModels(files: string[]): Plugin {
  return {
    name: "lifeline-models",
    generateBundle() {
      for (const f of files)
        this.emitFile({ type: "asset", fileName: f, source: readFileSync(join(ROOT, f)) });
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const path = (req.url ?? "").split("?")[0]!.replace(/^\//, "");
        if (!files.includes(path)) return next();
        res.setHeader(
          "content-type",
          path.endsWith(".json") ? "application/json" : "application/octet-stream",
        );
        res.end(readFileSync(join(ROOT, path)));
      });
    },
  };
}

/** The portal is not the installable rep app: its page gets no link to the rep's manifest. */
function portalWithoutManifest(): Plugin {
  return {
    name: "lifeline-portal-without-manifest",
    apply: "build",
    // After vite-plugin-pwa's own post transform, which adds the link to every page.
    enforce: "post",
    transformIndexHtml: {
      order: "post",
      handler: (html, ctx) =>
        ctx.path.startsWith("/portal/") ? html.replace(/\s*<link rel="manifest"[^>]*>/g, "") : html,
    },
  };
}

export default defineConfig({
  root: import.meta.dirname,
  base: "/",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    reportCompressedSize: false,
    // dist/.vite/manifest.json: which files the entry needs (bench:web sizes the app shell from it).
    manifest: true,
    rolldownOptions: {
      input: {
        index: join(import.meta.dirname, "index.html"),
        portal: join(import.meta.dirname, "portal", "index.html"),
      },
      // What both apps load (Preact, the preload polyfill, ids, money) in one cached file.
      output: {
        codeSplitting: {
          groups: [
            {
              name: "shared",
              test: /node_modules[\\/]preact|modulepreload-polyfill|src[\\/]app[\\/](ids|money)\.ts/,
            },
          ],
        },
      },
    },
  },
  worker: { format: "es" },
  server: {
    host: "127.0.0.1",
    port: 5173,
    proxy: { "/v1": "http://127.0.0.1:8787" },
  },
  preview: { host: "127.0.0.1", port: 4173 },
  plugins: [
    lifelineModels(
      ["sentiment-zh", "sentiment-en"].flatMap((task) => [
        `models/${task}/model.onnx`,
        `models/${task}/manifest.json`,
      ]),
    ),
    VitePWA({
      strategies: "injectManifest",
      srcDir: "src",
      filename: "sw.ts",
      registerType: "autoUpdate",
      injectRegister: false,
      injectManifest: {
        // The shell, the on-device worker, ORT's wasm and the model: all of it works offline.
        globPatterns: ["**/*.{js,css,html,png,webmanifest,wasm,onnx,json}"],
        maximumFileSizeToCacheInBytes: 40 * 1024 * 1024,
        // The portal is online only (its own entry, chunks named after it).
        globIgnores: ["portal/**", "assets/portal-*"],
      },
      manifest: {
        name: "Lifeline",
        short_name: "Lifeline",
        description: "Customers, contracts, signatures and payments — online or offline.",
        lang: "en",
        start_url: "/",
        scope: "/",
        display: "standalone",
        orientation: "portrait",
        theme_color: "#0b5d63",
        background_color: "#ffffff",
        icons: [
          { src: "/icons/icon-192.png", sizes: "192x192", type: "image/png" },
          { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png" },
          {
            src: "/icons/maskable-512.png",
            sizes: "512x512",
            type: "image/png",
            purpose: "maskable",
          },
        ],
      },
      devOptions: { enabled: true, type: "module" },
    }),
    portalWithoutManifest(),
  ],
});
