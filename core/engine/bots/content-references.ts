/**
 * The content library items a flow names (`contentId`, `contentTag` on message and question nodes,
 * and on any node type that takes the library's fields), composites' sub-flows included. Checked
 * at publish, so a typo or a deleted item is refused on the node that names it rather than found
 * by the first user who reaches it.
 */
export type ContentReference = { node: string; kind: "id" | "tag"; value: string };

type NodeLike = { id?: unknown; content?: unknown };

export function contentReferences(flow: unknown, prefix = ""): ContentReference[] {
  const nodes = (flow as { nodes?: unknown } | null)?.nodes;
  if (!Array.isArray(nodes)) return [];
  const found: ContentReference[] = [];
  for (const node of nodes as NodeLike[]) {
    const id = `${prefix}${typeof node.id === "string" ? node.id : "?"}`;
    const content = node.content as { contentId?: unknown; contentTag?: unknown; flow?: unknown } | undefined;
    if (!content || typeof content !== "object") continue;
    if (typeof content.contentId === "string") found.push({ node: id, kind: "id", value: content.contentId });
    if (typeof content.contentTag === "string") found.push({ node: id, kind: "tag", value: content.contentTag });
    if (content.flow) found.push(...contentReferences(content.flow, `${id}/`));
  }
  return found;
}
