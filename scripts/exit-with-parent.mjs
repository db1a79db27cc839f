// Preloaded into a child process with `node --import`: the child exits as soon as the process that started it is
// gone (it has been re-parented), so that it cannot outlive its parent even when the parent is killed with SIGKILL.
const parent = process.ppid;

setInterval(() => {
  if (process.ppid !== parent) process.exit(0);
}, 500).unref();
