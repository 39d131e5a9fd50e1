import { z } from "zod";

/**
 * What a person (or a key) may do in a tenant, from most to least. Each role may do everything the
 * roles after it may (CONSOLE.md, "Who signs in"): owner > admin > editor > agent > viewer.
 */
export const roles = ["owner", "admin", "editor", "agent", "viewer"] as const;
export const roleSchema = z.enum(roles);
export type Role = z.infer<typeof roleSchema>;

/** Whether `role` may do what `least` may. */
export function roleAtLeast(role: Role, least: Role): boolean {
  return roles.indexOf(role) <= roles.indexOf(least);
}
