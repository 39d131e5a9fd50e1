/**
 * HTTP of the marketplace: publishers (operator, then integrator keys), the public catalog, and a
 * tenant admin's installs. `GET /v1/admin/plugins` (loaded plugins plus the tenant's installs)
 * stays in core/kernel/plugin-host/plugins.routes.ts.
 */
import { z } from "zod";
import type { RouteModule, ZodApp } from "../core/kernel/gateway/gateway-app.ts";
import { requirePrincipal, requireTenant } from "../core/kernel/gateway/route-auth.ts";
import { ForbiddenError, PlatformErrorCode, ValidationError } from "../core/sdk/platform-error.ts";
import type { FastifyRequest } from "fastify";
import { MAX_PACKAGE_BYTES } from "./package/plugin-package.ts";
import { capabilitySchema } from "./package/plugin-manifest.schema.ts";
import { pluginManifestJsonSchema } from "../core/sdk/plugin-manifest.ts";
import { MarketplaceErrorCode } from "./marketplace-errors.ts";
import { apiError } from "../core/kernel/gateway/openapi.ts";
import { installView, pluginCardView, pluginDetailView, pluginVersionView } from "./marketplace-schemas.ts";

const pluginParams = z.strictObject({ scope: z.string().regex(/^@[a-z0-9][a-z0-9-._]*$/), name: z.string().regex(/^[a-z0-9][a-z0-9-._]*$/) });
const semverText = z.string().regex(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/, "a semver version like 1.2.3");
const secretsBody = z.record(z.string().regex(/^[a-z][a-z0-9_]*$/), z.string().min(1).max(10_000)).refine((s) => Object.keys(s).length <= 20, "at most 20 secrets");
const configBody = z.record(z.string(), z.unknown());

function publisherOf(request: FastifyRequest): string {
  const principal = requirePrincipal(request);
  if (principal.kind !== "integrator") throw new ForbiddenError(PlatformErrorCode.forbidden, "This call needs an integrator key");
  return principal.publisherId;
}

export const marketplaceRoutes: RouteModule = (app, { broker }) => {
  const tags = ["marketplace"];

  app.post("/v1/admin/publishers", {
    config: { auth: "operator" },
    schema: { tags, summary: "Register a publisher; answers its integrator key (shown once)", body: z.strictObject({ name: z.string().trim().min(2).max(200) }), response: { 201: z.looseObject({ id: z.uuid(), name: z.string(), key: z.string().describe("The integrator key (ik_…), shown once") }), 409: apiError("A publisher has this name") } },
  }, async (request, reply) => reply.code(201).send(await broker.call("marketplace.createPublisher", request.body)));

  app.post("/v1/marketplace/publishers/keys", {
    config: { auth: "integrator" },
    schema: { tags, summary: "Register an Ed25519 public key (PEM, or raw base64) that signs this publisher's packages", body: z.strictObject({ publicKey: z.string().min(40).max(2000) }), response: { 201: z.looseObject({ fingerprint: z.string(), publicKey: z.string() }) } },
  }, async (request, reply) => reply.code(201).send(await broker.call("marketplace.registerKey", { publisherId: publisherOf(request), publicKey: request.body.publicKey })));

  // The package travels as raw bytes; only this scope parses application/gzip, with its own size limit.
  void app.register(async (scope: ZodApp) => {
    scope.addContentTypeParser(["application/gzip", "application/x-gzip", "application/octet-stream"], { parseAs: "buffer", bodyLimit: MAX_PACKAGE_BYTES }, (_request, body, done) => done(null, body));
    scope.post("/v1/marketplace/plugins", {
      config: { auth: "integrator" },
      bodyLimit: MAX_PACKAGE_BYTES,
      schema: {
        tags, summary: "Publish a version: the body is the .tgz (content-type application/gzip), x-package-signature its Ed25519 signature over the sha512 integrity",
        headers: z.object({ "x-package-signature": z.string().max(200).optional() }),
        body: z.unknown().describe("The package .tgz"),
        consumes: ["application/gzip"],
        response: {
          201: z.looseObject({ id: z.string(), version: z.string() }).describe("Published"),
          409: apiError("This version is already published"),
          422: apiError("The package is not a valid plugin package, or its signature does not verify"),
        },
      },
    }, async (request, reply) => {
      const publisherId = publisherOf(request);
      const body = request.body;
      if (!Buffer.isBuffer(body) || body.length === 0) throw new ValidationError(MarketplaceErrorCode.packageMissing, "Send the package .tgz as the body with content-type application/gzip");
      const signature = request.headers["x-package-signature"];
      const published = await broker.call<{ id: string; version: string }, object>("marketplace.publish", { publisherId, package: body.toString("base64"), signature: typeof signature === "string" && signature ? signature : undefined });
      return reply.code(201).send(published);
    });
  });

  app.post("/v1/marketplace/plugins/:scope/:name/versions/:version/yank", {
    config: { auth: "integrator" },
    schema: { tags, summary: "Withdraw a version from new installs (installs already made keep it)", params: pluginParams.extend({ version: semverText }), response: { 200: z.record(z.string(), z.unknown()).describe("The version, yanked") } },
  }, async (request) => broker.call("marketplace.yank", { publisherId: publisherOf(request), id: `${request.params.scope}/${request.params.name}`, version: request.params.version }));

  app.get("/v1/marketplace/plugins", {
    config: { auth: "public" },
    schema: {
      tags, summary: "Search the catalog",
      querystring: z.strictObject({ q: z.string().max(100).optional(), kind: z.enum(["node-type", "crm", "tool"]).optional(), category: z.string().max(40).optional(), page: z.coerce.number().int().min(1).max(1000).optional() }),
      response: { 200: z.looseObject({ plugins: z.array(pluginCardView), page: z.number().int(), pageSize: z.number().int(), total: z.number().int().describe("Plugins matching, over all pages") }) },
    },
  }, async (request) => broker.call("marketplace.list", request.query));

  app.get("/v1/marketplace/manifest.schema.json", {
    config: { auth: "public" },
    schema: { tags, summary: "The JSON Schema of a plugin manifest (what bp-plugin pack derives from a definePlugin file)", response: { 200: z.record(z.string(), z.unknown()).describe("A JSON Schema (draft 2020-12)") } },
  }, async () => pluginManifestJsonSchema());

  app.get("/v1/marketplace/plugins/:scope/:name", {
    config: { auth: "public" },
    schema: { tags, summary: "A plugin: versions, changelog, README, requested capabilities (with plain words), signature, configuration form schema", params: pluginParams, response: { 200: pluginDetailView } },
  }, async (request) => broker.call("marketplace.get", { id: `${request.params.scope}/${request.params.name}` }));

  app.get("/v1/marketplace/plugins/:scope/:name/versions/:version", {
    config: { auth: "public" },
    schema: { tags, summary: "One version of a plugin in full: what installing or upgrading to it asks for, and its configuration schema", params: pluginParams.extend({ version: semverText }), response: { 200: pluginVersionView } },
  }, async (request) => broker.call("marketplace.getVersion", { id: `${request.params.scope}/${request.params.name}`, version: request.params.version }));

  app.post("/v1/admin/plugins", {
    config: { auth: "tenant-admin" },
    schema: {
      tags, summary: "Install a plugin from the catalog for this tenant; grants must hold every capability the version asks for (400 GRANTS_MISSING otherwise)",
      body: z.strictObject({
        plugin: z.string().regex(/^@[a-z0-9][a-z0-9-._]*\/[a-z0-9][a-z0-9-._]*$/, "a scoped name like @acme/pricing"),
        version: semverText.optional(),
        grants: z.array(capabilitySchema).max(50).default([]).describe("The tenant's consent: every capability the version asks for (`http:*` is answered by http:<host>)"),
        config: configBody.default({}),
        secrets: secretsBody.default({}).describe("Values of the secrets the plugin declares; stored sealed and never answered again"),
      }),
      response: { 201: installView, 409: apiError("Already installed (PLUGIN_ALREADY_INSTALLED), or the version was withdrawn or its package fails its checks") },
    },
  }, async (request, reply) => reply.code(201).send(await broker.call("marketplaceInstalls.install", { tenantId: requireTenant(request).tenantId, ...request.body })));

  app.patch("/v1/admin/plugins/:scope/:name", {
    config: { auth: "tenant-admin" },
    schema: {
      tags, summary: "Upgrade or roll back (version), disable or enable, change grants, configuration or secrets", params: pluginParams,
      body: z.strictObject({
        version: semverText.optional().describe("Upgrade or roll back to this version; the configuration is carried over and checked again"),
        enabled: z.boolean().optional(),
        grants: z.array(capabilitySchema).max(50).optional().describe("A new consent, whole: every capability the (new) version asks for. Without it, grants carry over and a version asking for more answers 409 GRANTS_REQUIRED"),
        config: configBody.optional(),
        secrets: secretsBody.optional().describe("Secrets to set or replace; those not named keep their values"),
      }),
      response: { 200: installView, 409: apiError("The version asks for capabilities not granted before and no grants were sent (GRANTS_REQUIRED), or it was withdrawn or its package fails its checks") },
    },
  }, async (request) => broker.call("marketplaceInstalls.update", { tenantId: requireTenant(request).tenantId, plugin: `${request.params.scope}/${request.params.name}`, ...request.body }));

  app.delete("/v1/admin/plugins/:scope/:name", {
    config: { auth: "tenant-admin" },
    schema: { tags, summary: "Uninstall: its configuration, secrets and stored data are removed", params: pluginParams, response: { 200: z.record(z.string(), z.unknown()).describe("Uninstalled") } },
  }, async (request) => broker.call("marketplaceInstalls.uninstall", { tenantId: requireTenant(request).tenantId, plugin: `${request.params.scope}/${request.params.name}` }));
};
