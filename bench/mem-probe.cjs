// Preloaded into the agents by bench/agent-lab.ts (NODE_OPTIONS=--require): on SIGUSR2 the process
// writes what is resident, as V8 and the kernel see it, to /tmp/ballast-mem-PID.json. Bench only.
'use strict';
const { writeFileSync, readFileSync } = require('node:fs');
const v8 = require('node:v8');
process.on('SIGUSR2', () => {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = (k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  writeFileSync(`/tmp/ballast-mem-${process.pid}.json`, JSON.stringify({
    memoryUsage: process.memoryUsage(),
    kernel: { VmRSS: kb('VmRSS'), RssAnon: kb('RssAnon'), RssFile: kb('RssFile'), VmHWM: kb('VmHWM'), Threads: kb('Threads') },
    heapSpaces: v8.getHeapSpaceStatistics().map((s) => ({ name: s.space_name, size: s.space_size, used: s.space_used_size, physical: s.physical_space_size })),
    code: v8.getHeapCodeStatistics(),
    modules: Object.keys(require.cache).length,
    execArgv: process.execArgv,
    nodeOptions: process.env.NODE_OPTIONS ?? '',
  }));
});
