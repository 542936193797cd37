// The screens, chosen by the location hash (works from the cached shell, offline).

import { ContractDetail, ContractNew } from "./contract.tsx";
import { CustomerDetail, CustomerList, CustomerNew } from "./customers.tsx";
import { useAppState, useRoute } from "./hooks.ts";
import { Insights } from "./insights.tsx";
import { Login } from "./login.tsx";
import { Outbox } from "./outbox.tsx";
import { Shell } from "./shell.tsx";

function screen(route: string) {
  const parts = route.split("/").filter(Boolean).map(decodeURIComponent);
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
