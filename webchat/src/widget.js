// The chat widget. A clinic adds it with one tag (see docs/webchat.md):
//   <script src=".../webchat.js" data-server-url="https://assistant.clinic.example" defer></script>
// It talks to Rasa's socket.io channel (events session_request / session_confirm /
// user_uttered / bot_uttered) and keeps the conversation in the browser's storage, so it
// survives reloads and moving between the site's pages. It lives in a shadow root: the
// host page's styles cannot break it and its styles cannot leak into the page.

var script = document.currentScript;
var data = (script && script.dataset) || {};

var options = {
  serverUrl: data.serverUrl || "",
  socketPath: data.socketPath || "/socket.io",
  title: data.title || "Chat with us",
  subtitle: data.subtitle || "",
  color: data.color || "#0b6e4f",
  position: data.position === "left" ? "left" : "right",
  initPayload: data.initPayload === undefined ? "/greet" : data.initPayload,
  placeholder: data.placeholder || "Type your question…",
  launcherLabel: data.launcherLabel || "Chat with us",
  openOnLoad: data.open === "true",
  storage: data.storage === "local" ? "local" : "session",
  messageDelay: data.messageDelay === undefined ? 600 : Number(data.messageDelay) || 0,
};

var MAX_LENGTH = 1000; // characters in one message
var KEPT_MESSAGES = 200; // messages remembered in the browser
var REPLY_TIMEOUT = 20000; // ms the typing indicator waits for a reply
var STORAGE_KEY = "clinic-chat:" + options.serverUrl;

// ---- what the browser remembers -----------------------------------------------------

function storage() {
  try {
    return options.storage === "local" ? window.localStorage : window.sessionStorage;
  } catch (error) {
    return null; // storage blocked (privacy settings): the chat still works, unremembered
  }
}

function loadState() {
  var fresh = { sessionId: null, open: false, messages: [] };
  try {
    var saved = JSON.parse(storage().getItem(STORAGE_KEY));
    if (saved && Array.isArray(saved.messages)) return saved;
  } catch (error) {
    /* nothing saved yet, or unreadable: start afresh */
  }
  return fresh;
}

var state = loadState();

function saveState() {
  state.messages = state.messages.slice(-KEPT_MESSAGES);
  try {
    storage().setItem(STORAGE_KEY, JSON.stringify(state));
  } catch (error) {
    /* full or blocked: keep going without remembering */
  }
}

// ---- the widget's elements ----------------------------------------------------------

function el(tag, className, text) {
  var element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined) element.textContent = text;
  return element;
}

var host = el("div");
host.id = "clinic-chat";
var root = host.attachShadow({ mode: "open" });
var style = el("style");
style.textContent = __WIDGET_CSS__;
root.appendChild(style);

var frame = el("div", "frame " + options.position);
if (window.CSS && CSS.supports("color", options.color)) frame.style.setProperty("--accent", options.color);

var launcher = el("button", "launcher");
launcher.type = "button";
launcher.setAttribute("aria-controls", "chat-panel");
launcher.setAttribute("aria-expanded", "false");
launcher.appendChild(el("span", "launcher-icon", "💬")).setAttribute("aria-hidden", "true");
launcher.appendChild(el("span", "launcher-label", options.launcherLabel));

var panel = el("section", "panel");
panel.id = "chat-panel";
panel.hidden = true;
panel.setAttribute("role", "dialog");
panel.setAttribute("aria-labelledby", "chat-title");

var header = el("header", "header");
var heading = el("div", "heading");
var title = el("h2", "title", options.title);
title.id = "chat-title";
heading.appendChild(title);
if (options.subtitle) heading.appendChild(el("p", "subtitle", options.subtitle));
var clearButton = el("button", "icon-button clear", "Clear");
clearButton.type = "button";
clearButton.title = "Clear this conversation from this browser and start again";
var closeButton = el("button", "icon-button close", "×");
closeButton.type = "button";
closeButton.setAttribute("aria-label", "Close the chat");
header.append(heading, clearButton, closeButton);

var log = el("div", "log");
log.setAttribute("role", "log");
log.setAttribute("aria-live", "polite");
log.setAttribute("aria-label", "Conversation");
log.tabIndex = 0; // scrollable with the keyboard

var typing = el("div", "typing");
typing.hidden = true;
typing.setAttribute("aria-label", "The assistant is typing");
typing.append(el("span", "dot"), el("span", "dot"), el("span", "dot"));

var status = el("p", "status"); // the connection
status.setAttribute("role", "status");
status.hidden = true;
var hint = el("p", "hint"); // what is wrong with the message being typed
hint.setAttribute("role", "alert");
hint.hidden = true;

var form = el("form", "composer");
var input = el("textarea", "input");
input.rows = 1;
input.placeholder = options.placeholder;
input.setAttribute("aria-label", "Your message");
var sendButton = el("button", "send", "Send");
sendButton.type = "submit";
form.append(input, sendButton);

panel.append(header, log, typing, status, hint, form);
frame.append(panel, launcher);
root.appendChild(frame);

// ---- showing messages ---------------------------------------------------------------

function scrollToEnd() {
  log.scrollTop = log.scrollHeight;
}

function messageElement(message) {
  var bubble = el("div", "message " + message.from);
  // Screen readers announce who is speaking; sighted users see it from the bubble's side.
  bubble.appendChild(el("span", "visually-hidden", message.from === "user" ? "You: " : "Assistant: "));
  if (message.from === "user") {
    bubble.appendChild(el("span", "text", message.text)); // exactly what was typed, as text
  } else if (message.text) {
    bubble.appendChild(formatBotText(message.text)).className = "text";
  }
  if (message.image) {
    var href = safeHref(message.image);
    if (href && /^https?:/.test(href)) {
      var image = el("img", "image");
      image.src = href;
      image.alt = "";
      bubble.appendChild(image);
    }
  }
  if (message.pending) bubble.appendChild(el("span", "pending", "Waiting for connection…"));
  return bubble;
}

function quickRepliesElement(message) {
  var group = el("div", "quick-replies");
  group.setAttribute("role", "group");
  group.setAttribute("aria-label", "Suggested replies");
  message.quickReplies.forEach(function (reply) {
    var button = el("button", "quick-reply", reply.title);
    button.type = "button";
    button.addEventListener("click", function () {
      sendMessage(reply.payload, reply.title);
      input.focus(); // the buttons are gone now; keep keyboard users in the conversation
    });
    group.appendChild(button);
  });
  return group;
}

var quickReplies = null;

// Only the latest answer's suggestions are offered: older ones no longer fit.
function showQuickReplies() {
  if (quickReplies) quickReplies.remove();
  quickReplies = null;
  var last = state.messages[state.messages.length - 1];
  if (last && last.from === "bot" && last.quickReplies && last.quickReplies.length) {
    quickReplies = log.appendChild(quickRepliesElement(last));
  }
}

function render() {
  log.textContent = "";
  state.messages.forEach(function (message) {
    log.appendChild(messageElement(message));
  });
  showQuickReplies();
  scrollToEnd();
}

// New messages are appended, not re-rendered, so screen readers announce only them.
function addMessage(message) {
  state.messages.push(message);
  saveState();
  if (quickReplies) quickReplies.remove();
  log.appendChild(messageElement(message));
  showQuickReplies();
  scrollToEnd();
}

// ---- the connection -----------------------------------------------------------------

var socket = null;
var confirmedSession = false;
var connectionLost = false; // after a disconnect, failed retries keep saying "Reconnecting…"
var replyTimer = null;
var botQueue = [];
var showingBot = false;

function setStatus(text) {
  status.textContent = text;
  status.hidden = !text;
}

function setTyping(on) {
  typing.hidden = !on;
  clearTimeout(replyTimer);
  if (on) replyTimer = setTimeout(function () { typing.hidden = true; }, REPLY_TIMEOUT);
  scrollToEnd();
}

function emitMessage(payload) {
  socket.emit("user_uttered", {
    message: payload,
    session_id: state.sessionId,
    // Which page the visitor was on, for the clinic's staff reading the conversation.
    metadata: { page: window.location.pathname },
  });
  setTyping(true);
}

// Messages typed while offline wait in the conversation, marked, and go out in order
// once the server has confirmed the session again.
function flushPending() {
  state.messages.forEach(function (message) {
    if (!message.pending) return;
    emitMessage(message.payload || message.text);
    delete message.pending;
    delete message.payload;
  });
  saveState();
  log.querySelectorAll(".pending").forEach(function (marker) { marker.remove(); });
}

function sendMessage(payload, shownText) {
  var message = { from: "user", text: shownText || payload };
  if (confirmedSession && socket.connected) {
    addMessage(message);
    emitMessage(payload);
    return;
  }
  message.pending = true;
  if (payload !== message.text) message.payload = payload;
  addMessage(message);
  connect();
}

function showNextBotMessage() {
  var message = botQueue.shift();
  if (!message) {
    showingBot = false;
    setTyping(false);
    return;
  }
  showingBot = true;
  addMessage(message);
  // A short pause, with the typing dots, between consecutive answers makes them readable.
  if (botQueue.length) setTyping(true);
  setTimeout(showNextBotMessage, botQueue.length ? options.messageDelay : 0);
}

function receive(payload) {
  if (!payload || typeof payload !== "object") return;
  var message = { from: "bot", text: typeof payload.text === "string" ? payload.text : "" };
  var replies = payload.quick_replies || payload.buttons;
  if (Array.isArray(replies)) {
    message.quickReplies = replies
      .filter(function (reply) { return reply && reply.title && reply.payload; })
      .map(function (reply) { return { title: String(reply.title), payload: String(reply.payload) }; });
  }
  var attachment = payload.attachment;
  if (attachment && attachment.type === "image" && attachment.payload) message.image = String(attachment.payload.src);
  if (!message.text && !message.image) return; // nothing a visitor could see
  botQueue.push(message);
  if (!showingBot) showNextBotMessage();
}

function connect() {
  if (socket) return;
  setStatus("Connecting…");
  socket = io(options.serverUrl, {
    path: options.socketPath,
    // WebSocket first (no sticky sessions needed behind a load balancer); long-polling
    // when a proxy blocks WebSockets.
    transports: ["websocket", "polling"],
    tryAllTransports: true,
    reconnectionDelayMax: 5000,
  });
  socket.on("connect", function () {
    socket.emit("session_request", { session_id: state.sessionId });
  });
  socket.on("session_confirm", function (confirmed) {
    var sessionId = typeof confirmed === "string" ? confirmed : confirmed && confirmed.session_id;
    if (!sessionId) return;
    var isNew = sessionId !== state.sessionId;
    state.sessionId = sessionId;
    confirmedSession = true;
    connectionLost = false;
    saveState();
    setStatus("");
    // A new conversation starts with the greeting (the disclaimer comes with it).
    if (isNew && options.initPayload && !state.messages.some(isFromBot)) emitMessage(options.initPayload);
    flushPending();
  });
  socket.on("bot_uttered", receive);
  socket.on("disconnect", function (reason) {
    confirmedSession = false;
    connectionLost = true;
    setTyping(false);
    setStatus("Connection lost. Reconnecting… Anything you type will be sent when we're back.");
    // The server closing the session on purpose is the one case socket.io won't retry.
    if (reason === "io server disconnect") socket.connect();
  });
  socket.on("connect_error", function () {
    if (!connectionLost) setStatus("Can't reach the assistant right now. Retrying…");
  });
}

function isFromBot(message) {
  return message.from === "bot";
}

// ---- opening, closing, typing -------------------------------------------------------

function setOpen(open, focus) {
  state.open = open;
  saveState();
  panel.hidden = !open;
  frame.classList.toggle("is-open", open);
  launcher.setAttribute("aria-expanded", String(open));
  if (open) {
    connect();
    scrollToEnd(); // a hidden log can't scroll
    if (focus) input.focus();
  } else if (focus) {
    launcher.focus();
  }
}

function clearConversation() {
  state = { sessionId: null, open: true, messages: [] };
  botQueue.length = 0;
  saveState();
  render();
  confirmedSession = false;
  // A new conversation; when offline, the next connection asks for one anyway.
  if (socket && socket.connected) socket.emit("session_request", { session_id: null });
  input.focus();
}

launcher.addEventListener("click", function () { setOpen(panel.hidden, true); });
closeButton.addEventListener("click", function () { setOpen(false, true); });
clearButton.addEventListener("click", clearConversation);
panel.addEventListener("keydown", function (event) {
  if (event.key === "Escape") setOpen(false, true);
});

function setHint(text) {
  hint.textContent = text;
  hint.hidden = !text;
}

// Nothing typed is ever cut off or thrown away: a message that can't be sent stays in
// the box with the reason.
form.addEventListener("submit", function (event) {
  event.preventDefault();
  var text = input.value.trim();
  if (!text) {
    setHint("Please type a message first.");
  } else if (text.length > MAX_LENGTH) {
    setHint("That's " + text.length + " characters; a message can have up to " + MAX_LENGTH +
      ". Please shorten it or send it in parts.");
  } else {
    setHint("");
    input.value = "";
    sendMessage(text);
  }
  input.focus();
});

input.addEventListener("input", function () {
  if (!hint.hidden && input.value.trim().length <= MAX_LENGTH) setHint("");
});

// Enter sends, Shift+Enter starts a new line.
input.addEventListener("keydown", function (event) {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit", { cancelable: true }));
  }
});

function mount() {
  document.body.appendChild(host);
  if (!options.serverUrl) {
    // A mistake in the snippet should be found by the clinic, not by a patient.
    console.error("Clinic chat: the script tag needs data-server-url (see docs/webchat.md).");
    return;
  }
  render();
  if (state.open || options.openOnLoad) setOpen(true, false);
}

if (document.body) {
  mount();
} else {
  document.addEventListener("DOMContentLoaded", mount);
}

// For the clinic's own "Chat with us" links: ClinicChat.open().
window.ClinicChat = {
  open: function () { setOpen(true, true); },
  close: function () { setOpen(false, false); },
};
