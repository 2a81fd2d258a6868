// Builds dist/webchat.js, the one file a clinic's page loads: the pinned socket.io client,
// the message formatter and the widget with its styles, in a single closure so that
// nothing but `window.ClinicChat` reaches the host page (not even socket.io's `io`).
// Run by `make webchat` after `npm ci`; needs no network.
"use strict";
const fs = require("fs");
const path = require("path");

const here = (...parts) => path.join(__dirname, ...parts);
const read = (file) => fs.readFileSync(file, "utf8");

const socketioDir = here("node_modules", "socket.io-client");
const socketio = path.join(socketioDir, "dist", "socket.io.min.js");
const socketioVersion = JSON.parse(read(path.join(socketioDir, "package.json"))).version;
const css = read(here("src/widget.css"));
const widget = read(here("src/widget.js"));
if (!widget.includes("__WIDGET_CSS__")) throw new Error("src/widget.js lost its __WIDGET_CSS__ placeholder");

const bundle = [
  `/*! Clinic chat widget (webchat/src), with Socket.IO client ${socketioVersion} (MIT). Built by webchat/build.js. */`,
  "(function () {",
  "\"use strict\";",
  // socket.io's UMD header takes the CommonJS branch when these exist, instead of
  // setting a global `io` that could clash with the host page's own socket.io.
  "var module = { exports: {} }, exports = module.exports;",
  read(socketio).replace(/\/\/# sourceMappingURL=.*$/m, ""),
  "var io = module.exports;",
  read(here("src/format.js")),
  widget.replace("__WIDGET_CSS__", () => JSON.stringify(css)),
  "})();",
  "",
].join("\n");

fs.mkdirSync(here("dist"), { recursive: true });
fs.writeFileSync(here("dist/webchat.js"), bundle);
console.log(`webchat/dist/webchat.js: ${(bundle.length / 1024).toFixed(0)} KB (socket.io-client ${socketioVersion})`);
