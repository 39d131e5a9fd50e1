import { Migration } from "@mikro-orm/migrations";

/**
 * Widget keys are kept as issued (0032), beside their hash: a widget key (pk_…) is public by design,
 * written into every page that embeds the widget, so the console can show it in the embed tag to
 * copy instead of asking for it again. Admin and integrator keys stay hashes only. Widget keys
 * issued before have none (the console offers to issue one).
 */
export class WidgetKeyKeptMigration extends Migration {
  override up(): void {
    this.addSql(`alter table "api_key" add column "public_key" varchar(200) null`);
  }
}
