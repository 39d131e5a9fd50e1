import type { TestPlatform, TestResponse } from "../kit/test-platform.ts";

/** A browser as far as the API can tell: it keeps the session cookie and sends the CSRF token back. */
export type Browser = {
  cookie: string | undefined;
  csrf: string | undefined;
  request<T = any>(method: string, path: string, options?: { body?: unknown; headers?: Record<string, string>; csrf?: boolean }): Promise<TestResponse<T>>;
};

export function browser(node: TestPlatform): Browser {
  const self: Browser = {
    cookie: undefined,
    csrf: undefined,
    async request(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      if (self.cookie) headers.cookie = self.cookie;
      const unsafe = !["GET", "HEAD"].includes(method);
      if (unsafe && self.csrf && options.csrf !== false) headers["x-csrf-token"] = self.csrf;
      if (options.body !== undefined) headers["content-type"] = "application/json";
      const response = await fetch(node.url + path, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
      const text = await response.text();
      let body: any;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = undefined;
      }
      for (const line of response.headers.getSetCookie()) {
        const [pair] = line.split(";");
        const [name, value] = pair!.split("=");
        if (name !== "bp_session") continue;
        self.cookie = value ? `bp_session=${value}` : undefined;
      }
      if (body && typeof body.csrfToken === "string") self.csrf = body.csrfToken;
      return { status: response.status, body, text, headers: response.headers };
    },
  };
  return self;
}

/** A tenant with a signed-in owner (invited by the operator, as a new tenant's first owner is). */
export async function tenantWithOwner(node: TestPlatform, name: string, ownerEmail: string, password = "correct horse battery"): Promise<{ id: string; keys: { admin: string; widget: string }; owner: Browser }> {
  const tenant = (await node.request("POST", "/v1/admin/tenants", { key: node.operatorKey, body: { name } })).body;
  const invited = await node.request("POST", `/v1/admin/tenants/${tenant.id}/invites`, { key: node.operatorKey, body: { email: ownerEmail, role: "owner" } });
  if (invited.status !== 201) throw new Error(`owner invite failed: ${invited.text}`);
  const owner = browser(node);
  const accepted = await owner.request("POST", "/v1/auth/invites/accept", { body: { token: tokenOf(invited.body.link), password, name: "Owner" } });
  if (accepted.status !== 201) throw new Error(`owner accept failed: ${accepted.text}`);
  return { ...tenant, owner };
}

/** Adds a member with a role to a tenant and answers their signed-in browser. */
export async function memberWithRole(node: TestPlatform, admin: Browser, email: string, role: string, password = "a long enough password"): Promise<Browser> {
  const invited = await admin.request("POST", "/v1/admin/invites", { body: { email, role } });
  if (invited.status !== 201) throw new Error(`invite failed: ${invited.text}`);
  const person = browser(node);
  const accepted = await person.request("POST", "/v1/auth/invites/accept", { body: { token: tokenOf(invited.body.link), password } });
  if (accepted.status !== 201) throw new Error(`accept failed: ${accepted.text}`);
  return person;
}

export function tokenOf(link: string): string {
  return new URL(link.replace("#/", "")).searchParams.get("token")!;
}
