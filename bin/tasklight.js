#!/usr/bin/env node
'use strict';
// The `tasklight` command (package.json "bin"): runs the built CLI, out/main/cli.js.
const fs = require('node:fs');
const path = require('node:path');

const packageRoot = path.join(__dirname, '..');
const cli = path.join(packageRoot, 'out', 'main', 'cli.js');

if (!fs.existsSync(cli)) {
  process.stderr.write(`tasklight: not built yet (${cli} is missing); run \`npm run build\` in ${packageRoot}\n`);
  process.exit(1);
}
require(cli);
