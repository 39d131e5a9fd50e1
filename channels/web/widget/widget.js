/* global bp, window, document, navigator, console, URL */
// The widget itself: reads its script tag, draws a launcher and a chat panel in a shadow root,
// starts a session on first open, keeps it across reloads, and plays each turn as it streams in.

bp.MAX_TYPING_MS = 3000;

bp.start = function () {
  if (window.BotPlatformWidget) {
    console.warn("[chat widget] loaded twice on this page; keeping the first one");
    return;
  }
  // currentScript is only set while this script first runs, which is now.
  var script = document.currentScript || document.querySelector("script[data-bot][src*='widget.js']");
  // The console's preview page: drawn from what its parent posts, never talking to the platform.
  if (script && script.hasAttribute("data-preview")) return bp.preview(bp.buildUi());
  var key = script && script.getAttribute("data-key");
  var botId = script && script.getAttribute("data-bot");
  if (!key || !botId) {
    console.error("[chat widget] the script tag needs data-key=\"pk_…\" and data-bot=\"…\"");
    return;
  }
  var base = (script.getAttribute("data-api") || new URL(script.src, window.location.href).origin).replace(/\/+$/, "");
  var api = bp.createApi(base, key);
  var storeKey = "bpw:" + base + ":" + botId;
  var state = { config: null, configLoad: null, session: null, ready: null, input: null, status: null, ctas: [], busy: false, labels: {} };
  var ui = bp.buildUi();
  // This turn's drafts (a model's reply as it is written), by the index of the message they become.
  var drafts = {};

  function saved() { return bp.store.get(storeKey) || {}; }
  function remember(changes) { bp.store.set(storeKey, Object.assign(saved(), changes)); }
  function forgetSession() {
    stopFollowing();
    state.session = null;
    state.ready = null;
    remember({ sessionId: null, csrfToken: null });
  }

  // The conversation's live stream: a person's replies, and the bot's words when it takes the conversation back.
  var unfollow = null;
  function stopFollowing() {
    if (unfollow) unfollow();
    unfollow = null;
  }
  function follow() {
    stopFollowing();
    if (!state.session) return;
    var sessionId = state.session.sessionId;
    var first = true;
    unfollow = api.follow(sessionId, {
      message: function (message) { return playMessage(message); },
      state: function (turn) { if (!state.busy) finishTurn({ input: turn.input, status: turn.status, ctas: state.ctas }); },
      // Reopened after a cut: what was said meanwhile is in the history.
      resumed: function () {
        if (!first && !state.busy && state.session && state.session.sessionId === sessionId) redraw(sessionId).catch(function () {});
        first = false;
      },
    });
  }

  function showError(message) { ui.error.textContent = message || ""; }
  function showTyping(on) {
    ui.typing.hidden = !on;
    if (on) bp.scrollToEnd(ui);
  }

  function loadConfig() {
    state.configLoad = state.configLoad || api.config(botId).then(function (config) {
      state.config = config;
      bp.applyBranding(ui, config);
      clearLog();
      return config;
    }, function (error) {
      state.configLoad = null;
      console.warn("[chat widget] " + base + " refused the widget (" + error.code + "): " + error.message +
        (error.status === 0 ? " (is this site among the tenant's allowed domains?)" : ""));
      throw error;
    });
    return state.configLoad;
  }

  function clearLog() {
    ui.log.replaceChildren();
    drafts = {};
    if (state.config && state.config.greeting) bp.renderBot(ui, { type: "text", text: state.config.greeting }, choose, state.labels).classList.add("greeting");
  }

  /** The first draft after message `index`: a message with no draft of its own goes before it. */
  function draftAfter(index) {
    var next = null;
    for (var key in drafts) if (Number(key) > index && (next === null || Number(key) < next)) next = Number(key);
    return next === null ? null : drafts[next];
  }

  function growDraft(delta) {
    showTyping(false);
    var draft = drafts[delta.index];
    if (!draft) draft = drafts[delta.index] = bp.renderDraft(ui, draftAfter(delta.index));
    bp.growDraft(ui, draft, String(delta.text));
  }

  function dropDrafts(reset) {
    for (var key in drafts) {
      if (reset && reset.index !== undefined && Number(key) !== reset.index) continue;
      drafts[key].remove();
      delete drafts[key];
    }
  }

  /** A committed message: it takes its draft's place (the draft was provisional), or plays after a typing pause. */
  async function playMessage(message, index) {
    var draft = index === undefined ? null : drafts[index];
    if (!draft) {
      showTyping(true);
      if (message.delayMs > 0) await bp.wait(Math.min(message.delayMs, bp.MAX_TYPING_MS));
      showTyping(false);
    }
    var bubble = bp.renderBot(ui, message, choose, state.labels);
    draft = index === undefined ? null : drafts[index];
    if (draft) {
      draft.replaceWith(bubble);
      delete drafts[index];
    } else if (index !== undefined && draftAfter(index)) {
      ui.log.insertBefore(bubble, draftAfter(index));
    }
    bp.scrollToEnd(ui);
  }

  function finishTurn(turn) {
    dropDrafts();
    state.input = turn.input || null;
    state.status = turn.status || null;
    state.ctas = turn.ctas || [];
    showTyping(false);
    var live = bp.settleButtons(ui, state.input);
    bp.renderBar(ui, state.input, state.ctas, live, choose, say);
    bp.applyInputHints(ui.input, state.input);
    var ended = state.status === "ended";
    ui.input.disabled = ended;
    ui.send.disabled = ended;
    if (ended) {
      forgetSession();
      bp.renderNote(ui, "This conversation has ended.");
      var again = bp.el("button", { type: "button", className: "chip restart", textContent: "Start a new conversation" });
      again.addEventListener("click", function () { again.remove(); restart(); });
      ui.log.appendChild(again);
      bp.scrollToEnd(ui);
    }
  }

  /** Draws a session from the server's record of it: after a reload, or after a cut stream. */
  async function redraw(sessionId) {
    var session = await api.session(sessionId);
    if (session.status === "ended") return false;
    var history = await api.history(sessionId);
    clearLog();
    history.messages.forEach(function (entry) {
      var message = entry.message || {};
      if (entry.direction === "outbound") bp.renderBot(ui, message, choose, state.labels);
      else bp.renderUser(ui, message.text !== undefined ? message.text : state.labels[message.choice] || message.choice || "");
    });
    finishTurn({ input: session.input, status: session.status, ctas: [] });
    return true;
  }

  async function resumeOrStart() {
    await loadConfig();
    var kept = saved();
    if (kept.sessionId) {
      state.session = { sessionId: kept.sessionId, csrfToken: kept.csrfToken };
      try {
        if (await redraw(kept.sessionId)) {
          follow();
          return;
        }
      } catch (error) {
        if (error.status !== 404) throw error;
      }
      forgetSession();
    }
    var locale = typeof navigator.language === "string" && navigator.language.length <= 35 ? navigator.language : undefined;
    var started = await api.start({ botId: botId, userId: bp.visitorId(), context: locale ? { locale: locale } : undefined });
    state.session = { sessionId: started.sessionId, csrfToken: started.csrfToken };
    remember(state.session);
    clearLog();
    for (var i = 0; i < started.messages.length; i++) await playMessage(started.messages[i]);
    finishTurn(started);
    if (state.session) follow();
  }

  /** The session, started or resumed once; a failure is shown and the next open tries again. */
  function ensureSession() {
    state.ready = state.ready || resumeOrStart().catch(function (error) {
      state.ready = null;
      state.session = null;
      showTyping(false);
      showError(error.message);
      throw error;
    });
    return state.ready;
  }

  function restart() {
    forgetSession();
    clearLog();
    showError("");
    ensureSession().then(focusInput, function () {});
  }

  function say(text) { return send({ text: text }, text); }
  function choose(value, label) { return send({ choice: value }, label); }

  async function send(body, shown) {
    if (state.busy) return;
    state.busy = true;
    showError("");
    var before = { input: state.input, status: state.status, ctas: state.ctas };
    var bubble = null;
    try {
      await ensureSession();
      // A flow that ends in its first turn leaves nothing to answer.
      if (!state.session) throw bp.failure(409, "SESSION_ENDED", "This conversation has ended.");
      bp.settleButtons(ui, null);
      ui.bar.replaceChildren();
      bubble = bp.renderUser(ui, shown);
      // The bot is at work from now on (a model may take a while before its first word).
      showTyping(true);
      await api.sendTurn(state.session.sessionId, body, state.session.csrfToken, {
        typing: function () { showTyping(true); },
        delta: growDraft,
        reset: dropDrafts,
        message: playMessage,
        done: finishTurn,
      });
    } catch (error) {
      showTyping(false);
      dropDrafts();
      if (error.code === "STREAM_CUT") {
        // The bot has the message; what it answered is in the history.
        await redraw(state.session.sessionId).catch(function () { showError(bp.UNREACHABLE); });
      } else if (state.session && (error.code === "SESSION_ENDED" || error.code === "SESSION_NOT_FOUND")) {
        if (bubble) bubble.remove();
        finishTurn({ input: null, status: "ended", ctas: [] });
      } else {
        if (bubble) bubble.remove();
        if (body.text !== undefined && !ui.input.value) ui.input.value = body.text;
        if (state.session) finishTurn(before);
        showError(error.message);
      }
    } finally {
      state.busy = false;
      focusInput();
    }
  }

  function focusInput() {
    if (ui.panel.hidden) return;
    if (!ui.input.disabled) ui.input.focus();
    else (ui.log.querySelector(".restart") || ui.close).focus();
  }

  function open(options) {
    ui.panel.hidden = false;
    ui.launcher.setAttribute("aria-expanded", "true");
    remember({ open: true });
    if (!options || options.focus !== false) focusInput();
    ensureSession().catch(function () {});
  }

  function close(options) {
    ui.panel.hidden = true;
    ui.launcher.setAttribute("aria-expanded", "false");
    remember({ open: false });
    if (!options || options.focus !== false) ui.launcher.focus();
  }

  function toggle() {
    if (ui.panel.hidden) open();
    else close();
  }

  ui.launcher.addEventListener("click", toggle);
  ui.close.addEventListener("click", function () { close(); });
  ui.root.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !ui.panel.hidden) {
      event.preventDefault();
      close();
    }
  });
  ui.form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = ui.input.value.trim();
    if (!text || state.busy || ui.input.disabled) return;
    ui.input.value = "";
    say(text);
  });

  window.BotPlatformWidget = Object.freeze({
    version: "1.0.0",
    open: function () { open(); },
    close: function () { close({ focus: false }); },
    toggle: toggle,
    /** Forgets the conversation in this browser; the next open starts a new one. */
    reset: restart,
  });

  bp.mount(ui, function () {
    // A visitor who reloads mid-conversation finds the panel as they left it, without their focus being moved.
    loadConfig().then(function () { if (saved().open && saved().sessionId) open({ focus: false }); }, function () {});
  });
};

bp.start();
