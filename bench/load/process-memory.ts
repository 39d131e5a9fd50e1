import { readFileSync, readdirSync } from "node:fs";

/** Resident memory of one process in MiB (Linux /proc), or undefined once it is gone. */
export function residentMiB(pid: number): number | undefined {
  try {
    const kib = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kib === undefined ? undefined : Number(kib) / 1024;
  } catch {
    return undefined;
  }
}

/** The process's children (the sandbox's worker processes, for a platform node). */
export function childrenOf(pid: number): number[] {
  const children: number[] = [];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const listed = readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").trim();
      if (listed) children.push(...listed.split(/\s+/).map(Number));
    }
  } catch {
    // The process went away while we looked.
  }
  return children;
}

/** Resident memory of a process and of each process below it, in MiB. */
export function treeMemory(pid: number): { main: number; children: number[] } {
  const children: number[] = [];
  const walk = (at: number) => {
    for (const child of childrenOf(at)) {
      const rss = residentMiB(child);
      if (rss !== undefined) children.push(rss);
      walk(child);
    }
  };
  walk(pid);
  return { main: residentMiB(pid) ?? 0, children };
}
