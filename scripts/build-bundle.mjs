/**
 * Bundle the phone app: static/js/app.js and every module it imports, one minified ES module,
 * static/dist/app.js, with a source map (names and lines only: the sources it points to are the
 * modules in static/js, served as they are). The bundle is committed, so a clone runs without
 * building; the modules stay the sources (and some tests import them directly).
 *
 *   npm run build            write static/dist/
 *   npm run build -- --check build in memory and compare with the committed files (CI)
 *
 * Deterministic: the same sources give the same bytes (esbuild pinned in package-lock.json, no
 * dates, paths relative to the output).
 *
 * static/dist/inputs.json lists every module the bundle was built from with its SHA-256, so the
 * test suite (tests/test_shell.py) sees a module changed without rebuilding, with no Node.js.
 */

import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');

const result = await esbuild.build({
  absWorkingDir: root,
  entryPoints: ['static/js/app.js'],
  outfile: 'static/dist/app.js',
  bundle: true,
  format: 'esm',
  minify: true,
  sourcemap: 'linked',
  sourcesContent: false,
  legalComments: 'none',
  charset: 'utf8',
  write: !check,
  logLevel: 'warning',
  metafile: true,
});

const sources = Object.keys(result.metafile.inputs).sort();
const digests = {};
for (const source of sources) {
  digests[source] = createHash('sha256').update(await readFile(path.join(root, source))).digest('hex');
}
const inputs = { path: path.join(root, 'static/dist/inputs.json'), contents: Buffer.from(`${JSON.stringify(digests, null, 1)}\n`) };
if (!check) await writeFile(inputs.path, inputs.contents);

if (check) {
  const stale = [];
  for (const file of [...result.outputFiles, inputs]) {
    let committed = null;
    try {
      committed = await readFile(file.path);
    } catch {
      // missing: stale
    }
    if (!committed || !committed.equals(Buffer.from(file.contents))) {
      stale.push(path.relative(root, file.path));
    }
  }
  if (stale.length) {
    console.error(`The committed bundle does not match its sources (${stale.join(', ')}): run npm run build`);
    process.exit(1);
  }
  console.log('static/dist matches static/js');
}
