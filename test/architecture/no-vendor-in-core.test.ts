import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** Vendor names that belong in channels/ (and plugins/), never in the platform's core. */
const VENDOR = /whats-?app|twilio|graph\.facebook|\bmeta(?:'s)? (?:graph|cloud|webhook|business)|\bwamid\b|\bTwiML\b/i;

/**
 * Shipped migrations, exempt on purpose: a migration that has run is history. Its SQL named the one
 * vendor channel of the time, and its name is recorded in every database that ran it, so changing
 * either would run it again or make fresh databases differ from old ones. Migration 0017 carries
 * its rule over vendor-neutrally; nothing after it may name a vendor.
 */
const SHIPPED_MIGRATIONS = new Set([
  "core/engine/migrations/0005-channels.migration.ts",
  "core/engine/migrations/0015-open-session-index.migration.ts",
  "core/engine/migrations/0016-one-open-whatsapp-session.migration.ts",
]);
/** The list of migrations names 0016 by the name its databases recorded (see above); only that line is exempt. */
const SHIPPED_MIGRATION_NAME = /0016-one-open-whatsapp-session|OneOpenWhatsAppSessionMigration/g;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : filesUnder(path);
    return /\.(ts|js|json|sql|md)$/.test(entry.name) ? [path] : [];
  });
}

describe("the platform's core knows no vendor", () => {
  it("names no messaging vendor anywhere in core/, apart from migrations that already shipped", () => {
    const offending: string[] = [];
    for (const file of filesUnder(join(root, "core"))) {
      const name = relative(root, file).split("\\").join("/");
      if (SHIPPED_MIGRATIONS.has(name)) continue;
      readFileSync(file, "utf8").split("\n").forEach((line, i) => {
        if (!VENDOR.test(line)) return;
        if (name === "core/server/migrations.ts" && SHIPPED_MIGRATION_NAME.test(line) && !VENDOR.test(line.replace(SHIPPED_MIGRATION_NAME, ""))) return;
        offending.push(`${name}:${i + 1}: ${line.trim().slice(0, 120)}`);
      });
    }
    assert.deepEqual(offending, [], `vendor names in core/ (move them to channels/):\n${offending.join("\n")}`);
  });
});
