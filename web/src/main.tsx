import { registerSW } from "virtual:pwa-register";
import { render } from "preact";
import { boot } from "./app/state.ts";
import "./styles.css";
import { App } from "./ui/app.tsx";

// The service worker updates itself and takes over at once (autoUpdate); the outbox lives
// in IndexedDB, so a new version never loses what an older one queued.
registerSW({ immediate: true });
await boot();
render(<App />, document.getElementById("root")!);
