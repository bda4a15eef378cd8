/** Worker-thread entry when running from TypeScript sources: registers ./ts-register.cjs, then loads `workerData.entry`. */
'use strict';
require('./ts-register.cjs');
const { workerData } = require('node:worker_threads');
module.exports = require(workerData.entry);
