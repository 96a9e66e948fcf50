import { readFileSync } from 'node:fs';
import { parseFixture } from '../src/fabric/load.js';
import { parseYamlFast } from '../src/util/yaml-fast.js';
import { parseDocument } from 'yaml';
const text = readFileSync('/tmp/scale-big.yaml', 'utf8');
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
for (let i = 0; i < 3; i++) {
  let c = cpu(); parseYamlFast(text); const fast = cpu() - c;
  c = cpu(); parseFixture(text, 'x'); const load = cpu() - c;
  c = cpu(); parseDocument(text); const lib = cpu() - c;
  console.log({ fast, load, lib });
}
