// Builds the console into dist/: one bundle of src/main.js (with uPlot) and one of its CSS,
// named by content hash under dist/assets/, and dist/index.html that links them. Run by the
// Makefile (`npm run build`); the C build embeds dist/ (scripts/gen-web.sh).
import { build } from 'esbuild';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(root, 'dist');
await rm(dist, { recursive: true, force: true });
await mkdir(path.join(dist, 'assets'), { recursive: true });

// The map's background: the contiguous US as a cloud of postal-code points (GeoNames, CC BY
// 4.0; ../data/geo), one point per 0.35° cell, as [lon, lat] pairs in hundredths of a degree.
const csv = await readFile(path.join(root, '../data/geo/us-postal-codes.csv'), 'utf8');
const cells = new Map();
for (const line of csv.split('\n').slice(1)) {
  const f = line.split(',');
  const lat = Number(f[7]);
  const lon = Number(f[8]);
  if (!(lat > 24 && lat < 50 && lon > -125 && lon < -66)) continue;
  const key = `${Math.round(lat / 0.35)},${Math.round(lon / 0.35)}`;
  if (!cells.has(key)) cells.set(key, [Math.round(lon * 100), Math.round(lat * 100)]);
}
const points = [...cells.values()].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
await mkdir(path.join(root, 'src/generated'), { recursive: true });
await writeFile(
  path.join(root, 'src/generated/us-points.json'),
  JSON.stringify({ attribution: 'Postal code points: GeoNames (geonames.org), CC BY 4.0', points }),
);

const result = await build({
  entryPoints: { app: path.join(root, 'src/main.js') },
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2020'],
  outdir: path.join(dist, 'assets'),
  entryNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  loader: { '.json': 'json' },
  metafile: true,
  legalComments: 'linked',
  logLevel: 'warning',
});

let js = '';
let css = '';
for (const [out, meta] of Object.entries(result.metafile.outputs)) {
  const name = path.basename(out);
  if (meta.entryPoint && name.endsWith('.js')) js = name;
  if (name.endsWith('.css')) css = name;
}
if (!js || !css) throw new Error('build: the bundle or its CSS is missing');
const template = await readFile(path.join(root, 'src/index.html'), 'utf8');
await writeFile(
  path.join(dist, 'index.html'),
  template.replace('%CSS%', `/assets/${css}`).replace('%JS%', `/assets/${js}`),
);
await copyFile(path.join(root, 'src/favicon.svg'), path.join(dist, 'favicon.svg'));
