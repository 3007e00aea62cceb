import { appendFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

/**
 * A preload (`node --import <this file's URL> ...`) that appends the URL of
 * every module the process loads, one a line, to the file named by
 * LOADED_MODULES_FILE. The hook is synchronous, so the list is complete even
 * when the process is killed right after a load; dynamic import()s and
 * require()s pass through it as well.
 */
const out = process.env.LOADED_MODULES_FILE;
if (out === undefined) throw new Error('record-loaded-modules: set LOADED_MODULES_FILE to the file to write');

registerHooks({
  load(url, context, nextLoad) {
    appendFileSync(out, `${url}\n`);
    return nextLoad(url, context);
  },
});
