/**
 * Node types by name, from loaded plugin modules. The plugin host feeds it as plugins are loaded,
 * replaced and unloaded; the engine and the flow validator read it.
 *
 * A type name belongs to one plugin at a time: registering a module whose type another plugin
 * already provides fails with NODE_TYPE_DUPLICATE (replace the plugin instead: `register` of the
 * same plugin id first drops that plugin's previous types).
 */
import type { NodeTypeDefinition, NodeTypeImplementation } from "../../sdk/node-type.ts";
import type { PluginModule } from "../../sdk/implement-plugin.ts";
import { ConflictError, ValidationError } from "../../sdk/platform-error.ts";
import { FlowErrorCode } from "./flow-errors.ts";

export type RegisteredNodeType = {
  type: string;
  pluginId: string;
  pluginVersion: string;
  definition: NodeTypeDefinition;
  implementation: NodeTypeImplementation<any>;
};

export type NodeTypeRegistry = {
  /** Adds (or replaces, for the same plugin id) every node type a plugin module provides. */
  register(module: PluginModule<any>): RegisteredNodeType[];
  /** Drops every node type of a plugin; returns the type names dropped. */
  unregister(pluginId: string): string[];
  get(type: string): RegisteredNodeType | undefined;
  has(type: string): boolean;
  list(): RegisteredNodeType[];
};

export function createNodeTypeRegistry(modules: readonly PluginModule<any>[] = []): NodeTypeRegistry {
  const byType = new Map<string, RegisteredNodeType>();

  const registry: NodeTypeRegistry = {
    register(module) {
      const { definition, implementation } = module;
      const entries: RegisteredNodeType[] = [];
      for (const nodeType of definition.nodeTypes ?? []) {
        const impl = (implementation.nodeTypes as Record<string, NodeTypeImplementation<any>> | undefined)?.[nodeType.type];
        if (!impl || typeof impl.run !== "function") {
          throw new ValidationError(FlowErrorCode.nodeTypeHandlerMissing, `Plugin ${definition.id} declares node type "${nodeType.type}" without a handler`, { plugin: definition.id, type: nodeType.type });
        }
        const owner = byType.get(nodeType.type);
        if (owner && owner.pluginId !== definition.id) {
          throw new ConflictError(FlowErrorCode.nodeTypeDuplicate, `Node type "${nodeType.type}" is already provided by ${owner.pluginId}`, { plugin: definition.id, type: nodeType.type, owner: owner.pluginId });
        }
        entries.push({ type: nodeType.type, pluginId: definition.id, pluginVersion: definition.version, definition: nodeType, implementation: impl });
      }
      registry.unregister(definition.id);
      for (const entry of entries) byType.set(entry.type, entry);
      return entries;
    },
    unregister(pluginId) {
      const dropped: string[] = [];
      for (const [type, entry] of byType) if (entry.pluginId === pluginId) { byType.delete(type); dropped.push(type); }
      return dropped;
    },
    get: (type) => byType.get(type),
    has: (type) => byType.has(type),
    list: () => [...byType.values()],
  };
  for (const module of modules) registry.register(module);
  return registry;
}
