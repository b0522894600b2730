// Starts a real motcua server and a real headless chromium for a test.
//
// MOTCUA_BIN: the binary (default ../target/debug/motcua).
// E2E_DATABASE_URL: run on this database instead of a fresh SQLite file (CI uses PostgreSQL).
// CHROMIUM: the browser (default /usr/bin/chromium).
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import { chromium } from "playwright-core";
import { before, after } from "node:test";

const here = dirname(fileURLToPath(import.meta.url));
export const artifacts = resolve(here, "..", "artifacts");
mkdirSync(artifacts, { recursive: true });

export async function startServer() {
  const bin = process.env.MOTCUA_BIN ?? resolve(here, "..", "..", "target", "debug", "motcua");
  const dir = mkdtempSync(join(tmpdir(), "motcua-e2e-"));
  const env = { ...process.env, MOTCUA_LOG: "warn" };
  for (const key of Object.keys(env)) if (key.startsWith("MOTCUA_") && key !== "MOTCUA_LOG") delete env[key];
  // On PostgreSQL each server gets a schema of its own, so test files never see each other's data.
  let schema = null;
  const pgUrl = process.env.E2E_DATABASE_URL;
  if (pgUrl) {
    schema = `e2e_${process.pid}_${Date.now()}`;
    execFileSync("psql", [pgUrl, "-qc", `CREATE SCHEMA ${schema}`]);
    env.MOTCUA_DATABASE_URL = `${pgUrl}${pgUrl.includes("?") ? "&" : "?"}options[search_path]=${schema}`;
  }
  const child = spawn(bin, ["serve", "--listen", "127.0.0.1:0"], { cwd: dir, env, stdio: ["ignore", "pipe", "inherit"] });
  // The demo province loads on first start and prints the accounts' initial password.
  let initialPassword = null;
  // The demo dossiers it prints to look up: code, lookup secret and status, returned ones first.
  const examples = [];
  const base = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error("motcua did not start within 30 s")), 30_000);
    child.on("exit", (code) => fail(new Error(`motcua exited with ${code} before serving`)));
    createInterface({ input: child.stdout }).on("line", (line) => {
      const password = line.match(/^Mật khẩu ban đầu: (\S+)/);
      if (password) initialPassword = password[1];
      const example = line.match(/^\s+(\S+-\d{6}-\d+)\s+([A-Z0-9]{12})\s+(.+)$/);
      if (example) examples.push({ code: example[1], secret: example[2], status: example[3].trim() });
      const match = line.match(/^motcua serves (http:\/\/\S+)/);
      if (match) {
        clearTimeout(timer);
        ok(match[1]);
      }
    });
  });
  return {
    base,
    initialPassword,
    examples,
    /** The password each demo account has now (after its forced change). */
    passwords: new Map(),
    async stop() {
      const exited = new Promise((ok) => child.on("exit", ok));
      child.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
      if (schema) execFileSync("psql", [pgUrl, "-qc", `DROP SCHEMA ${schema} CASCADE`]);
    },
  };
}

/**
 * A server and a browser for the tests of one file: started before them, stopped after. Read
 * `ctx.server` and `ctx.browser` inside the tests.
 */
export function useServer() {
  const ctx = {};
  before(async () => {
    ctx.server = await startServer();
    ctx.browser = await launchBrowser();
  });
  after(async () => {
    await ctx.browser?.close();
    await ctx.server?.stop();
  });
  return ctx;
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
}

// A page that records console errors and failed requests, so a test can assert there were
// none (a Content-Security-Policy violation shows up as a console error).
export async function openPage(browser, options = {}) {
  const context = await browser.newContext({ locale: "vi-VN", timezoneId: "Asia/Ho_Chi_Minh", ...options });
  const page = await context.newPage();
  page.problems = [];
  page.on("console", (msg) => {
    // A form answered 422 (validation messages) is logged by the browser; it is not a fault.
    if (msg.type() === "error" && !/status of 422/.test(msg.text())) page.problems.push(`console: ${msg.text()}`);
  });
  page.on("pageerror", (err) => page.problems.push(`page error: ${err.message}`));
  page.on("requestfailed", (req) => {
    // A request cut short because the page navigated away is not a failure of the server.
    if (req.failure()?.errorText !== "net::ERR_ABORTED") page.problems.push(`request failed: ${req.url()}`);
  });
  return page;
}

export async function screenshot(page, name) {
  const path = join(artifacts, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** A password that passes the policy, for demo accounts after their forced change. */
export const NEW_PASSWORD = "Hồ sơ đúng hạn, dân hài lòng";

/**
 * Signs in as a demo account in `page`. The first time, the initial password must be changed:
 * do it, as a new officer would, and remember the new one.
 */
export async function signIn(page, server, login) {
  await page.goto(server.base + "/dang-nhap");
  await page.fill("#login", login);
  await page.fill("#password", server.passwords.get(login) ?? server.initialPassword);
  await page.click("main button[type=submit]");
  await page.waitForLoadState();
  if (new URL(page.url()).pathname === "/doi-mat-khau") {
    await page.fill("#current", server.initialPassword);
    await page.fill("#new", NEW_PASSWORD);
    await page.fill("#repeat", NEW_PASSWORD);
    await page.click("main button[type=submit]");
    await page.waitForURL(/\/can-bo$/);
    server.passwords.set(login, NEW_PASSWORD);
  }
}

/**
 * Sends the action `label` on a dossier's page and waits until its own answer shows: the page's
 * region is swapped in place (htmx) or the page reloads, so a message left by an earlier action
 * must not be taken for this one's.
 */
export async function actOnDossier(page, label, fill = {}) {
  await page.evaluate(() =>
    document.querySelectorAll("#done").forEach((e) => e.setAttribute("data-earlier", "")),
  );
  await page.click(`#actions summary:has-text("${label}")`);
  const form = page.locator("#actions details[open] form");
  for (const [name, value] of Object.entries(fill)) await form.locator(`[name=${name}]`).fill(value);
  await form.locator("button[type=submit]").click();
  await page.waitForSelector("#done:not([data-earlier])");
}
