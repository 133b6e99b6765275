// harness.mjs — what the browser tests share: a real `ordo serve` on a free loopback port with
// a temporary database (as tests/support/server.c does for the C tests), an admin API key and
// console users made with the CLI, a JSON client for the API, and Debian's chromium driven by
// playwright-core (headless, no sandbox, background networking off, a fresh profile).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(path.join(repo, 'web/package.json'));
const { chromium } = require('playwright-core');

export const ORDO = process.env.ORDO_BIN || path.join(repo, 'build/san/ordo');
export const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
export const SCREENS = path.join(repo, 'build/web-screens');

export class Server {
  constructor() {
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'ordo-web-'));
    this.db = path.join(this.dir, 'ordo.db');
    this.proc = null;
    this.base = null;
    this.stderr = '';
  }

  cli(args, input) {
    const res = spawnSync(ORDO, [...args, '--db', this.db], { input, encoding: 'utf8' });
    if (res.status !== 0) throw new Error(`ordo ${args.join(' ')}: exit ${res.status}: ${res.stderr}`);
    return res.stdout;
  }

  keyCreate(role) {
    const lines = this.cli(['key', 'create', '--role', role]).trim().split('\n');
    return lines[lines.length - 1].trim().split(/\s+/).pop();
  }

  userCreate(email, role, password, scopeArgs = []) {
    this.cli(['user', 'create', '--email', email, '--role', role, ...scopeArgs, '--password-stdin'], `${password}\n`);
  }

  async start() {
    this.proc = spawn(ORDO, ['serve', '--db', this.db, '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc.stderr.on('data', (d) => { this.stderr += d; });
    this.base = await new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`ordo serve did not start: ${this.stderr}`)), 30000);
      this.proc.stdout.on('data', (d) => {
        out += d;
        const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      this.proc.on('exit', (code) => reject(new Error(`ordo serve exited ${code}: ${this.stderr}`)));
    });
  }

  // Stops with SIGTERM; the exit status must be 0 (a sanitizer report would make it fail).
  async stop() {
    if (!this.proc) return 0;
    const code = await new Promise((resolve) => {
      this.proc.on('exit', (c, signal) => resolve(c === null ? `signal ${signal}` : c));
      this.proc.kill('SIGTERM');
    });
    this.proc = null;
    return code;
  }

  cleanup() {
    if (this.proc) this.proc.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

// The API with an API key: api('POST', '/v1/orders', {...}) → parsed JSON; throws on an
// unexpected status.
export function apiClient(base, key) {
  return async (method, p, body, want) => {
    const res = await fetch(base + p, {
      method,
      headers: { Authorization: `Bearer ${key}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    const ok = want ? res.status === want : res.ok;
    if (!ok) throw new Error(`${method} ${p}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
}

// Chromium with a fresh profile directory (Playwright takes it as launchPersistentContext's
// userDataDir, which is how --user-data-dir reaches the browser).
export async function launch() {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'ordo-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-default-apps', '--disable-extensions',
    ],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export function screensDir() {
  mkdirSync(SCREENS, { recursive: true });
  return SCREENS;
}
