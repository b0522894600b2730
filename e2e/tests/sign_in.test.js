import { test } from "node:test";
import assert from "node:assert/strict";
import { useServer, openPage, screenshot, NEW_PASSWORD } from "../lib/harness.js";

const ctx = useServer();

test("a staff page asks to sign in, and returns there afterwards", async () => {
  const page = await openPage(ctx.browser);
  await page.goto(ctx.server.base + "/can-bo/to-chuc");
  assert.equal(new URL(page.url()).pathname, "/dang-nhap");
  await screenshot(page, "sign-in");
  assert.deepEqual(page.problems, []);
});

test("a wrong password is refused in Vietnamese and the login is kept", async () => {
  const page = await openPage(ctx.browser);
  await page.goto(ctx.server.base + "/dang-nhap");
  await page.fill("#login", "thanhtra");
  await page.fill("#password", "không phải mật khẩu");
  await page.click("main button[type=submit]");
  await page.waitForSelector("#sign-in-error");
  assert.equal((await page.textContent("#sign-in-error")).trim(), "Tên đăng nhập hoặc mật khẩu không đúng.");
  assert.equal(await page.inputValue("#login"), "thanhtra");
  await screenshot(page, "sign-in-wrong");
});

test("the first sign-in forces a new password, then the staff home opens", async () => {
  const page = await openPage(ctx.browser);
  await page.goto(ctx.server.base + "/can-bo/to-chuc");
  await page.fill("#login", "lanhdao.minhson");
  await page.fill("#password", ctx.server.initialPassword);
  await page.click("main button[type=submit]");
  await page.waitForURL(/\/doi-mat-khau$/);
  assert.match(await page.textContent(".alert"), /mật khẩu ban đầu/);
  await screenshot(page, "forced-password-change");
  // A weak password is explained and refused.
  await page.fill("#current", ctx.server.initialPassword);
  await page.fill("#new", "1234567890");
  await page.fill("#repeat", "1234567890");
  await page.click("main button[type=submit]");
  await page.waitForSelector("#new-error");
  assert.match(await page.textContent("#new-error"), /phổ biến/);
  await page.fill("#current", ctx.server.initialPassword);
  await page.fill("#new", NEW_PASSWORD);
  await page.fill("#repeat", NEW_PASSWORD);
  await page.click("main button[type=submit]");
  await page.waitForURL(/\/can-bo$/);
  assert.match(await page.textContent("h1"), /Xin chào, Lý Minh Châu/);
  assert.match(await page.textContent("main"), /Lãnh đạo phê duyệt/);
  await screenshot(page, "staff-home");
  // The organisation before the 2025 reform shows the districts.
  await page.goto(ctx.server.base + "/can-bo/to-chuc?ngay=30/06/2025");
  assert.match(await page.textContent("#units"), /Huyện Sơn Hà/);
  await page.goto(ctx.server.base + "/can-bo/to-chuc?ngay=01/07/2025");
  assert.doesNotMatch(await page.textContent("#units"), /Huyện Sơn Hà/);
  assert.match(await page.textContent("#agencies"), /H99\.31/);
  await screenshot(page, "organisation");
  // Signing out ends the session.
  await page.click("text=Đăng xuất");
  await page.waitForURL(ctx.server.base + "/");
  await page.goto(ctx.server.base + "/can-bo");
  assert.equal(new URL(page.url()).pathname, "/dang-nhap");
  assert.deepEqual(page.problems, []);
});
