/**
 * Node types as one tenant sees them: the node's own (first-party plugins) plus what that tenant
 * installed from the marketplace. The flow validator and the engine take a NodeTypeRegistry; the
 * bots and conversations services ask this resolver for the tenant's registry once per publish or
 * turn, so an install, upgrade or uninstall takes effect from the next turn, and a turn in flight
 * finishes on the version it resolved.
 */
import type { NodeTypeRegistry, RegisteredNodeType } from "./node-type-registry.ts";

export type TenantNodeTypes = {
  forTenant(tenantId: string): Promise<NodeTypeRegistry>;
};

/** Every tenant sees the same registry (no marketplace on this node, or unit tests). */
export function sameForEveryTenant(registry: NodeTypeRegistry): TenantNodeTypes {
  return { forTenant: async () => registry };
}

/**
 * A read-only view: `extra` entries by type, then `base`. Built-in types win a clash (the
 * marketplace refuses such names at publish, so this only guards against a later first-party plugin).
 */
export function overlayNodeTypes(base: NodeTypeRegistry, extra: readonly RegisteredNodeType[]): NodeTypeRegistry {
  const byType = new Map(extra.map((entry) => [entry.type, entry]));
  const readOnly = (): never => {
    throw new Error("A tenant's view of node types is read-only");
  };
  return {
    register: readOnly,
    unregister: readOnly,
    get: (type) => base.get(type) ?? byType.get(type),
    has: (type) => base.has(type) || byType.has(type),
    list: () => [...base.list(), ...[...byType.values()].filter((entry) => !base.has(entry.type))],
  };
}
