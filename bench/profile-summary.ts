/** Self time and inclusive time by function from a V8 .cpuprofile (node --cpu-prof). */
import { readFileSync } from 'node:fs';

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
const prof = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
const top = Number(process.argv[3] ?? 40);
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const self = new Map<number, number>();
prof.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0)));
const key = (n: Node) => `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.replace(/^.*\/(node_modules|dist)\//, '$1/')}:${n.callFrame.lineNumber + 1}`;
const selfBy = new Map<string, number>();
const inclBy = new Map<string, number>();
let total = 0;
for (const [id, t] of self) {
  total += t;
  const k = key(byId.get(id)!);
  selfBy.set(k, (selfBy.get(k) ?? 0) + t);
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const kk = key(byId.get(cur)!);
    if (seen.has(kk)) continue;
    seen.add(kk);
    inclBy.set(kk, (inclBy.get(kk) ?? 0) + t);
  }
}
const show = (title: string, m: Map<string, number>) => {
  console.log(`\n## ${title} (total ${(total / 1000).toFixed(0)} ms)`);
  [...m].sort((a, b) => b[1] - a[1]).slice(0, top).forEach(([k, t]) => console.log(`${((100 * t) / total).toFixed(1).padStart(5)}%  ${(t / 1000).toFixed(0).padStart(6)} ms  ${k}`));
};
show('self', selfBy);
show('inclusive', inclBy);

/** `--callers=name`: self time of functions whose name matches, by their caller chain (3 frames). */
const callersOf = process.argv.find((a) => a.startsWith('--callers='))?.slice('--callers='.length);
if (callersOf) {
  const chains = new Map<string, number>();
  for (const [id, t] of self) {
    const n = byId.get(id)!;
    if ((n.callFrame.functionName || '(anon)') !== callersOf) continue;
    const frames: string[] = [];
    for (let cur = parent.get(id); cur !== undefined && frames.length < 3; cur = parent.get(cur)) frames.push(key(byId.get(cur)!));
    const k = frames.join(' < ');
    chains.set(k, (chains.get(k) ?? 0) + t);
  }
  console.log(`\n## callers of ${callersOf}`);
  [...chains].sort((a, b) => b[1] - a[1]).slice(0, top).forEach(([k, t]) => console.log(`${(t / 1000).toFixed(0).padStart(6)} ms  ${k}`));
}
