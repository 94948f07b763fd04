#!/usr/bin/env node
// Runs the compiled CLI (npm ci builds it through the `prepare` script).
"use strict";
const path = require("node:path");
const fs = require("node:fs");
const compiled = path.join(__dirname, "..", "dist", "cli", "main.js");
if (!fs.existsSync(compiled)) {
  process.stderr.write(
    "error: llm-breakeven is not built; run `npm run build` in " + path.join(__dirname, "..") + "\n",
  );
  process.exit(2);
}
require(compiled)
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
