/**
 * Where files are dropped, and the same files chosen with a button (the path for a keyboard or a
 * screen reader: the drop target itself is not focusable, the button is).
 */
import { useRef, useState, type DragEvent } from "react";

// A hint for the system's file picker; the server decides by the bytes (and says why it refuses).
const ACCEPT = [".pdf", ".docx", ".txt", ".md", ".markdown", ".csv", ".html", ".htm", "application/pdf", "text/plain", "text/markdown", "text/csv", "text/html",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document"].join(",");

export function DropZone({ onFiles }: { onFiles: (files: File[]) => void }) {
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);

  function dragOver(event: DragEvent<HTMLDivElement>) {
    if (!event.dataTransfer.types.includes("Files")) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
    setOver(true);
  }
  function drop(event: DragEvent<HTMLDivElement>) {
    event.preventDefault();
    setOver(false);
    const files = [...event.dataTransfer.files];
    if (files.length > 0) onFiles(files);
  }

  return (
    <div
      className={over ? "drop-zone over" : "drop-zone"}
      onDragEnter={dragOver}
      onDragOver={dragOver}
      onDragLeave={(event) => { if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setOver(false); }}
      onDrop={drop}
      data-testid="drop-zone"
    >
      <p className="drop-title"><strong>Drop files here</strong> <span className="muted">or</span></p>
      <button type="button" className="button primary" onClick={() => input.current?.click()} aria-describedby="drop-formats">Choose files</button>
      <p id="drop-formats" className="hint">PDF, Word (DOCX), plain text, Markdown or CSV. A file with the name of one already here replaces it.</p>
      <input
        ref={input} type="file" multiple hidden accept={ACCEPT}
        onChange={(event) => {
          const files = [...(event.target.files ?? [])];
          event.target.value = "";
          if (files.length > 0) onFiles(files);
        }}
      />
    </div>
  );
}
