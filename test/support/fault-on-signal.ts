/**
 * A preload (`node --import <this file's URL> ...`) for the process-level
 * fault tests: on SIGUSR2 it makes the kind of bug no handler caught, as
 * FAULT_KIND says: `rejection` (a promise rejected with nobody listening) or
 * `exception` (a throw from a callback). Nothing in the service is changed;
 * the fault just happens inside its process, where a real bug would.
 */
const kind = process.env.FAULT_KIND;
if (kind !== 'rejection' && kind !== 'exception')
  throw new Error('fault-on-signal: set FAULT_KIND to rejection or exception');

process.on('SIGUSR2', () => {
  if (kind === 'rejection') {
    void Promise.reject(new Error('a fault injected by the test: nobody handled this rejection'));
    return;
  }
  setImmediate(() => {
    throw new Error('a fault injected by the test: nobody caught this exception');
  });
});
