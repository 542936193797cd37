// What the rep app's first paint needs, read from Vite's build manifest: its entry
// (index.html), the chunks that entry imports statically and their CSS. Nothing of another
// entry (the customer portal, portal/index.html) counts unless the rep app imports it too.

/** One chunk of web/dist/.vite/manifest.json, as far as sizing the shell needs. */
export type ManifestChunk = { file: string; isEntry?: boolean; imports?: string[]; css?: string[] };
export type ViteManifest = Readonly<Record<string, ManifestChunk>>;

/** The rep app's entry in the manifest (the portal's is portal/index.html). */
export const SHELL_ENTRY = "index.html";

/** The output files (JS and CSS) the entry loads before first paint; dynamic imports are lazy. */
export function shellChunks(manifest: ViteManifest, entry = SHELL_ENTRY): string[] {
  if (!manifest[entry]?.isEntry)
    throw new Error(`the build manifest has no entry ${entry}: build the web app first`);
  const seen = new Set<string>();
  const visit = (key: string) => {
    const chunk = manifest[key];
    if (!chunk || seen.has(chunk.file)) return;
    seen.add(chunk.file);
    for (const css of chunk.css ?? []) seen.add(css);
    for (const i of chunk.imports ?? []) visit(i);
  };
  visit(entry);
  return [...seen];
}
