// The package under test: the npm layout the wasm build writes (build-wasm/js),
// or the folder named by CALMKIT_JS_DIR.
import path from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const packageDir = process.env.CALMKIT_JS_DIR ?? path.resolve(here, '../../../build-wasm/js');
export const pkg = await import(pathToFileURL(path.join(packageDir, 'index.js')).href);
export const ck = await pkg.loadCalmkit();
