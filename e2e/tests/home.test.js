import { test } from "node:test";
import assert from "node:assert/strict";
import { useServer, openPage, screenshot } from "../lib/harness.js";

const ctx = useServer();

test("the home page is in Vietnamese and loads cleanly", async () => {
  const page = await openPage(ctx.browser);
  const response = await page.goto(ctx.server.base + "/");
  assert.equal(response.status(), 200);
  assert.equal(await page.getAttribute("html", "lang"), "vi");
  assert.match(await page.title(), /Trang chủ/);
  assert.equal(await page.textContent("h1"), "Dịch vụ công một cửa");
  // htmx loaded from our own origin, under the CSP, with no errors.
  await page.waitForFunction(() => typeof window.htmx === "object");
  await screenshot(page, "home");
  assert.deepEqual(page.problems, []);
});

test("the home page works on a phone-sized screen", async () => {
  const page = await openPage(ctx.browser, { viewport: { width: 390, height: 844 } });
  await page.goto(ctx.server.base + "/");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  assert.equal(overflow, false, "the page scrolls sideways on a phone");
  await screenshot(page, "home-phone");
  assert.deepEqual(page.problems, []);
});

test("an unknown address gets the Vietnamese not-found page", async () => {
  const page = await openPage(ctx.browser);
  const response = await page.goto(ctx.server.base + "/khong-co");
  assert.equal(response.status(), 404);
  assert.equal(await page.textContent("h1"), "Không tìm thấy trang");
  await screenshot(page, "not-found");
});
