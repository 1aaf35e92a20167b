// Browser test: the classic Jupyter Notebook server (Debian's) on loopback, Debian's chromium driven headless with
// playwright-core, opens a notebook, runs every cell, and asserts that <img> elements with PNG data appear and that
// no cell failed. The full-page screenshot is kept as a test artifact.
//
//   node run-notebook.mjs --notebook ../../01-getting-started.ipynb --out ../../../target/notebook-test/browser \
//        [--kernel easel] [--min-images 4] [--timeout 900]
//
// The kernelspec must be installed where the server looks (JUPYTER_DATA_DIR is passed through).
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { basename, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const notebook = resolve(option('notebook', '../../01-getting-started.ipynb'));
const out = resolve(option('out', '../../../target/notebook-test/browser'));
const kernel = option('kernel', 'easel');
const minImages = Number(option('min-images', '4'));
const timeoutMs = Number(option('timeout', '900')) * 1000;
const chromiumPath = option('chromium', '/usr/bin/chromium');
const jupyter = option('jupyter', '/usr/bin/jupyter');

const work = join(out, 'work');
mkdirSync(work, { recursive: true });
const name = basename(notebook);
// The copy asks for the kernel under test: a notebook naming a kernelspec the server lacks stops at a
// "kernel not found" dialog instead of running.
const document = JSON.parse(readFileSync(notebook, 'utf8'));
document.metadata = document.metadata || {};
document.metadata.kernelspec = { ...(document.metadata.kernelspec || {}), name: kernel };
writeFileSync(join(work, name), JSON.stringify(document, null, 1));

function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.unref();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}

// The classic notebook scrolls inside #site; let the page grow so a full-page screenshot shows every cell.
async function unscroll(p) {
  await p.evaluate(() => {
    const site = document.getElementById('site');
    if (site) {
      site.style.height = 'auto';
      site.style.overflow = 'visible';
    }
    document.body.style.overflow = 'visible';
    document.body.style.height = 'auto';
  }).catch(() => {});
}

async function waitForServer(url, deadline) {
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.ok) {
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the notebook server did not answer at ${url}`);
}

const port = await freePort();
const token = randomBytes(16).toString('hex');
const serverLog = [];
const server = spawn(jupyter, ['notebook', '--no-browser', '--ip=127.0.0.1', `--port=${port}`,
  `--NotebookApp.token=${token}`, '--NotebookApp.open_browser=False', `--notebook-dir=${work}`,
  `--MappingKernelManager.default_kernel_name=${kernel}`, ...(process.getuid && process.getuid() === 0 ? ['--allow-root'] : [])],
  { cwd: work, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
server.stdout.on('data', (d) => serverLog.push(d.toString()));
server.stderr.on('data', (d) => serverLog.push(d.toString()));

let browser;
let page;
let screenshotTaken = false;
let failure;
const started = Date.now();
try {
  await waitForServer(`http://127.0.0.1:${port}/api?token=${token}`, Date.now() + 60_000);
  browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(timeoutMs);
  await page.goto(`http://127.0.0.1:${port}/notebooks/${encodeURIComponent(name)}?token=${token}`);
  await page.waitForFunction(() => window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel
    && Jupyter.notebook.kernel.is_connected());
  await page.evaluate(() => Jupyter.notebook.execute_all_cells());
  // Done when every code cell has its execution number and the kernel is idle.
  await page.waitForFunction(() => {
    const cells = Jupyter.notebook.get_cells().filter((c) => c.cell_type === 'code');
    const ran = cells.every((c) => typeof c.input_prompt_number === 'number');
    const idle = document.querySelector('#kernel_indicator_icon.kernel_idle_icon') !== null;
    return ran && idle;
  }, null, { polling: 500 });

  const images = await page.$$eval('.output_area img', (imgs) => imgs
    .filter((img) => img.src.startsWith('data:image/png;base64,'))
    .map((img) => ({ width: img.naturalWidth, height: img.naturalHeight })));
  const errors = await page.$$eval('.output_area .output_error, .output_area pre.output_error',
    (nodes) => nodes.map((n) => n.innerText.split('\n')[0]));
  await unscroll(page);
  await page.screenshot({ path: join(out, 'getting-started.png'), fullPage: true });
  screenshotTaken = true;

  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`${name}: ${images.length} PNG <img> elements (${images.map((i) => `${i.width}x${i.height}`).join(', ')}),`
    + ` ${errors.length} errors, ${seconds} s; screenshot ${join(out, 'getting-started.png')}`);
  if (errors.length > 0) {
    failure = `cells failed: ${errors.join(' | ')}`;
  } else if (images.length < minImages) {
    failure = `expected at least ${minImages} PNG images, found ${images.length}`;
  } else if (images.some((i) => i.width === 0 || i.height === 0)) {
    failure = 'an image did not decode (zero size)';
  }
} catch (error) {
  failure = error.message.split('\n')[0];
} finally {
  if (page && !screenshotTaken) {
    await unscroll(page);
    await page.screenshot({ path: join(out, 'getting-started.png'), fullPage: true }).catch(() => {});
  }
  if (browser) {
    await browser.close();
  }
  server.kill('SIGTERM');
  writeFileSync(join(out, 'notebook-server.log'), serverLog.join(''));
}
if (failure) {
  console.error(`FAILED: ${failure} (server log: ${join(out, 'notebook-server.log')})`);
  process.exit(1);
}
