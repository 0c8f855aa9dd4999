#!/usr/bin/env node
// Self time per function of a V8 .cpuprofile (node --cpu-prof), top N, plus the profile's span and
// idle share: evidence for "where does the time go" without opening DevTools.
//   node bench/cpuprofile-top.cjs FILE.cpuprofile [N=15]
'use strict';
const fs = require('fs');
const [file, nArg] = process.argv.slice(2);
const p = JSON.parse(fs.readFileSync(file, 'utf8'));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = p.timeDeltas; let total = 0;
for (let i = 0; i < p.samples.length; i++) {
  const n = byId.get(p.samples[i]); const d = dt[i] || 0; total += d;
  const cf = n.callFrame;
  const url = (cf.url || '').replace(/^file:\/\//, '').replace(/^.*\/(dist|node_modules)\//, '$1/');
  const key = `${cf.functionName || '(anonymous)'}  ${url}${url ? ':' + (cf.lineNumber + 1) : ''}`;
  self.set(key, (self.get(key) || 0) + d);
}
const rows = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, +(nArg || 15));
console.log(`${file}: ${(total / 1e6).toFixed(3)} s sampled`);
for (const [k, v] of rows) console.log(`  ${(v / 1e3).toFixed(0).padStart(7)} ms ${(100 * v / total).toFixed(1).padStart(5)} %  ${k}`);
