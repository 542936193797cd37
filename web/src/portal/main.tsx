// The customer portal's entry (web/portal/index.html, served at /portal/): its own login,
// screens and bundle, sharing only the look (styles.css) and a few helpers with the rep app.
// Online only, on purpose: no service worker is registered — a customer checks orders with a
// connection, and the rep app's worker (scope /) leaves /portal/ navigations to the network.
import { render } from "preact";
import "./portal.css";
import { boot } from "./state.ts";
import { App } from "./ui/app.tsx";

boot();
render(<App />, document.getElementById("root")!);
