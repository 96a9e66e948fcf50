// Preloaded into the agents by bench/agent-lab.ts (NODE_OPTIONS=--require): on SIGUSR2 the process
// writes what is resident, as V8 and the kernel see it, to /tmp/ballast-mem-PID.json. Bench only.
// With BALLAST_BENCH_CPU_PROFILE=DIR it also runs V8's CPU profiler from the start (Node 20 refuses
// --cpu-prof in NODE_OPTIONS) and writes DIR/PID.cpuprofile at the same signal.
'use strict';
const { writeFileSync, readFileSync } = require('node:fs');
const v8 = require('node:v8');
const profileDir = process.env.BALLAST_BENCH_CPU_PROFILE;
let session = null;
if (profileDir) {
  const inspector = require('node:inspector');
  session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable', () => session.post('Profiler.start'));
}
process.on('SIGUSR2', () => {
  if (session) {
    session.post('Profiler.stop', (err, res) => {
      if (!err) writeFileSync(`${profileDir}/${process.pid}.cpuprofile`, JSON.stringify(res.profile));
    });
  }
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
