/* global bp, window, document, URL */
// Small DOM and storage helpers. Every piece of text from the bot, the user or the server goes in
// through textContent or a property, never as markup, so nothing a flow or a visitor writes can
// become HTML in the page.

/** Creates an element with properties (className, textContent, type, …), attributes and children. */
bp.el = function (tag, props, attrs, children) {
  var node = document.createElement(tag);
  var key;
  for (key in props || {}) if (Object.prototype.hasOwnProperty.call(props, key)) node[key] = props[key];
  for (key in attrs || {}) if (Object.prototype.hasOwnProperty.call(attrs, key)) node.setAttribute(key, String(attrs[key]));
  (children || []).forEach(function (child) { if (child) node.appendChild(child); });
  return node;
};

/** Only web links: a `javascript:` or `data:` URL from a flow must never become a clickable link or image. */
bp.safeUrl = function (value) {
  if (typeof value !== "string") return null;
  try {
    var url = new URL(value, window.location.href);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch {
    return null;
  }
};

bp.safeColor = function (value, fallback) {
  return typeof value === "string" && /^#[0-9a-f]{6}$/i.test(value) ? value : fallback;
};

/** The chat bubble icon, built as SVG nodes rather than parsed from a string. */
bp.chatIcon = function () {
  var ns = "http://www.w3.org/2000/svg";
  var svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  var path = document.createElementNS(ns, "path");
  path.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H8l-4 4V5a2 2 0 0 1 2-2zm3 6v2h2V9H7zm4 0v2h2V9h-2zm4 0v2h2V9h-2z");
  svg.appendChild(path);
  return svg;
};

// Storage can be missing or refuse writes (private windows, blocked cookies): the widget then
// still works, it just forgets the conversation on reload.
bp.store = {
  memory: {},
  get: function (key) {
    try {
      var raw = window.localStorage.getItem(key);
      return raw ? JSON.parse(raw) : null;
    } catch {
      return bp.store.memory[key] || null;
    }
  },
  set: function (key, value) {
    bp.store.memory[key] = value;
    try { window.localStorage.setItem(key, JSON.stringify(value)); } catch { /* memory only */ }
  },
  remove: function (key) {
    delete bp.store.memory[key];
    try { window.localStorage.removeItem(key); } catch { /* memory only */ }
  },
};

/**
 * A random id for this browser, sent as the session's userId: the platform rate-limits starts
 * per user, and without an id every anonymous visitor of a site would share one allowance.
 */
bp.visitorId = function () {
  var found = bp.store.get("bpw:visitor");
  if (typeof found === "string") return found;
  var bytes = new Uint8Array(16);
  window.crypto.getRandomValues(bytes);
  var id = "web_" + Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  bp.store.set("bpw:visitor", id);
  return id;
};

bp.wait = function (ms) {
  return new Promise(function (resolve) { window.setTimeout(resolve, ms); });
};
