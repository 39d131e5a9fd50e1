/**
 * The sites that may use the tenant's widget key (its allowed domains): the chat API refuses a
 * page from any other origin (403 ORIGIN_NOT_ALLOWED). One list for every bot of the tenant.
 */
import { useId, useState, type FormEvent } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { describeError } from "../api/client.ts";
import { channelKeys, tenantApi, type Tenant } from "./api.ts";

// The server's own rule (core/kernel/tenancy/tenants.routes.ts), so a typo is named before saving.
const DOMAIN = /^(\*\.)?[a-z0-9.-]+(:\d+)?$/i;

export function AllowedDomains({ tenant }: { tenant: Tenant }) {
  const queryClient = useQueryClient();
  const id = useId();
  const [text, setText] = useState(() => tenant.allowedDomains.join("\n"));
  const [notice, setNotice] = useState("");
  const domains = text.split(/[\n,]+/).map((d) => d.trim().replace(/^https?:\/\//i, "").replace(/\/.*$/, "")).filter(Boolean);
  const wrong = domains.filter((d) => !DOMAIN.test(d));

  const save = useMutation({
    mutationFn: () => tenantApi.setAllowedDomains(tenant.id, [...new Set(domains.map((d) => d.toLowerCase()))]),
    onSuccess: (answer) => {
      queryClient.setQueryData(channelKeys.tenant, answer);
      setText(answer.allowedDomains.join("\n"));
      setNotice(answer.allowedDomains.length === 0 ? "Saved: any site may use the widget." : `Saved: only ${answer.allowedDomains.join(", ")} may use the widget.`);
    },
  });

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (wrong.length === 0) save.mutate();
  }

  return (
    <form className="domains-form" onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Sites that may use the widget</h3>
      <div className="field">
        <label htmlFor={`${id}-list`}>Allowed domains</label>
        <span id={`${id}-hint`} className="hint">
          One host name per line: shop.example.com, *.example.com (its subdomains), localhost:8080 (one port). Empty: any site.
          This list is the tenant's, for every bot of {tenant.name}.
        </span>
        <textarea id={`${id}-list`} className="code" rows={4} value={text} spellCheck={false} aria-invalid={wrong.length > 0 || undefined}
          aria-describedby={`${id}-hint${wrong.length > 0 ? ` ${id}-wrong` : ""}`} onChange={(event) => { setNotice(""); setText(event.target.value); }} />
        {wrong.length > 0 && <span id={`${id}-wrong`} className="field-error">Not a host name: {wrong.join(", ")}</span>}
      </div>
      <div role="status">
        {save.isError && <p className="alert">{describeError(save.error)}</p>}
        {notice && <p className="notice">{notice}</p>}
      </div>
      <button type="submit" className="button" disabled={save.isPending || wrong.length > 0}>{save.isPending ? "Saving…" : "Save allowed domains"}</button>
    </form>
  );
}
