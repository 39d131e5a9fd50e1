/** The marketplace's error codes: packages, signatures, the catalog and tenant installs. */
export const MarketplaceErrorCode = {
  /** No package in the request body. */
  packageMissing: "PACKAGE_MISSING",
  /** Not a readable .tgz, or it holds files a package may not. */
  packageInvalid: "PACKAGE_INVALID",
  /** A file every package needs is missing. */
  packageFileMissing: "PACKAGE_FILE_MISSING",
  /** The package, its unpacked size or its bundle is larger than allowed. */
  packageTooLarge: "PACKAGE_TOO_LARGE",
  /** No signature with the package, or none stored. */
  packageUnsigned: "PACKAGE_UNSIGNED",
  /** The signature does not verify with the publisher's keys. */
  packageSignatureInvalid: "PACKAGE_SIGNATURE_INVALID",
  /** The stored package is not the one that was published. */
  packageIntegrityMismatch: "PACKAGE_INTEGRITY_MISMATCH",
  /** manifest.json does not match its schema. */
  manifestInvalid: "MANIFEST_INVALID",
  /** The plugin needs a platform API this platform is not. */
  platformIncompatible: "PLATFORM_INCOMPATIBLE",
  /** bundle.mjs does not load in the sandbox, or lacks a handler the manifest declares. */
  bundleInvalid: "BUNDLE_INVALID",
  /** Not an Ed25519 public key. */
  publicKeyInvalid: "PUBLIC_KEY_INVALID",
  /** A publisher of that name exists. */
  publisherExists: "PUBLISHER_EXISTS",
  /** The plugin id belongs to another publisher. */
  pluginNotYours: "PLUGIN_NOT_YOURS",
  /** No such plugin in the catalog. */
  pluginNotFound: "PLUGIN_NOT_FOUND",
  /** Not a scoped plugin id like `@acme/pricing`. */
  pluginIdInvalid: "PLUGIN_ID_INVALID",
  /** That version is published; versions never change. */
  versionExists: "VERSION_EXISTS",
  /** No such version of the plugin. */
  versionNotFound: "VERSION_NOT_FOUND",
  /** The publisher withdrew that version. */
  versionYanked: "VERSION_YANKED",
  /** The tenant has not installed the plugin. */
  pluginNotInstalled: "PLUGIN_NOT_INSTALLED",
  /** The tenant has installed the plugin already. */
  pluginAlreadyInstalled: "PLUGIN_ALREADY_INSTALLED",
  /** The version asks for capabilities not granted before. */
  grantsRequired: "GRANTS_REQUIRED",
  /** Grants that leave out something the version asks for (an install takes all or nothing). */
  grantsMissing: "GRANTS_MISSING",
  /** Grants the plugin does not ask for (or `http:*`). */
  grantsNotRequested: "GRANTS_NOT_REQUESTED",
  /** A secret the plugin does not declare. */
  secretNotDeclared: "SECRET_NOT_DECLARED",
  /** The install's config does not match the plugin's schema. */
  configInvalid: "CONFIG_INVALID",
  /** A sandboxed plugin answered something its contract does not allow. */
  pluginBadAnswer: "PLUGIN_BAD_ANSWER",
  /** The plugin has no tool of that name. */
  toolNotFound: "TOOL_NOT_FOUND",
} as const;
