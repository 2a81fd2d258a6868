// The assistant's texts as DOM nodes, never as HTML: every piece of text ends up in a text
// node, so a message containing "<script>" or "<img onerror=...>" is shown, not run.
// Understood: paragraphs and line breaks, "- " bullet lists, **bold**, *italic*,
// [text](address) and bare web addresses, e-mail addresses and international phone
// numbers as links. Only http(s), mailto and tel links are made; anything else
// (javascript:, data:...) stays plain text.

var SAFE_PROTOCOLS = ["http:", "https:", "mailto:", "tel:"];

var INLINE = new RegExp([
  "\\[([^\\]\\n]+)\\]\\(([^)\\s]+)\\)", // 1, 2: [text](address)
  "\\*\\*([^*\\n]+)\\*\\*", // 3: **bold**
  "\\*([^*\\s][^*\\n]*?)\\*", // 4: *italic*
  "(https?:\\/\\/[^\\s<>\"]*[^\\s<>\".,;:!?)\\]'])", // 5: a bare web address
  "([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,})", // 6: an e-mail address
  "(\\+\\d[\\d ]{6,}\\d)", // 7: an international phone number, e.g. +44 20 7946 0000
].join("|"), "g");

var BULLET = /^\s*[-*\u2022]\s+/;

function safeHref(address) {
  var url;
  try {
    url = new URL(address, window.location.href);
  } catch (error) {
    return null;
  }
  return SAFE_PROTOCOLS.indexOf(url.protocol) >= 0 ? url.href : null;
}

function textElement(tag, text) {
  var element = document.createElement(tag);
  element.textContent = text;
  return element;
}

function linkNode(text, address) {
  var href = safeHref(address);
  if (!href) return document.createTextNode(text);
  var link = textElement("a", text);
  link.href = href;
  if (/^https?:/.test(href)) {
    link.target = "_blank";
    link.rel = "noopener noreferrer";
  }
  return link;
}

function inlineNode(match) {
  if (match[1] !== undefined) return linkNode(match[1], match[2]);
  if (match[3] !== undefined) return textElement("strong", match[3]);
  if (match[4] !== undefined) return textElement("em", match[4]);
  if (match[5] !== undefined) return linkNode(match[5], match[5]);
  if (match[6] !== undefined) return linkNode(match[6], "mailto:" + match[6]);
  return linkNode(match[7], "tel:" + match[7].replace(/ /g, ""));
}

function appendInline(parent, text) {
  var last = 0;
  var match;
  INLINE.lastIndex = 0;
  while ((match = INLINE.exec(text)) !== null) {
    if (match.index > last) parent.appendChild(document.createTextNode(text.slice(last, match.index)));
    parent.appendChild(inlineNode(match));
    last = INLINE.lastIndex;
  }
  if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
}

// One paragraph: runs of "- " lines become a list, other lines a <p> with line breaks.
function appendParagraph(container, paragraph) {
  var list = null;
  var lines = null;
  paragraph.split("\n").forEach(function (line) {
    if (BULLET.test(line)) {
      lines = null;
      if (!list) list = container.appendChild(document.createElement("ul"));
      appendInline(list.appendChild(document.createElement("li")), line.replace(BULLET, ""));
      return;
    }
    list = null;
    if (!lines) {
      lines = container.appendChild(document.createElement("p"));
    } else {
      lines.appendChild(document.createElement("br"));
    }
    appendInline(lines, line);
  });
}

function formatBotText(text) {
  var container = document.createElement("div");
  String(text).trim().split(/\n\s*\n/).forEach(function (paragraph) {
    appendParagraph(container, paragraph);
  });
  return container;
}
