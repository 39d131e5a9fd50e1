import { Migration } from "@mikro-orm/migrations";

/**
 * A version's manifest as `json`, not `jsonb` (0028): jsonb reorders an object's keys (shortest
 * first), and the order of a config schema's or a node type's properties is the order its form
 * shows the fields in, as the integrator wrote them. Nothing queries inside the manifest, so jsonb
 * bought nothing. Versions published before keep the order jsonb gave them.
 */
export class MarketplaceManifestOrderMigration extends Migration {
  override up(): void {
    this.addSql(`alter table "marketplace_plugin_version" alter column "manifest" type json using "manifest"::json`);
  }
}
