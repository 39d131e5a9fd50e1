import { Migration } from "@mikro-orm/migrations";

/**
 * The hosts each tenant secret may be sent to (`*.example.com` allowed). Empty means nowhere: a
 * secret set before this migration is refused until its tenant names its hosts, since the platform
 * cannot guess where a token was meant to go.
 */
export class SecretHostsMigration extends Migration {
  override up(): void {
    this.addSql(`alter table "tenant_secret" add column "allowed_hosts" text[] not null default '{}'`);
  }
}
