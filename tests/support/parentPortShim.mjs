// Stand-in for Electron's utilityProcess `process.parentPort` (Electron's binary cannot run
// here): a child_process.fork IPC channel with the same shape, so the real engine-host runs.
process.parentPort = {
  on: (event, listener) => process.on(event, (data) => listener({ data })),
  postMessage: (message) => process.send(message),
};
