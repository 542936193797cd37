// Builds the rep's PWA (web/) into web/dist, which the router serves as static assets.
// `npm start` runs it before the router starts, so a fresh clone needs no extra step.
import { join } from "node:path";
import { ROOT } from "./region.ts";

export const WEB_CONFIG = join(ROOT, "web", "vite.config.ts");
export const WEB_DIST = join(ROOT, "web", "dist");

export async function buildWeb(options: { quiet?: boolean } = {}): Promise<void> {
  const { build } = await import("vite");
  await build({ configFile: WEB_CONFIG, logLevel: options.quiet ? "error" : "warn" });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await buildWeb();
  process.stdout.write(`built ${WEB_DIST}\n`);
}
