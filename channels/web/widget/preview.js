/* global bp, window */
// The console's live preview: the same widget, drawn from a configuration its parent page posts
// (the admin's unsaved branding), with a sample exchange and no call to the platform. The parent is
// the console, on this platform's origin; the preview page is framed in a sandbox, so it answers
// with "*" and checks only that a message comes from its own parent window.

bp.PREVIEW_MESSAGE = "bp-widget-preview";

bp.preview = function (ui) {
  var labels = {};
  function noop() {}

  function draw(config) {
    bp.applyBranding(ui, config);
    ui.log.replaceChildren();
    if (config.greeting) bp.renderBot(ui, { type: "text", text: String(config.greeting) }, noop, labels).classList.add("greeting");
    bp.renderUser(ui, "Hi! Do you deliver on Saturdays?");
    bp.renderBot(ui, { type: "buttons", text: "We do, in most cities. Where should it go?", buttons: [{ label: "Home", value: "home" }, { label: "Work", value: "work" }] }, noop, labels);
    bp.settleButtons(ui, null);
  }

  function show(open) {
    ui.panel.hidden = !open;
    ui.launcher.setAttribute("aria-expanded", String(open));
  }

  ui.input.disabled = true;
  ui.send.disabled = true;
  ui.input.placeholder = "Preview only";
  ui.launcher.addEventListener("click", function () { show(ui.panel.hidden); });
  ui.close.addEventListener("click", function () { show(false); ui.launcher.focus(); });
  window.addEventListener("message", function (event) {
    if (event.source !== window.parent || !event.data || event.data.type !== bp.PREVIEW_MESSAGE || typeof event.data.config !== "object") return;
    draw(event.data.config);
    if (event.data.open !== undefined) show(event.data.open !== false);
  });
  bp.mount(ui, function () {
    draw({ name: "Your bot", branding: {}, greeting: null });
    show(true);
    // The parent sends the configuration once it knows the preview listens.
    window.parent.postMessage({ type: bp.PREVIEW_MESSAGE + "-ready" }, "*");
  });
};
