// run.mjs — the browser tests of the web console (issue 8), run by scripts/run-tests.sh:
//   node tests/web/run.mjs
// One `ordo serve` (build/san/ordo, or $ORDO_BIN) on a temporary database serves every test;
// each test gets a fresh page (cookies cleared) and fails on any console error or uncaught
// exception it did not expect. Screenshots go to build/web-screens/. Prints "ok - NAME" or
// "not ok - NAME" per test and ends with "web: N passed, M failed"; exits 1 on a failure.
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { apiClient, launch, screensDir, Server } from './harness.mjs';
import { tests as roundOne, seed } from './console.test.mjs';
import { tests as roundTwo, seedRound2 } from './round2.test.mjs';

const tests = [...roundOne, ...roundTwo];

const only = process.env.TEST_FILTER_WEB || '';
const server = new Server();
let browser = null;
let passed = 0;
let failed = 0;

async function runOne(t, env) {
  const page = await browser.context.newPage();
  const problems = [];
  const expected = t.expectConsole || [];
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const text = msg.text();
    if (!expected.some((re) => re.test(text))) problems.push(`console error: ${text}`);
  });
  page.on('pageerror', (err) => problems.push(`uncaught: ${err.message}`));
  try {
    await t.run({ ...env, page, shot: (name) => page.screenshot({ path: path.join(env.screens, `${name}.png`), fullPage: true }) });
    if (problems.length > 0) throw new Error(problems.join('\n'));
    console.log(`ok - ${t.name}`);
    passed++;
  } catch (e) {
    console.log(`not ok - ${t.name}\n  ${String(e && e.stack ? e.stack : e).split('\n').join('\n  ')}`);
    if (problems.length > 0) console.log(`  ${problems.join('\n  ')}`);
    await page.screenshot({ path: path.join(env.screens, `FAILED-${t.name}.png`), fullPage: true }).catch(() => {});
    failed++;
  } finally {
    await page.close();
    await browser.context.clearCookies();
  }
}

// Screenshots of failures from an earlier run would say something untrue about this one.
for (const f of readdirSync(screensDir())) if (f.startsWith('FAILED-')) rmSync(path.join(screensDir(), f));

try {
  await server.start();
  const key = server.keyCreate('admin');
  const api = apiClient(server.base, key);
  const env = { base: server.base, api, server, screens: screensDir(), data: await seed(server, api) };
  await seedRound2(server);
  browser = await launch();
  for (const t of tests) {
    if (only && !t.name.includes(only)) continue;
    await runOne(t, env);
  }
} catch (e) {
  console.log(`not ok - setup\n  ${e && e.stack ? e.stack : e}`);
  failed++;
} finally {
  if (browser) await browser.close().catch(() => {});
  const code = await server.stop().catch((e) => String(e));
  if (code !== 0) {
    console.log(`not ok - ordo serve exited cleanly (exit ${code})\n  ${server.stderr.slice(-4000)}`);
    failed++;
  }
  server.cleanup();
}
console.log(`web: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
