/* global bp, window */
// The chat API as the widget speaks it: JSON calls, and a turn read as Server-Sent Events so each
// message appears as it arrives, and a model's reply as it is written (drafts). Failures become one
// error shape: { status, code, message }.

bp.failure = function (status, code, message) {
  var error = new Error(message);
  error.status = status;
  error.code = code;
  return error;
};

// The browser hides why a cross-origin call failed (a site missing from the tenant's allowed
// domains looks the same as a network error), so the end user gets one honest sentence.
bp.UNREACHABLE = "The chat is not available right now. Please try again later.";

bp.createApi = function (base, key) {
  function headers(extra) {
    var all = { "x-api-key": key, accept: "application/json" };
    for (var name in extra || {}) if (extra[name]) all[name] = extra[name];
    return all;
  }

  async function call(method, path, body, csrfToken, accept) {
    var init = { method: method, headers: headers({ "x-csrf-token": csrfToken, accept: accept }), credentials: "omit" };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers["content-type"] = "application/json";
    }
    var response;
    try {
      response = await window.fetch(base + path, init);
    } catch {
      throw bp.failure(0, "NETWORK", bp.UNREACHABLE);
    }
    if (!response.ok) {
      var problem = null;
      try { problem = (await response.json()).error; } catch { /* not JSON */ }
      var message = problem && typeof problem.message === "string" ? problem.message : "Something went wrong (HTTP " + response.status + ").";
      throw bp.failure(response.status, problem && problem.code ? String(problem.code) : "HTTP_" + response.status, message);
    }
    return response;
  }

  async function json(method, path, body, csrfToken) {
    return (await call(method, path, body, csrfToken)).json();
  }

  /**
   * Sends one message and reports the turn through `on.typing()`, `on.delta({ index, text })`
   * (more text of the draft of the turn's message number `index`), `on.reset({ index? })` (drop
   * that draft, or every draft), `on.message(m, index)` (the committed message, which replaces its
   * draft) and `on.done(d)`. A reply that is plain JSON (a proxy that drops streaming, or a
   * browser without readable streams) is reported through the same callbacks, without drafts.
   */
  async function sendTurn(sessionId, body, csrfToken, on) {
    var streaming = typeof window.ReadableStream === "function" && typeof window.TextDecoder === "function";
    var response = await call("POST", "/v1/chat/sessions/" + encodeURIComponent(sessionId) + "/messages", body, csrfToken,
      streaming ? "text/event-stream" : "application/json");
    var type = response.headers.get("content-type") || "";
    if (!streaming || !response.body || type.indexOf("text/event-stream") < 0) {
      var reply = await response.json();
      for (var i = 0; i < reply.messages.length; i++) await on.message(reply.messages[i], i);
      return on.done(reply);
    }
    var reader = response.body.getReader();
    var decoder = new window.TextDecoder();
    var buffer = "";
    var finished = false;
    var failure = null;
    var index = 0;
    for (;;) {
      var chunk;
      try {
        chunk = await reader.read();
      } catch {
        break;
      }
      buffer += decoder.decode(chunk.value || new Uint8Array(0), { stream: !chunk.done });
      var events = buffer.replace(/\r\n?/g, "\n").split("\n\n");
      buffer = chunk.done ? "" : events.pop();
      for (var j = 0; j < events.length; j++) {
        var event = parseEvent(events[j]);
        if (!event) continue;
        if (event.name === "typing") on.typing();
        else if (event.name === "delta") on.delta(event.data);
        else if (event.name === "reset") on.reset(event.data);
        else if (event.name === "message") await on.message(event.data, index++);
        else if (event.name === "done") { finished = true; on.done(event.data); }
        else if (event.name === "error") failure = event.data && event.data.error;
      }
      if (chunk.done) break;
    }
    // The turn failed after its drafts had started: the same error as an HTTP failure.
    if (failure) throw bp.failure(0, String(failure.code || "HTTP_500"), typeof failure.message === "string" ? failure.message : "Something went wrong.");
    // The server took the message but the stream broke before the end: the caller resynchronises
    // from the session's history instead of sending again, which would answer the bot twice.
    if (!finished) throw bp.failure(0, "STREAM_CUT", "The reply was interrupted.");
  }

  function parseEvent(block) {
    var name = "message";
    var data = [];
    block.split("\n").forEach(function (line) {
      if (line.indexOf("event:") === 0) name = line.slice(6).trim();
      else if (line.indexOf("data:") === 0) data.push(line.slice(5).replace(/^ /, ""));
    });
    if (!data.length) return null;
    try {
      return { name: name, data: JSON.parse(data.join("\n")) };
    } catch {
      return null;
    }
  }

  /**
   * Follows the conversation for messages that reach it outside the user's own turns (a person of
   * the business answering, the bot taking the conversation back): `on.message(m)` and
   * `on.state({ status, input })`. A cut stream is opened again after a pause, and `on.resumed()`
   * lets the caller catch up from the history. Returns `stop()`.
   */
  function follow(sessionId, on) {
    var stopped = false;
    var controller = null;
    var pause = 1000;
    async function run() {
      while (!stopped) {
        var opened = false;
        try {
          controller = typeof window.AbortController === "function" ? new window.AbortController() : null;
          var response = await window.fetch(base + "/v1/chat/sessions/" + encodeURIComponent(sessionId) + "/live", {
            headers: headers({ accept: "text/event-stream" }), credentials: "omit", signal: controller ? controller.signal : undefined,
          });
          // A session that is gone (or another tenant's) will not come back: stop following it.
          if (response.status === 404 || response.status === 401 || response.status === 403) return;
          if (!response.ok || !response.body) throw new Error("HTTP " + response.status);
          var reader = response.body.getReader();
          var decoder = new window.TextDecoder();
          var buffer = "";
          for (;;) {
            var chunk = await reader.read();
            if (chunk.done) break;
            buffer += decoder.decode(chunk.value, { stream: true });
            var blocks = buffer.replace(/\r\n?/g, "\n").split("\n\n");
            buffer = blocks.pop();
            for (var i = 0; i < blocks.length; i++) {
              var event = parseEvent(blocks[i]);
              if (!event) continue;
              if (event.name === "state" && !opened) {
                opened = true;
                pause = 1000;
                if (on.resumed) on.resumed();
              } else if (event.name === "state") on.state(event.data);
              else if (event.name === "message") await on.message(event.data);
            }
          }
        } catch {
          /* cut, or stopped: tried again below unless stopped */
        }
        if (stopped) return;
        await bp.wait(pause);
        pause = Math.min(pause * 2, 30000);
      }
    }
    if (typeof window.ReadableStream === "function" && typeof window.TextDecoder === "function") void run();
    return function stop() {
      stopped = true;
      if (controller) controller.abort();
    };
  }

  return {
    follow: follow,
    config: function (botId) { return json("GET", "/v1/widget/config?botId=" + encodeURIComponent(botId)); },
    start: function (body) { return json("POST", "/v1/chat/sessions", body); },
    session: function (id) { return json("GET", "/v1/chat/sessions/" + encodeURIComponent(id)); },
    history: function (id) { return json("GET", "/v1/chat/sessions/" + encodeURIComponent(id) + "/history?limit=500"); },
    sendTurn: sendTurn,
  };
};
