import type { AuditEntry } from "./api.ts";

const verbs: Record<string, string> = { POST: "created", PUT: "set", PATCH: "changed", DELETE: "deleted" };

/** Routes that do something to what they name, rather than make or change one of a collection. */
const actions = /^(redeliver|publish|rotate-secret|promote|stop|reingest|import)$/;
const singular = (noun: string) => noun.replace(/ies$/, "y").replace(/s$/, "");

/** "POST /v1/admin/tenants/:tenantId/keys" → "created key"; the route stays beside it for the exact story. */
export function summary(entry: Pick<AuditEntry, "method" | "route">): string {
  const parts = entry.route.replace(/^\/v1\/admin\//, "").split("/");
  const last = parts.at(-1) ?? entry.route;
  if (entry.method === "POST" && actions.test(last)) return last.replace("-", " ");
  const noun = parts.filter((part) => !part.startsWith(":")).at(-1) ?? entry.route;
  return `${verbs[entry.method] ?? entry.method} ${singular(noun)}`;
}
