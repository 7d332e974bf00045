// The jsonata-js side of `signalbox bench jsonata`: evaluates each case's
// expression against its input for at least the given milliseconds, three
// times, and prints one JSON line per case: its name, the fastest run's
// nanoseconds per evaluation, and the result.
//
// usage: node bench_jsonata.mjs NODE_MODULES_PARENT CASES.json MIN_MS
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const [dir, casesFile, minMs] = process.argv.slice(2);
const jsonata = createRequire(dir + '/package.json')('jsonata');
const cases = JSON.parse(readFileSync(casesFile, 'utf8'));

for (const c of cases) {
  const expr = jsonata(c.expr);
  let result;
  try {
    result = await expr.evaluate(c.input);
  } catch (e) {
    console.log(JSON.stringify({ name: c.name, error: String(e.message || e) }));
    continue;
  }
  let n = 1;
  for (;;) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await expr.evaluate(c.input);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (ms >= Number(minMs)) break;
    n = ms < 1 ? n * 10 : Math.ceil(n * 1.2 * Number(minMs) / ms);
  }
  let best = Infinity;
  for (let r = 0; r < 3; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await expr.evaluate(c.input);
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / n);
  }
  console.log(JSON.stringify({ name: c.name, ns: best, result: result === undefined ? null : result }));
}
