'use strict';
// Loads a built Electron main process (argv[2]) under plain Node, with `require('electron')`
// answered by the stand-in beside this file.
const Module = require('node:module');
const path = require('node:path');

const standIn = path.join(__dirname, 'electron.cjs');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return request === 'electron' ? standIn : resolve.call(this, request, ...rest);
};
require(path.resolve(process.argv[2]));
