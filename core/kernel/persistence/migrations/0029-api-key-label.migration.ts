import { Migration } from "@mikro-orm/migrations";

/**
 * API keys get a label (0029): a tenant keeps several keys side by side (a CI job's, a reporting
 * script's) and needs to tell them apart in a list and in the audit log without seeing them.
 * Keys made before have none; lists show their prefix instead.
 */
export class ApiKeyLabelMigration extends Migration {
  override up(): void {
    this.addSql(`alter table "api_key" add column "label" varchar(100) null`);
  }
}
