/**
 * The package format: a gzipped tar holding
 *
 *   manifest.json   the plugin's definition as data (plugin-manifest.schema.ts)
 *   bundle.mjs      its ESM bundle; it only ever runs inside the sandbox
 *   README.md       shown in the catalog
 *   CHANGELOG.md    optional
 *   icon.svg|png    optional
 *
 * Files may sit at the top or under one `package/` folder (what `npm pack` makes). Anything else is
 * refused, and sizes are capped while reading, so a crafted archive cannot fill memory.
 */
import { createHash } from "node:crypto";
import { create, Parser, type ReadEntry } from "tar";
import { PayloadTooLargeError, ValidationError } from "../../core/sdk/platform-error.ts";
import { MarketplaceErrorCode } from "../marketplace-errors.ts";

export const PACKAGE_FILES = ["manifest.json", "bundle.mjs", "README.md", "CHANGELOG.md", "icon.svg", "icon.png"] as const;
export type PackageFile = (typeof PACKAGE_FILES)[number];
export type PackageContents = Partial<Record<PackageFile, Buffer>>;

/** The bundle size the sandbox accepts (its own source limit). */
export const MAX_BUNDLE_BYTES = 512 * 1024;
export const MAX_PACKAGE_BYTES = 2 * 1024 * 1024;
const MAX_UNPACKED_BYTES = 4 * 1024 * 1024;

/** `sha512-<base64>`, the form npm lockfiles use. */
export function integrityOf(bytes: Buffer): string {
  return `sha512-${createHash("sha512").update(bytes).digest("base64")}`;
}

/** Builds the .tgz from a folder holding the package files. */
export async function packFolder(folder: string): Promise<Buffer> {
  const { readdirSync } = await import("node:fs");
  const present = readdirSync(folder).filter((name): name is PackageFile => (PACKAGE_FILES as readonly string[]).includes(name)).sort();
  for (const required of ["manifest.json", "bundle.mjs"]) {
    if (!present.includes(required as PackageFile)) throw new ValidationError(MarketplaceErrorCode.packageFileMissing, `${folder} has no ${required}`, { file: required });
  }
  // portable + fixed mtime: the same files always give the same bytes, hence the same integrity.
  const stream = create({ gzip: true, cwd: folder, portable: true, mtime: new Date(0), prefix: "package" }, present);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** Reads the package files out of a .tgz held in memory. */
export async function unpackPackage(bytes: Buffer): Promise<PackageContents> {
  if (bytes.length > MAX_PACKAGE_BYTES) throw new PayloadTooLargeError(MarketplaceErrorCode.packageTooLarge, `A package may be at most ${MAX_PACKAGE_BYTES} bytes`);
  const files: PackageContents = {};
  let total = 0;
  let problem: Error | undefined;
  const reading: Promise<void>[] = [];
  const parser = new Parser({
    strict: true,
    onReadEntry(entry: ReadEntry) {
      const name = entry.path.replace(/^package\//, "");
      if (entry.type === "Directory") return entry.resume();
      if (entry.type !== "File" || !(PACKAGE_FILES as readonly string[]).includes(name)) {
        problem ??= new ValidationError(MarketplaceErrorCode.packageInvalid, `A package holds only ${PACKAGE_FILES.join(", ")}; found ${JSON.stringify(entry.path).slice(0, 120)}`, { file: entry.path.slice(0, 120) });
        return entry.resume();
      }
      const chunks: Buffer[] = [];
      reading.push(new Promise((resolve) => {
        entry.on("data", (chunk: Buffer) => {
          total += chunk.length;
          if (total > MAX_UNPACKED_BYTES) problem ??= new PayloadTooLargeError(MarketplaceErrorCode.packageTooLarge, `A package may unpack to at most ${MAX_UNPACKED_BYTES} bytes`);
          else chunks.push(chunk);
        });
        entry.on("end", () => { files[name as PackageFile] = Buffer.concat(chunks); resolve(); });
      }));
    },
  });
  await new Promise<void>((resolve) => {
    parser.on("error", (error: Error) => { problem ??= new ValidationError(MarketplaceErrorCode.packageInvalid, `The package is not a readable .tgz: ${error.message.slice(0, 200)}`); resolve(); });
    parser.on("warn", (_code: string, message: string | Error) => { problem ??= new ValidationError(MarketplaceErrorCode.packageInvalid, `The package is not a readable .tgz: ${String(message).slice(0, 200)}`); });
    parser.on("end", () => resolve());
    parser.end(bytes);
  });
  await Promise.all(reading);
  if (problem) throw problem;
  for (const required of ["manifest.json", "bundle.mjs"] as const) {
    if (!files[required]) throw new ValidationError(MarketplaceErrorCode.packageFileMissing, `The package has no ${required}`, { file: required });
  }
  if (files["bundle.mjs"]!.length > MAX_BUNDLE_BYTES) throw new PayloadTooLargeError(MarketplaceErrorCode.packageTooLarge, `bundle.mjs may be at most ${MAX_BUNDLE_BYTES} bytes`);
  return files;
}
