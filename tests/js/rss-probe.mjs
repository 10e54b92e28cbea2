// Preloaded with `node --import` by tests/js/cli.test.mjs: reports the process's peak
// resident memory on stderr at exit (process.resourceUsage().maxRSS, in KiB).
process.on("exit", () => {
  process.stderr.write(`maxrss_kb ${process.resourceUsage().maxRSS}\n`);
});
