/**
 * Jest global setup: transpiles every TypeScript module under src/ into ./ts-register.cjs's disk cache once, before the
 * suites start. Tests that start evaluation or store worker threads from the sources then find every module
 * transpiled: on a fresh clone (a new cache key for every file) each worker would otherwise transpile the whole
 * pipeline itself, and a first hook call could run into its deadline.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { transpile } = require('./ts-register.cjs');

function walk(dir, out) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

module.exports = async function prewarm() {
  for (const file of walk(path.resolve(__dirname, '../src'), [])) transpile(file);
};
