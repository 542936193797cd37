// The portal's screens, chosen by the location hash (/portal/#/…, so a deep link never
// reaches the rep app's index.html): without a session only the login and the invitation.
import { useEffect, useRef } from "preact/hooks";
import { ChangeRequestForm, ChangeRequestList } from "./change-requests.tsx";
import { ContractDetail } from "./contract.tsx";
import { Home } from "./home.tsx";
import { go, type Route, usePortal, useRoute } from "./hooks.ts";
import { Accept, Login } from "./login.tsx";
import { Shell } from "./shell.tsx";

function screen(route: Route) {
  const parts = route.path.split("/").filter(Boolean).map(decodeURIComponent);
  if (parts[0] === "contracts" && parts[1]) return <ContractDetail id={parts[1]} />;
  if (parts[0] === "change-requests" && parts[1] === "new")
    return <ChangeRequestForm contractId={route.params.get("contract")} />;
  if (parts[0] === "change-requests") return <ChangeRequestList />;
  return <Home />;
}

export function App() {
  const s = usePortal();
  const route = useRoute();
  const first = useRef(true);
  // A new screen: focus moves to its content, as a page load would put it.
  useEffect(() => {
    if (first.current) first.current = false;
    else document.getElementById("main")?.focus();
  }, [route.path]);
  useEffect(() => {
    if (s.session && route.path === "/login") go("/");
  }, [s.session, route.path]);
  let body: preact.ComponentChildren;
  if (route.path === "/accept") body = <Accept code={route.params.get("code")} />;
  else if (!s.session) body = <Login />;
  else body = screen(route);
  return <Shell route={route}>{body}</Shell>;
}
