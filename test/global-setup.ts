// Once before the whole suite: build the rep app (web/dist), which the router serves as
// static assets — a fresh clone has no build yet, and the router will not start without it.
// LIFELINE_SKIP_WEB_BUILD=1 skips it for a run that needs no router (e.g. only core/ tests
// while web/ is being edited); the router's own tests then use whatever web/dist holds.
import { buildWeb } from "../scripts/web-build.ts";

export default async function setup(): Promise<void> {
  if (process.env.LIFELINE_SKIP_WEB_BUILD === "1") return;
  await buildWeb({ quiet: true });
}
