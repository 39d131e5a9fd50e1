import { useEffect, useRef, useState } from "react";

/** What the widget draws itself from: the shape of GET /v1/widget/config, with the admin's unsaved look. */
export type PreviewConfig = { name: string; branding: Record<string, string | undefined>; greeting: string | null };

const MESSAGE = "bp-widget-preview";

/**
 * The live preview: the platform's /widget/preview page, which runs /widget.js itself in preview
 * mode, so what is shown is the widget's own markup and stylesheet and cannot drift from what sites
 * get. Framed in a sandbox (scripts only: no cookies, no storage, no reaching back into the
 * console); every change of the look is posted to it.
 */
export function WidgetPreview({ config }: { config: PreviewConfig }) {
  const frame = useRef<HTMLIFrameElement>(null);
  const latest = useRef(config);
  const [ready, setReady] = useState(false);
  latest.current = config;

  useEffect(() => {
    function heard(event: MessageEvent) {
      if (event.source !== frame.current?.contentWindow || event.data?.type !== `${MESSAGE}-ready`) return;
      setReady(true);
      post(latest.current);
    }
    window.addEventListener("message", heard);
    return () => window.removeEventListener("message", heard);
  }, []);
  useEffect(() => { if (ready) post(config); }, [config, ready]);

  function post(look: PreviewConfig) {
    // The sandboxed page has an opaque origin, so "*"; it carries nothing secret (the look itself).
    frame.current?.contentWindow?.postMessage({ type: MESSAGE, config: look }, "*");
  }

  return <iframe ref={frame} className="widget-preview" src="/widget/preview" sandbox="allow-scripts" title="Widget preview" />;
}
