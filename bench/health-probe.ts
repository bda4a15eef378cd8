/**
 * Benchmark only: polls `GET <url>` every `intervalMs` for `seconds` from its own process (so the load
 * generator's busy event loop does not delay the probe) and sends the latencies (ms) and failures to the
 * parent over IPC. Usage: fork('health-probe.js', [url, intervalMs, seconds]).
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';

const [url, intervalMs, seconds] = [process.argv[2]!, Number(process.argv[3] ?? 50), Number(process.argv[4] ?? 20)];
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
const latencies: number[] = [];
let failures = 0;
const failureKinds: Record<string, number> = {};
const fail = (kind: string) => {
  failures++;
  failureKinds[kind] = (failureKinds[kind] ?? 0) + 1;
};

function probe(): Promise<void> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const req = http.get(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode === 200) latencies.push(performance.now() - t0);
        else fail(`HTTP ${res.statusCode}`);
        resolve();
      });
    });
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.on('error', (e: NodeJS.ErrnoException) => {
      fail(e.code ?? e.message);
      resolve();
    });
  });
}

async function main(): Promise<void> {
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    const next = performance.now() + intervalMs;
    await probe();
    const wait = next - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  agent.destroy();
  process.send?.({ latencies, failures, failureKinds }, () => process.exit(0));
}

void main();
