// The app shell's size counts the rep app's entry and its static imports only: the portal's
// entry, the chunks only it loads and every dynamic import stay out.
import { expect, test } from "vitest";
import { shellChunks, type ViteManifest } from "./web-shell.ts";

const manifest: ViteManifest = {
  "index.html": {
    file: "assets/index-A.js",
    isEntry: true,
    imports: ["_shared-S.js", "_parts-P.js"],
    css: ["assets/index-A.css"],
  },
  "portal/index.html": {
    file: "assets/portal-B.js",
    isEntry: true,
    imports: ["_shared-S.js", "_api-types-T.js"],
    css: ["assets/portal-B.css"],
  },
  "_shared-S.js": { file: "assets/shared-S.js" },
  "_parts-P.js": { file: "assets/parts-P.js", imports: ["_shared-S.js"] },
  "_api-types-T.js": { file: "assets/api-types-T.js" },
  "src/ui/workbench.tsx": { file: "assets/workbench-W.js", imports: ["_parts-P.js"] },
};

test("the rep app's entry, its CSS and its static imports, each once; nothing of the portal", () => {
  expect(shellChunks(manifest).sort()).toEqual(
    ["assets/index-A.js", "assets/index-A.css", "assets/shared-S.js", "assets/parts-P.js"].sort(),
  );
});

test("a manifest without the entry is an error, not an empty shell", () => {
  const { "index.html": _, ...portalOnly } = manifest;
  expect(() => shellChunks(portalOnly)).toThrow(/no entry index\.html/);
});
