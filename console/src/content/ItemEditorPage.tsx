import { useEffect, useId, useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { describeError } from "../api/client.ts";
import { nodeTypeKeys, nodeTypesApi } from "../flows/api.ts";
import type { JsonSchema } from "../flows/flow-document.ts";
import { SchemaField } from "../flows/form/SchemaField.tsx";
import { Dialog } from "../shell/Dialog.tsx";
import { Layout } from "../shell/Layout.tsx";
import { navigate } from "../shell/router.ts";
import { BUILT_IN_TYPES, contentApi, contentKeys, type ContentItem, type ItemInput, type RichMessage } from "./api.ts";
import { ExperimentsOfItem } from "./ExperimentsOfItem.tsx";

type Draft = { name: string; type: string; tags: string; locale: string; variants: { id: string; name: string; weight: number; messages: RichMessage[] }[] };

const newVariant = (index: number): Draft["variants"][number] => {
  const id = String.fromCharCode(97 + index);
  return { id, name: `Variant ${id.toUpperCase()}`, weight: 1, messages: [{ type: "text", text: "" }] };
};
const draftOf = (item: ContentItem | undefined): Draft => item
  ? { name: item.name, type: item.type, tags: item.tags.join(", "), locale: item.locale ?? "", variants: item.variants.map((v) => ({ ...v, messages: structuredClone(v.messages) })) }
  : { name: "", type: "message", tags: "", locale: "", variants: [newVariant(0)] };

function inputOf(draft: Draft): ItemInput {
  return {
    name: draft.name.trim(), type: draft.type.trim(), locale: draft.locale.trim() || null,
    tags: draft.tags.split(",").map((t) => t.trim()).filter(Boolean),
    variants: draft.variants.map((v) => ({ id: v.id.trim(), name: v.name.trim() || undefined, weight: v.weight, messages: v.messages })),
  };
}

/**
 * One item of the library: its name, type, tags and locale, and its variants with their weights.
 * Each variant's messages are edited with the message node's own form (drawn from its JSON Schema),
 * so an item holds exactly what a message node can show.
 */
export default function ItemEditorPage({ itemId }: { itemId?: string }) {
  const queryClient = useQueryClient();
  const item = useQuery({ queryKey: contentKeys.item(itemId ?? "new"), queryFn: () => contentApi.get(itemId!), enabled: itemId !== undefined });
  const nodeTypes = useQuery({ queryKey: nodeTypeKeys.all, queryFn: nodeTypesApi.list });
  const [draft, setDraft] = useState<Draft>(() => draftOf(undefined));
  const [notice, setNotice] = useState<string>();
  const [deleting, setDeleting] = useState(false);
  useEffect(() => { if (item.data) setDraft(draftOf(item.data)); }, [item.data]);

  const save = useMutation({
    mutationFn: (input: ItemInput) => (itemId ? contentApi.update(itemId, input) : contentApi.create(input)),
    onSuccess: (saved) => {
      void queryClient.invalidateQueries({ queryKey: contentKeys.all });
      queryClient.setQueryData(contentKeys.item(saved.id), saved);
      setNotice(`Saved “${saved.name}”.`);
      if (!itemId) navigate(`/content/${saved.id}`);
    },
  });
  const remove = useMutation({
    mutationFn: () => contentApi.remove(itemId!),
    onSuccess: () => { void queryClient.invalidateQueries({ queryKey: contentKeys.all }); navigate("/content"); },
  });

  const messageSchema = nodeTypes.data?.find((t) => t.type === "message")?.contentSchema;
  const messagesField = (messageSchema?.properties as Record<string, JsonSchema> | undefined)?.messages;
  const total = draft.variants.reduce((sum, v) => sum + (Number.isFinite(v.weight) ? v.weight : 0), 0);
  const setVariant = (index: number, change: Partial<Draft["variants"][number]>) =>
    setDraft((d) => ({ ...d, variants: d.variants.map((v, i) => (i === index ? { ...v, ...change } : v)) }));

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setNotice(undefined);
    save.mutate(inputOf(draft));
  }

  const title = itemId ? (item.data?.name ?? "Content item") : "New content item";
  if (itemId && item.isError) return <Layout title="Content item"><p role="alert" className="alert">{describeError(item.error)}</p></Layout>;
  return (
    <Layout title={title} actions={itemId && <button type="button" className="button danger" onClick={() => setDeleting(true)}>Delete item</button>}>
      <p role="status" className="notice">{notice}</p>
      <form className="item-form" onSubmit={submit} aria-label="Content item">
        <div className="item-fields">
          <label className="field">Name<input value={draft.name} required maxLength={200} onChange={(e) => setDraft({ ...draft, name: e.target.value })} /></label>
          <label className="field">Type
            <input value={draft.type} required maxLength={40} list="content-types" pattern="[a-z][a-z0-9_\-]*" onChange={(e) => setDraft({ ...draft, type: e.target.value })} aria-describedby="type-hint" />
            <span id="type-hint" className="hint">message, joke, fact, quote, prompt, or a type of your own (lower case)</span>
          </label>
          <datalist id="content-types">{BUILT_IN_TYPES.map((t) => <option key={t} value={t} />)}</datalist>
          <label className="field">Tags<input value={draft.tags} onChange={(e) => setDraft({ ...draft, tags: e.target.value })} aria-describedby="tags-hint" />
            <span id="tags-hint" className="hint">Separated by commas; a node may show a random item by tag</span>
          </label>
          <label className="field">Locale<input value={draft.locale} maxLength={35} placeholder="en" onChange={(e) => setDraft({ ...draft, locale: e.target.value })} aria-describedby="locale-hint" />
            <span id="locale-hint" className="hint">Empty: any language</span>
          </label>
        </div>
        <h2>Variants</h2>
        <p className="muted small">Each user sees one variant, chosen by weight, and keeps it. Give a variant weight 0 to show it to nobody.</p>
        {draft.variants.map((variant, index) => (
          <VariantEditor key={index} index={index} variant={variant} share={total > 0 ? variant.weight / total : 0}
            schema={messagesField} root={messageSchema} winner={item.data?.winnerVariantId ?? null}
            onChange={(change) => setVariant(index, change)}
            onRemove={draft.variants.length > 1 ? () => setDraft((d) => ({ ...d, variants: d.variants.filter((_, i) => i !== index) })) : undefined} />
        ))}
        <div className="form-actions">
          <button type="button" className="button" onClick={() => setDraft((d) => ({ ...d, variants: [...d.variants, newVariant(d.variants.length)] }))} disabled={draft.variants.length >= 10}>Add variant</button>
          <button type="submit" className="button primary" disabled={save.isPending}>{itemId ? "Save item" : "Create item"}</button>
        </div>
        {save.isError && <p role="alert" className="alert">{describeError(save.error)}</p>}
      </form>
      {itemId && item.data && <ExperimentsOfItem item={item.data} />}
      <Dialog title={`Delete ${item.data?.name ?? "this item"}?`} open={deleting} onClose={() => setDeleting(false)}>
        <p>The item and its experiments are deleted. Nodes that name it will show a polite error instead. This cannot be undone.</p>
        {remove.isError && <p role="alert" className="alert">{describeError(remove.error)}</p>}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={() => setDeleting(false)} autoFocus>Keep it</button>
          <button type="button" className="button danger-solid" onClick={() => remove.mutate()} disabled={remove.isPending}>Delete item</button>
        </div>
      </Dialog>
    </Layout>
  );
}

type VariantProps = {
  /** The promoted variant's id, when the item has one: it alone is shown, whatever the weights. */
  index: number; variant: Draft["variants"][number]; share: number; schema: JsonSchema | undefined; root: JsonSchema | undefined; winner: string | null;
  onChange: (change: Partial<Draft["variants"][number]>) => void; onRemove?: () => void;
};

function VariantEditor({ index, variant, share, schema, root, winner, onChange, onRemove }: VariantProps) {
  const id = useId();
  return (
    <fieldset className="group variant">
      <legend>
        {variant.name || `Variant ${index + 1}`}{" "}
        {winner === null && <span className="muted small">{Math.round(share * 100)}% of users</span>}
        {winner === variant.id && <span className="badge live">winner: every user sees it</span>}
        {winner !== null && winner !== variant.id && <span className="muted small">not shown (another variant won)</span>}
      </legend>
      <div className="variant-head">
        <label className="field" htmlFor={`${id}-id`}>Id<input id={`${id}-id`} value={variant.id} required maxLength={40} pattern="[A-Za-z0-9_\-]+" onChange={(e) => onChange({ id: e.target.value })} /></label>
        <label className="field" htmlFor={`${id}-name`}>Variant name<input id={`${id}-name`} value={variant.name} maxLength={100} onChange={(e) => onChange({ name: e.target.value })} /></label>
        <label className="field" htmlFor={`${id}-weight`}>Weight<input id={`${id}-weight`} type="number" min={0} step="any" required value={Number.isFinite(variant.weight) ? variant.weight : ""} onChange={(e) => onChange({ weight: e.target.valueAsNumber })} /></label>
      </div>
      {schema && root
        ? <SchemaField schema={schema} root={root} name={`variant-${index}-messages`} label="Messages" value={variant.messages} required variables={[]} onChange={(next) => onChange({ messages: (next ?? []) as RichMessage[] })} />
        : <p role="status" className="muted">Loading the message form…</p>}
      {onRemove && <div className="list-item-actions"><button type="button" className="button small danger" onClick={onRemove}>Remove {variant.name || `variant ${index + 1}`}</button></div>}
    </fieldset>
  );
}
