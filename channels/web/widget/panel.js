/* global bp, document, CSSStyleSheet */
// The widget's elements: a launcher button and a non-modal dialog, inside a shadow root.

/** Builds the launcher and the panel in a shadow root (not yet in the page). */
bp.buildUi = function () {
  var el = bp.el;
  var host = el("div", { className: "bp-chat-widget" });
  var shadow = host.attachShadow({ mode: "open" });
  // A constructed sheet is not subject to a page's `style-src` policy, as a <style> element is.
  if (shadow.adoptedStyleSheets && typeof CSSStyleSheet === "function" && "replaceSync" in CSSStyleSheet.prototype) {
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(bp.css);
    shadow.adoptedStyleSheets = [sheet];
  } else {
    shadow.appendChild(el("style", { textContent: bp.css }));
  }
  var ui = { host: host };
  // The words on the launcher (branding.launcherText) begin its accessible name too, so what is
  // read matches what is seen (WCAG's "label in name"); the span itself is not read twice.
  ui.launcherText = el("span", { className: "launcher-text", hidden: true }, { "aria-hidden": "true" });
  ui.launcher = el("button", { type: "button", className: "launcher" },
    { "aria-label": "Open chat", "aria-expanded": "false", "aria-controls": "bp-panel", "aria-haspopup": "dialog" }, [bp.chatIcon(), ui.launcherText]);
  ui.logo = el("img", { hidden: true, alt: "" });
  ui.title = el("h2", { className: "title", textContent: "Chat" });
  ui.close = el("button", { type: "button", className: "close", textContent: "×" }, { "aria-label": "Close chat" });
  ui.log = el("div", { className: "log", tabIndex: 0 }, { role: "log", "aria-live": "polite", "aria-relevant": "additions", "aria-label": "Conversation" });
  ui.typingLabel = el("span", { className: "sr-only", textContent: "The bot is typing" });
  ui.typing = el("div", { className: "typing", hidden: true }, { role: "status" }, [
    el("span", { className: "dot" }, { "aria-hidden": "true" }), el("span", { className: "dot" }, { "aria-hidden": "true" }),
    el("span", { className: "dot" }, { "aria-hidden": "true" }), ui.typingLabel,
  ]);
  ui.bar = el("div", { className: "bar" }, { role: "group", "aria-label": "Suggestions" });
  ui.error = el("p", { className: "error" }, { role: "status", "aria-live": "polite" });
  ui.input = el("input", { type: "text", name: "message", autocomplete: "off" }, { id: "bp-input" });
  ui.send = el("button", { type: "submit", className: "send", textContent: "Send" });
  ui.form = el("form", { className: "form" }, { "aria-label": "Send a message" }, [
    el("label", { className: "sr-only", htmlFor: "bp-input", textContent: "Your message" }), ui.input, ui.send,
  ]);
  ui.panel = el("div", { className: "panel", hidden: true }, { id: "bp-panel", role: "dialog", "aria-modal": "false", "aria-label": "Chat" }, [
    el("div", { className: "header" }, null, [ui.logo, ui.title, ui.close]), ui.log, ui.typing, ui.bar, ui.error, ui.form,
  ]);
  ui.root = el("div", { className: "root" }, null, [ui.panel, ui.launcher]);
  shadow.appendChild(ui.root);
  return ui;
};

bp.applyBranding = function (ui, config) {
  var branding = config.branding || {};
  var title = branding.title || config.name || "Chat";
  ui.host.style.setProperty("--bp-primary", bp.safeColor(branding.primaryColor, "#1a73e8"));
  ui.host.style.setProperty("--bp-text", bp.safeColor(branding.textColor, "#ffffff"));
  ui.root.classList.toggle("left", branding.position === "bottom-left");
  ui.title.textContent = title;
  ui.panel.setAttribute("aria-label", title);
  ui.typingLabel.textContent = title + " is typing";
  var words = typeof branding.launcherText === "string" ? branding.launcherText.trim().slice(0, 40) : "";
  ui.launcherText.textContent = words;
  ui.launcherText.hidden = !words;
  ui.launcher.classList.toggle("with-text", !!words);
  ui.launcher.setAttribute("aria-label", words ? words + ": chat with " + title : "Open chat with " + title);
  // The avatar is drawn by the stylesheet beside each bot message, from a custom property: a URL the
  // parser has normalised (no quote survives it) and a backslash encoded, so it stays one CSS string.
  var avatar = bp.safeUrl(branding.avatarUrl);
  if (avatar) ui.host.style.setProperty("--bp-avatar", 'url("' + avatar.replace(/\\/g, "%5C") + '")');
  else ui.host.style.removeProperty("--bp-avatar");
  ui.root.classList.toggle("has-avatar", !!avatar);
  var logo = bp.safeUrl(branding.logoUrl) || avatar;
  ui.logo.hidden = !logo;
  if (logo) {
    ui.logo.src = logo;
    // The bot's picture beside its own name says nothing more: decorative.
    ui.logo.alt = logo === avatar ? "" : title + " logo";
  } else {
    ui.logo.removeAttribute("src");
  }
};

/** Adds the widget to the page once there is a body to add it to. */
bp.mount = function (ui, then) {
  function attach() {
    document.body.appendChild(ui.host);
    then();
  }
  if (document.body) attach();
  else document.addEventListener("DOMContentLoaded", attach, { once: true });
};
