/**
 * The test kit plugin authors get: run one node type's handler with real templates, variables and
 * validation (`runNode`), or a whole flow on an in-memory engine (`createTestEngine`).
 */
export { createTestEngine, runNode, type RunNodeOptions, type RunNodeOutcome } from "../flow/testing.ts";
