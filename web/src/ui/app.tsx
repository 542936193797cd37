// The screens, chosen by the location hash (works from the cached shell, offline).

import { useEffect, useState } from "preact/hooks";
import { t } from "../app/state.ts";
import { ContractDetail, ContractNew } from "./contract.tsx";
import { CustomerDetail, CustomerList, CustomerNew } from "./customers.tsx";
import { useAppState, useRoute } from "./hooks.ts";
import { Insights } from "./insights.tsx";
import { Login } from "./login.tsx";
import { Outbox } from "./outbox.tsx";
import { Shell } from "./shell.tsx";

// The group screens are online only and for group members: loaded when first opened, so
// the shell stays small (the service worker precaches them with the rest).
const loadGroupScreens = () =>
  Promise.all([import("./workbench.tsx"), import("./change-requests.tsx")]);

function GroupScreens(props: { parts: string[] }) {
  const [screens, setScreens] = useState<Awaited<ReturnType<typeof loadGroupScreens>> | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    loadGroupScreens().then(setScreens, () => setFailed(true));
  }, []);
  if (!screens) return <p class="hint">{failed ? t("groups.offline") : "…"}</p>;
  const [{ Groups, Workbench }, { ChangeRequestScreen }] = screens;
  const [first, id] = props.parts;
  if (first === "change-requests" && id) return <ChangeRequestScreen id={id} />;
  return id ? <Workbench id={id} /> : <Groups />;
}

function screen(route: string) {
  const parts = route.split("/").filter(Boolean).map(decodeURIComponent);
  if (parts[0] === "groups" || parts[0] === "change-requests")
    return <GroupScreens parts={parts} />;
  if (parts[0] === "customers" && parts[1] === "new") return <CustomerNew />;
  if (parts[0] === "customers" && parts[1] && parts[2] === "contracts" && parts[3] === "new")
    return <ContractNew customerId={parts[1]} />;
  if (parts[0] === "customers" && parts[1]) return <CustomerDetail id={parts[1]} />;
  if (parts[0] === "contracts" && parts[1]) return <ContractDetail id={parts[1]} />;
  if (parts[0] === "insights") return <Insights />;
  if (parts[0] === "outbox") return <Outbox />;
  return <CustomerList />;
}

export function App() {
  const s = useAppState();
  const route = useRoute();
  return <Shell route={route}>{s.session ? screen(route) : <Login />}</Shell>;
}
