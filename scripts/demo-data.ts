// Demo data `npm start` writes through the public API once the regions are up, so the
// portal and the group workbench have something real to show (local mode only): a
// strategic hospital customer in cn with a signed contract under delivery (milestones to
// 深圳仓 and 上海仓, invoices, a payment) and one still at proposal; a customer success
// group led by the demo rep with a discount delegation; and a portal user for the
// hospital's buyer with a known dev password. Every write has a fixed Idempotency-Key and
// the customer a tax id, so a restart replays instead of duplicating.
import type { DevCredentials } from "./seed.ts";

export type DemoPortal = { email: string; password: string };

const TAX_ID = "91310000DEMO00001X";
const DOC_SIGNED = "5".repeat(64);
const DOC_PROPOSAL = "6".repeat(64);
const GROUP_ID = "01JDEM0GR0XP0000000000EAST";
const DELEGATION_ID = "01JDEM0DE1EGAT10N00000EAST";

export function demoPortal(env: NodeJS.ProcessEnv = process.env): DemoPortal {
  const password = env.LIFELINE_DEV_PORTAL_PASSWORD || "lifeline-portal";
  if (password.length < 10)
    throw new Error("LIFELINE_DEV_PORTAL_PASSWORD must be at least 10 characters");
  return { email: "buyer@hospital.demo", password };
}

/** Writes the demo data through `apiUrl` (a cn region); throws a readable error on a refusal. */
export async function writeDemoData(
  apiUrl: string,
  c: DevCredentials,
  portal: DemoPortal = demoPortal(),
): Promise<void> {
  const call = async (
    token: string,
    method: string,
    path: string,
    body: unknown,
    key: string | null,
    ok: number[] = [200, 201, 204],
  ) => {
    const res = await fetch(`${apiUrl}${path}`, {
      signal: AbortSignal.timeout(15_000),
      method,
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": "application/json",
        ...(key ? { "idempotency-key": `demo-data-v1-${key}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!ok.includes(res.status))
      throw new Error(`demo data: ${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  };
  const login = async (email: string, password: string) =>
    String((await call("", "POST", "/v1/auth/login", { email, password }, null)).token);
  const rep = await login(c.repEmail, c.repPassword);
  const admin = await login(c.adminEmail, c.adminPassword);

  const customer = await call(
    rep,
    "POST",
    "/v1/customers",
    {
      name: "华东人民医院",
      taxId: TAX_ID,
      residency: "cn",
      tier: "strategic",
      contacts: [{ name: "李工（采购部）", phone: "13800001234" }],
    },
    "customer",
  );
  const accountId = String(customer.id);
  const draft = async (key: string, title: string, value: number, documentHash: string) =>
    String(
      (
        await call(
          rep,
          "POST",
          "/v1/contracts",
          { customerId: accountId, title, amount: { value, currency: "CNY" }, documentHash },
          key,
        )
      ).id,
    );
  const signed = await draft("contract-ultrasound", "超声诊断系统 ×3", 1_860_000_00, DOC_SIGNED);
  await call(rep, "POST", `/v1/contracts/${signed}/send`, {}, "send-ultrasound");
  for (const [party, name] of [
    ["customer", "李工"],
    ["vendor", "Demo Rep"],
  ] as const)
    await call(
      rep,
      "POST",
      `/v1/contracts/${signed}/signatures`,
      { party, signer: { name }, documentHash: DOC_SIGNED },
      `sign-ultrasound-${party}`,
    );
  const milestones = [
    ["lot-1", "第一批（2台）", "深圳仓", 2, "2026-11-20", "2026-11-20", "2026-11-19"],
    ["lot-2", "第二批（1台）", "上海仓", 1, "2026-12-18", "2026-12-20", null],
  ] as const;
  for (const [id, name, destination, quantity, planned, committed, actual] of milestones)
    await call(
      rep,
      "PUT",
      `/v1/contracts/${signed}/milestones/${id}`,
      {
        name,
        destination,
        quantity,
        plannedDate: planned,
        committedDate: committed,
        actualDate: actual,
        supplier: "Demo Optics OEM",
        costMinor: 41_000_000,
        internalNote: "探头单独包装",
      },
      `milestone-${id}`,
    );
  await call(
    rep,
    "POST",
    `/v1/contracts/${signed}/invoices`,
    {
      number: "INV-2026-1101",
      amount: { value: 930_000_00, currency: "CNY" },
      issuedAt: "2026-11-01",
      dueDate: "2026-11-30",
    },
    "invoice-1",
  );
  await call(
    rep,
    "POST",
    `/v1/contracts/${signed}/invoices`,
    {
      number: "INV-2026-1201",
      amount: { value: 930_000_00, currency: "CNY" },
      issuedAt: "2026-12-01",
      dueDate: "2026-12-31",
    },
    "invoice-2",
  );
  await call(
    rep,
    "POST",
    "/v1/payments",
    {
      contractId: signed,
      reference: "BANK-20261125-001",
      amount: { value: 930_000_00, currency: "CNY" },
      receivedAt: "2026-11-25T10:30:00+08:00",
    },
    "payment-1",
  );
  const proposal = await draft("contract-service", "三年维保服务", 240_000_00, DOC_PROPOSAL);
  // Sent: the customer sees a contract from the moment it is sent to them.
  await call(rep, "POST", `/v1/contracts/${proposal}/send`, {}, "send-service");

  // The customer success group: the demo rep leads it, with a discount delegation.
  const created = await call(
    admin,
    "POST",
    "/v1/groups",
    { id: GROUP_ID, name: "华东重点客户组" },
    "group",
  );
  const groupId = String(created.id ?? `grp_${GROUP_ID}`);
  await call(
    admin,
    "PUT",
    `/v1/groups/${groupId}/members/usr_demo_rep`,
    { role: "sales-manager" },
    "member-rep",
  );
  await call(admin, "PUT", `/v1/groups/${groupId}/accounts/${accountId}`, {}, "group-account");
  await call(
    admin,
    "POST",
    `/v1/groups/${groupId}/delegations`,
    {
      id: DELEGATION_ID,
      userId: "usr_demo_rep",
      kinds: ["discount"],
      maxAmount: { value: 50_000_00, currency: "CNY" },
      // Fixed, so a restart sends the same body and replays.
      expiresAt: "2030-12-31T00:00:00.000Z",
    },
    "delegation",
  );

  // The hospital's buyer in the portal: invited once, the code accepted with the dev password.
  const invited = (await call(
    rep,
    "POST",
    `/v1/customers/${accountId}/portal-users`,
    { email: portal.email, name: "李工（采购部）" },
    "portal-user",
  )) as { invitation?: { code: string } | null };
  if (invited.invitation?.code)
    await call(
      "",
      "POST",
      "/v1/portal/auth/accept",
      { code: invited.invitation.code, password: portal.password },
      null,
      [204, 404],
    );
}
