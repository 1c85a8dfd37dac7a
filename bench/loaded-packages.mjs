// `node --import bench/loaded-packages.mjs …` prints "loaded: <url>" on stderr for every
// module the process loads, ESM or CommonJS (bench/startup.ts reads it).
import {register} from 'node:module';
import {writeSync} from 'node:fs';
import Module from 'node:module';

register('data:text/javascript,' + encodeURIComponent(`
import {writeSync} from 'node:fs';
export async function load(url, context, next) {
  if (!url.startsWith('node:')) writeSync(2, 'loaded: ' + url + '\\n');
  return next(url, context);
}`));

const originalLoad = Module._load;
Module._load = function (request, parent, isMain) {
  const result = originalLoad.apply(this, arguments);
  try {
    if (!request.startsWith('node:')) writeSync(2, 'loaded: ' + Module._resolveFilename(request, parent, isMain) + '\n');
  } catch {}
  return result;
};
