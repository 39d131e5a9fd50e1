/* global bp */
// Drawing the conversation: bot and user bubbles, buttons for choices, links for calls to action,
// and the text field's hints for the kind of answer the bot waits for.

bp.scrollToEnd = function (ui) {
  ui.log.scrollTop = ui.log.scrollHeight;
};

/** One bot message. `choose(value, label)` is called when one of its buttons is pressed. */
bp.renderBot = function (ui, message, choose, labels) {
  var bubble = bp.el("div", { className: "msg bot" });
  // A person of the business wrote it: their name goes above their words.
  if (message.agent && typeof message.agent.name === "string") {
    bubble.classList.add("agent");
    bubble.appendChild(bp.el("span", { className: "who", textContent: message.agent.name }));
  }
  if (message.type === "image") {
    var src = bp.safeUrl(message.url);
    if (src) bubble.appendChild(bp.el("img", { src: src, alt: message.alt || "" }, { loading: "lazy" }));
    else bubble.textContent = message.alt || "";
  } else if (message.type === "buttons") {
    bubble.appendChild(bp.el("div", { textContent: message.text || "" }));
    var group = bp.el("div", { className: "choices" }, { role: "group", "aria-label": message.text || "Options" });
    (message.buttons || []).forEach(function (button) {
      labels[button.value] = button.label;
      group.appendChild(bp.choiceButton(button, choose));
    });
    bubble.appendChild(group);
    bubble.setAttribute("data-values", (message.buttons || []).map(function (b) { return b.value; }).join("\n"));
  } else {
    bubble.appendChild(bp.el("span", { textContent: typeof message.text === "string" ? message.text : "" }));
  }
  ui.log.appendChild(bubble);
  bp.scrollToEnd(ui);
  return bubble;
};

/**
 * A bot reply being written (a model's tokens): plain text, grown by `bp.growDraft`, replaced by the
 * committed message. Hidden from screen readers, which read the committed message instead of every token.
 */
bp.renderDraft = function (ui, before) {
  var bubble = bp.el("div", { className: "msg bot draft" }, { "aria-hidden": "true" });
  ui.log.insertBefore(bubble, before || null);
  bp.scrollToEnd(ui);
  return bubble;
};

bp.growDraft = function (ui, bubble, text) {
  // A text node: whatever the model wrote is shown as text, never parsed as HTML.
  bubble.appendChild(bubble.ownerDocument.createTextNode(text));
  bp.scrollToEnd(ui);
};

bp.choiceButton = function (choice, choose) {
  var button = bp.el("button", { type: "button", className: "chip", textContent: choice.label });
  button.addEventListener("click", function () {
    button.classList.add("picked");
    choose(choice.value, choice.label);
  });
  return button;
};

bp.renderUser = function (ui, text) {
  var bubble = bp.el("div", { className: "msg user", textContent: text });
  ui.log.appendChild(bubble);
  bp.scrollToEnd(ui);
  return bubble;
};

bp.renderNote = function (ui, text) {
  var note = bp.el("p", { className: "note", textContent: text });
  ui.log.appendChild(note);
  bp.scrollToEnd(ui);
  return note;
};

/**
 * Only the newest buttons may be pressed, and only while the bot waits for an answer: a button
 * under an old question would answer whatever is asked now.
 */
bp.settleButtons = function (ui, input) {
  var groups = ui.log.querySelectorAll(".msg.bot");
  var last = groups.length ? groups[groups.length - 1] : null;
  var live = input && last && last.hasAttribute("data-values") ? last : null;
  Array.prototype.forEach.call(ui.log.querySelectorAll(".choices button"), function (button) {
    button.disabled = !live || !live.contains(button);
  });
  return live;
};

/** The bar above the text field: choices not already shown as buttons, then calls to action. */
bp.renderBar = function (ui, input, ctas, liveButtons, choose, say) {
  ui.bar.replaceChildren();
  if (input && input.type === "choice" && !liveButtons) {
    (input.choices || []).forEach(function (choice) { ui.bar.appendChild(bp.choiceButton(choice, choose)); });
  }
  (ctas || []).forEach(function (cta) {
    if (cta.url !== undefined) {
      var href = bp.safeUrl(cta.url);
      if (!href) return;
      ui.bar.appendChild(bp.el("a", { className: "chip", href: href, textContent: cta.label, target: "_blank", rel: "noopener noreferrer" }));
    } else {
      // A call to action without a link is answered by its label (the platform then offers its children).
      var button = bp.el("button", { type: "button", className: "chip", textContent: cta.label });
      button.addEventListener("click", function () { say(cta.label); });
      ui.bar.appendChild(button);
    }
  });
};

var hints = {
  text: { type: "text", inputMode: "text", autocomplete: "off", placeholder: "Type your message…" },
  email: { type: "email", inputMode: "email", autocomplete: "email", placeholder: "name@example.com" },
  number: { type: "text", inputMode: "decimal", autocomplete: "off", placeholder: "Type a number…" },
  phone: { type: "tel", inputMode: "tel", autocomplete: "tel", placeholder: "+1 555 123 4567" },
  date: { type: "date", inputMode: "none", autocomplete: "off", placeholder: "YYYY-MM-DD" },
  choice: { type: "text", inputMode: "text", autocomplete: "off", placeholder: "Pick an option or type it…" },
};

/** Fits the text field to the answer the bot waits for: the right keyboard on phones, autofill for email. */
bp.applyInputHints = function (field, input) {
  var hint = hints[(input && input.type) || "text"] || hints.text;
  field.type = hint.type;
  field.inputMode = hint.inputMode;
  field.autocomplete = hint.autocomplete;
  field.placeholder = input ? hint.placeholder : "";
};
