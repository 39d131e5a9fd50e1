/**
 * The first code that runs in every fresh context, before any tenant code. It is the body of a
 * closure (isolated-vm's `evalClosure`) that receives three host callbacks and returns the
 * function the worker drives the run with (`drive`, at the end):
 *
 * - `$0` hostSync(op, argsJson) → replyJson: log and local crypto, answered at once (`log` passes
 *   its line as plain text and gets "" back when all is well);
 * - `$1` hostAsync(op, argsJson) → replyJson: fetch, kv, llm, knowledge, secret HMAC; the reply
 *   names a call id, and the worker later calls `settle(id, ok, json)`;
 * - `$2` finish(ok, json): the run's one result (later calls are ignored by the host), unless
 *   `call` returns it: a function that returns a value, not a promise, is done when `call` is;
 * - `$3` the capabilities (comma-separated) of the run this context is likely for, to warm up with.
 *
 * It removes what is not "the language": `gc` (the worker's --expose-gc), WebAssembly (memory that
 * escapes the heap limit), SharedArrayBuffer and Atomics (`Atomics.wait` would block the thread),
 * WeakRef and FinalizationRegistry (GC timing). The callbacks stay in this closure; tenant code
 * never sees them. Everything crosses as JSON text, so no host object or Reference comes in.
 *
 * Tenant code shares this realm, so it can tamper with the builtins below; it is captured first,
 * and anything tenant code could achieve by tampering it could also do by returning a value. The
 * host checks every call against the run's grants, so the callbacks grant no power of their own.
 *
 * A run is two steps: `prepare` (find the exported function, build ctx) and `call` (parse the
 * input, call, encode the result). The worker usually prepares a spare context before its run
 * arrives, so only `call` is on the run's path.
 */
export const ISOLATE_BOOTSTRAP = String.raw`
"use strict";
const hostSync = $0, hostAsync = $1, finishHost = $2;
// Where results go: the host, except while the bootstrap warms itself up (see the end).
let finish = finishHost;
const G = globalThis;
const gcFn = typeof G.gc === "function" ? G.gc : undefined;
// --expose-gc installs gc as non-configurable but writable: overwrite it and lock it.
try { Object.defineProperty(G, "gc", { value: undefined, writable: false }); } catch {}
for (const name of ["WebAssembly", "SharedArrayBuffer", "Atomics", "WeakRef", "FinalizationRegistry"]) {
  try { delete G[name]; } catch {}
}
const { parse, stringify } = JSON;
const apply = Reflect.apply, freeze = Object.freeze, hasOwn = Object.hasOwn;
const PromiseCtor = Promise, promiseThen = Promise.prototype.then, promiseResolve = Promise.resolve, promiseReject = Promise.reject;
const MapCtor = Map, mapGet = Map.prototype.get, mapSet = Map.prototype.set, mapDelete = Map.prototype.delete;
const ErrorCtor = Error, strSlice = String.prototype.slice, arrayMap = Array.prototype.map, arrayJoin = Array.prototype.join;
const StringCtor = String;
const pending = new MapCtor();

function toError(e) {
  const err = new ErrorCtor(typeof e.message === "string" ? e.message : "Host call failed");
  err.code = typeof e.code === "string" ? e.code : "SANDBOX_HOST_ERROR";
  return err;
}
function callSync(op, args) {
  const reply = parse(hostSync(op, stringify(args)));
  if (reply.error) throw toError(reply.error);
  return reply.value;
}
function callAsync(op, args) {
  let reply;
  try { reply = parse(hostAsync(op, stringify(args))); } catch (e) { return apply(promiseReject, PromiseCtor, [e]); }
  if (reply.error) return apply(promiseReject, PromiseCtor, [toError(reply.error)]);
  return new PromiseCtor((resolve, reject) => { apply(mapSet, pending, [reply.id, { resolve, reject }]); });
}
function settle(id, ok, json) {
  const waiter = apply(mapGet, pending, [id]);
  if (waiter === undefined) return;
  apply(mapDelete, pending, [id]);
  if (ok) waiter.resolve(json === undefined ? undefined : parse(json));
  else waiter.reject(toError(parse(json)));
}
function describe(e) {
  try {
    if (typeof e === "string") return e;
    if (e !== null && typeof e === "object" && typeof e.message === "string") return e.message;
  } catch {}
  return "The code threw a value that is not an Error";
}
// What the host keeps of a thrown error besides its message: its own code (a PlatformError's, or a
// host call's such as SSRF_BLOCKED), its class name, and where in the code it was thrown (the
// first frame of its stack in the tenant's module), which the host maps through the bundle's
// source map. All of it read under the run's limits; tenant getters can only lie about it.
const framePattern = /tenant:\/\/\/code\.mjs:(\d+):(\d+)/;
const regexExec = RegExp.prototype.exec, NumberCtor = Number;
function codeOf(e) {
  const data = {};
  let any = false;
  try { if (e !== null && typeof e === "object" && typeof e.code === "string") { data.code = apply(strSlice, e.code, [0, 64]); any = true; } } catch {}
  try { if (e !== null && typeof e === "object" && typeof e.name === "string" && e.name !== "Error") { data.name = apply(strSlice, e.name, [0, 64]); any = true; } } catch {}
  try {
    const stack = e !== null && typeof e === "object" ? e.stack : undefined;
    const frame = typeof stack === "string" ? apply(regexExec, framePattern, [stack]) : null;
    if (frame) { data.line = NumberCtor(frame[1]); data.column = NumberCtor(frame[2]); any = true; }
  } catch {}
  return any ? data : undefined;
}
function textOf(value) {
  if (typeof value === "string") return value;
  try { const s = stringify(value); if (typeof s === "string") return s; } catch {}
  try { return StringCtor(value); } catch { return "[unprintable]"; }
}
function failure(code, message, data) {
  return stringify({ code, message: apply(strSlice, StringCtor(message), [0, 1000]), data });
}
function fail(code, message, data) {
  finish(false, failure(code, message, data));
}

// Cut to 2000 characters here, so a huge log line is never copied out of the isolate.
// The line goes as it is, not as JSON: log is the host call made most often. The host answers
// an empty string when all is well.
const log = function log(...args) {
  const reply = hostSync("log", apply(strSlice, apply(arrayJoin, apply(arrayMap, args, [textOf]), [" "]), [0, 2000]));
  if (reply !== "") { const failure = parse(reply); if (failure.error) throw toError(failure.error); }
};
// console goes to the same log as ctx.log (it did nothing in an isolate before).
G.console = freeze({ log, info: log, warn: log, error: log, debug: log });

function buildCtx(capabilities) {
  const has = (name) => capabilities.indexOf(name) >= 0;
  const ctx = {};
  ctx.log = freeze(log);
  if (has("fetch")) {
    ctx.fetch = freeze(function fetch(url, init) {
      return apply(promiseThen, callAsync("fetch", [StringCtor(url), init === undefined ? {} : init]), [(res) => freeze({
        status: res.status, ok: res.status >= 200 && res.status < 300, headers: freeze(res.headers), url: res.url, body: res.body,
        text: () => res.body, json: () => parse(res.body),
      })]);
    });
  }
  if (has("kv")) {
    ctx.kv = freeze({
      get: (key) => callAsync("kv.get", [StringCtor(key)]),
      set: (key, value) => callAsync("kv.set", [StringCtor(key), value === undefined ? null : value]),
      delete: (key) => callAsync("kv.delete", [StringCtor(key)]),
      list: (prefix) => callAsync("kv.list", [prefix === undefined ? "" : StringCtor(prefix)]),
    });
  }
  if (has("crypto") || has("secrets")) {
    const crypto = {};
    if (has("crypto")) {
      crypto.randomUUID = () => callSync("crypto.randomUUID", []);
      crypto.randomBytes = (size) => callSync("crypto.randomBytes", [size]);
      crypto.hash = (algorithm, data) => callSync("crypto.hash", [StringCtor(algorithm), StringCtor(data)]);
      crypto.hmac = (algorithm, key, data) => callSync("crypto.hmac", [StringCtor(algorithm), StringCtor(key), StringCtor(data)]);
    }
    if (has("secrets")) crypto.hmacSecret = (algorithm, secretName, data) => callAsync("crypto.hmacSecret", [StringCtor(algorithm), StringCtor(secretName), StringCtor(data)]);
    ctx.crypto = freeze(crypto);
  }
  if (has("llm")) ctx.llm = freeze({ complete: (request) => callAsync("llm.complete", [request]) });
  if (has("knowledge")) ctx.knowledge = freeze({ search: (query, options) => callAsync("knowledge.search", [StringCtor(query), options === undefined ? {} : options]) });
  return freeze(ctx);
}

// The function a run calls and its ctx, set by \`prepare\` ahead of the run (see context-slots.ts).
let preparedFn, preparedSelf, preparedCtx;

// Reads the export (and a path into an exported object, for plugin bundles) and builds ctx. Its
// getters are tenant code, so this runs under a time limit like the run itself. Returns "" when
// ready, or the failure's JSON when the run must fail. \`shapeJson\`, when not empty, is the shape
// of the input the run will most likely get, without its values (see input-shape.ts): parsed and
// encoded here so V8's hidden classes for its keys exist before the run.
function prepare(namespace, exportName, path, capabilitiesCsv, shapeJson) {
  preparedFn = undefined;
  let fn, self = undefined;
  try {
    fn = hasOwn(namespace, exportName) ? namespace[exportName] : undefined;
    if (path !== "") for (const key of path.split(".")) { self = fn; fn = fn !== null && (typeof fn === "object" || typeof fn === "function") && hasOwn(fn, key) ? fn[key] : undefined; }
  } catch (e) { return failure("SANDBOX_THREW", describe(e)); }
  if (typeof fn !== "function") return failure("SANDBOX_SYNTAX", "The code must export a function" + (path === "" ? "" : " at " + path));
  preparedFn = fn;
  preparedSelf = self;
  preparedCtx = buildCtx(capabilitiesCsv === "" ? [] : capabilitiesCsv.split(","));
  if (typeof shapeJson === "string" && shapeJson !== "") { try { stringify(parse(shapeJson)); } catch {} }
  return "";
}

// Calls the prepared function with the run's input. A value that is not a thenable is the result
// now, returned to the host as JSON text (call returns nothing else); a promise is awaited and
// its value goes through finish.
function call(inputJson, maxChars) {
  const fn = preparedFn, self = preparedSelf, ctx = preparedCtx;
  preparedFn = preparedSelf = preparedCtx = undefined;
  if (fn === undefined) return fail("SANDBOX_THREW", "The code was not prepared");
  let input;
  try { input = parse(inputJson); } catch { return fail("SANDBOX_BAD_INPUT", "The input is not JSON"); }
  let result;
  try { result = apply(fn, self, [input, ctx]); } catch (e) { return failed(e); }
  let thenable;
  try { thenable = result !== null && (typeof result === "object" || typeof result === "function") && typeof result.then === "function"; } catch (e) { return failed(e); }
  if (!thenable) return encode(result, maxChars);
  apply(promiseThen, apply(promiseResolve, PromiseCtor, [result]), [(value) => {
    const json = encode(value, maxChars);
    if (json !== undefined) finish(true, json);
  }, failed]);
}

// The result's JSON, or undefined once the failure is reported.
function encode(value, maxChars) {
  let json;
  try { json = stringify(value === undefined ? null : value); } catch (e) { fail("SANDBOX_BAD_RESULT", "The returned value cannot be copied out as JSON: " + describe(e)); return undefined; }
  if (json === undefined) json = "null";
  if (json.length > maxChars) { fail("SANDBOX_RESULT_TOO_LARGE", "The returned value is larger than " + maxChars + " bytes", { limit: maxChars }); return undefined; }
  return json;
}

function failed(e) {
  const message = describe(e);
  // V8 reports ArrayBuffer memory refused by the heap limit as a catchable RangeError.
  if (message === "Array buffer allocation failed") return fail("SANDBOX_MEMORY_LIMIT", "The code used more memory than its limit allows");
  fail("SANDBOX_THREW", message, codeOf(e));
}

// Warm-up, before any tenant code exists in this context: one run of a trivial function, so the
// code above has met its first call (feedback, shapes of ctx) before the real run. It uses no
// tenant data and leaves nothing reachable behind; its result goes nowhere.
finish = () => undefined;
try { if (prepare(freeze({ default: () => ({ output: {} }) }), "default", "", typeof $3 === "string" ? $3 : "") === "") call("{}", 64); } catch {}
finish = finishHost;

// One entry point, so the host holds a single Reference per context:
//   drive(0, namespace, exportName, path, capabilitiesCsv, shapeJson) → prepare(...)
//   drive(3, inputJson, maxChars) → call(...)
//   drive(1, callId, ok, json) → settle(...)
//   drive(2) → a full collection (the worker's gc, captured above)
return function drive(op, a, b, c, d, e) {
  if (op === 3) return call(a, b);
  if (op === 0) return prepare(a, b, c, d, e);
  if (op === 1) return settle(a, b, c);
  if (op === 2 && gcFn !== undefined) gcFn();
  return undefined;
};
`;
