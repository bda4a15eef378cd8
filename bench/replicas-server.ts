/**
 * Benchmark only: BENCH_REPLICAS copies of the production server sharing one port through node:cluster, standing in
 * for N replicas behind a load balancer (the way the service scales across cores; it is single-threaded by design).
 * Used by `run.ts --replicas=N`. Each replica is the unchanged production entry point, with its own replay cache;
 * they share the SQLite card log file (WAL).
 */
import cluster from 'node:cluster';

const replicas = Number(process.env.BENCH_REPLICAS ?? 2);

if (cluster.isPrimary) {
  for (let i = 0; i < replicas; i++) cluster.fork();
  process.on('SIGTERM', () => {
    const workers = Object.values(cluster.workers ?? {});
    let left = workers.length;
    if (left === 0) process.exit(0);
    for (const w of workers) {
      w?.once('exit', () => {
        if (--left === 0) process.exit(0);
      });
      w?.kill('SIGTERM');
    }
  });
} else {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded in the replicas only
  (require('../src/server') as typeof import('../src/server')).main();
}
