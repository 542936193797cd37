// Once before the whole suite: build the rep app (web/dist), which the router serves as
// static assets — a fresh clone has no build yet, and the router will not start without it.
import { buildWeb } from "../scripts/web-build.ts";

export default async function setup(): Promise<void> {
  await buildWeb({ quiet: true });
}
