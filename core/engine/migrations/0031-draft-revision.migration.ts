import { Migration } from "@mikro-orm/migrations";

/** A bot's draft counts its saves (0031), so an editor saving on top of an older revision is told instead of overwriting someone else's work. */
export class DraftRevisionMigration extends Migration {
  override up(): void {
    this.addSql(`alter table "bot" add column "draft_revision" int not null default 0`);
  }
}
