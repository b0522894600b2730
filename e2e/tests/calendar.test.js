import { test } from "node:test";
import assert from "node:assert/strict";
import { useServer, openPage, screenshot, signIn } from "../lib/harness.js";

const ctx = useServer();

test("the 2026 calendar lists Tết, the swaps and the make-up Saturdays with their basis", async () => {
  const page = await openPage(ctx.browser);
  await page.goto(ctx.server.base + "/lich-nghi-le/2026");
  assert.match(await page.textContent("h1"), /Lịch nghỉ lễ, Tết năm 2026/);
  const text = await page.textContent("main");
  assert.match(text, /Bính Ngọ/);
  assert.match(text, /Lịch chính thức/);
  assert.match(text, /17\/02\/2026/);
  assert.match(text, /Thông báo số 9441\/TB-BNV/);
  assert.match(text, /10\/01\/2026/); // make-up Saturday
  assert.match(text, /22\/08\/2026/);
  await screenshot(page, "holidays-2026");
  assert.deepEqual(page.problems, []);
});

test("a year without an official calendar says so", async () => {
  const page = await openPage(ctx.browser);
  await page.goto(ctx.server.base + "/lich-nghi-le/2026");
  await page.click("text=Năm 2027 →");
  await page.waitForURL(/\/lich-nghi-le\/2027$/);
  assert.match(await page.textContent(".alert"), /chưa được công bố/);
  await screenshot(page, "holidays-2027");
});

test("the calculator gives the worked example's date, using only the keyboard", async () => {
  const page = await openPage(ctx.browser);
  await signIn(page, ctx.server, "motcua.tinh");
  await page.goto(ctx.server.base + "/can-bo/tinh-ngay-hen-tra");
  // The date field has focus on arrival, holding today: select it, type over, tab on.
  await page.waitForFunction(() => document.activeElement?.id === "date");
  await page.keyboard.press("Control+A");
  await page.keyboard.type("29/04/2026");
  await page.keyboard.press("Tab");
  await page.keyboard.type("16:00");
  await page.keyboard.press("Tab");
  await page.keyboard.type("3");
  await page.keyboard.press("Enter");
  await page.waitForSelector("#due");
  assert.equal((await page.textContent("#due")).trim(), "Thứ Tư, 06/05/2026 lúc 17:00");
  assert.match(await page.textContent(".result"), /sau giờ chốt/);
  await screenshot(page, "calculator-result");
  assert.deepEqual(page.problems, []);
});

test("the calculator works without JavaScript", async () => {
  const page = await openPage(ctx.browser, { javaScriptEnabled: false });
  await signIn(page, ctx.server, "motcua.tinh");
  await page.goto(ctx.server.base + "/can-bo/tinh-ngay-hen-tra");
  await page.fill("#date", "13/02/2026");
  await page.fill("#time", "09:00");
  await page.fill("#amount", "1");
  await page.click("main button[type=submit]");
  await page.waitForSelector("#due");
  assert.equal((await page.textContent("#due")).trim(), "Thứ Hai, 23/02/2026 lúc 17:00");
});

test("an impossible date is explained, in Vietnamese", async () => {
  const page = await openPage(ctx.browser);
  await signIn(page, ctx.server, "motcua.tinh");
  await page.goto(ctx.server.base + "/can-bo/tinh-ngay-hen-tra");
  await page.fill("#date", "30/02/2026");
  await page.fill("#amount", "3");
  await page.click("main button[type=submit]");
  await page.waitForSelector("#date-error");
  assert.match(await page.textContent("#date-error"), /Ngày “30\/02\/2026” không hợp lệ/);
  assert.equal(await page.inputValue("#amount"), "3");
});

test("a wrong amount is explained next to the field and nothing typed is lost", async () => {
  const page = await openPage(ctx.browser);
  await signIn(page, ctx.server, "motcua.tinh");
  await page.goto(ctx.server.base + "/can-bo/tinh-ngay-hen-tra");
  await page.fill("#date", "02/03/2026");
  await page.fill("#time", "10:15");
  await page.fill("#amount", "ba ngày");
  await page.click("main button[type=submit]");
  await page.waitForSelector("#amount-error");
  assert.match(await page.textContent("#amount-error"), /không phải là một con số/);
  assert.equal(await page.inputValue("#amount"), "ba ngày");
  assert.equal(await page.inputValue("#date"), "02/03/2026");
  assert.equal(await page.inputValue("#time"), "10:15");
  assert.equal(await page.getAttribute("#amount", "aria-invalid"), "true");
  await screenshot(page, "calculator-error");
});
