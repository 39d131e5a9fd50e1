// Mocha adds the files named on the command line to `spec` instead of replacing it, so
// `npx mocha some.test.ts` would run the whole suite. The full list applies only when no test
// file is named.
const named = process.argv.slice(2).some((arg) => /\.test\.ts$/.test(arg) || arg.endsWith("/"));

module.exports = {
  spec: named ? [] : [
    "core/**/*.test.ts",
    "plugins/**/*.test.ts",
    "channels/**/*.test.ts",
    "marketplace/**/*.test.ts",
    "sandbox/**/*.test.ts",
    "test/**/*.test.ts",
  ],
  require: ["test/setup/root-hooks.ts"],
  timeout: 20000,
  exit: true,
};
