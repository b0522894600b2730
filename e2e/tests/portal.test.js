import { test } from "node:test";
import assert from "node:assert/strict";
import { useServer, openPage, screenshot } from "../lib/harness.js";

const ctx = useServer();

test("a citizen finds a procedure without diacritics and reads what to bring", async () => {
  const page = await openPage(ctx.browser);
  await page.goto(ctx.server.base + "/");
  await page.fill("#q", "cap giay phep xay dung nha o rieng le");
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/thu-tuc\?q=/);
  const first = page.locator(".procedure-list li a").first();
  assert.equal((await first.textContent()).trim(), "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ");
  await screenshot(page, "catalogue-search");
  await first.click();
  await page.waitForSelector("#components");
  assert.match(await page.textContent("h1"), /Cấp giấy phép xây dựng mới/);
  assert.ok((await page.locator("#components tbody tr").count()) >= 2, "the documents to bring are listed");
  assert.match(await page.textContent("#methods"), /ngày làm việc/);
  await screenshot(page, "catalogue-procedure");
  assert.deepEqual(page.problems, []);
});

test("the same list with and without diacritics, and facets that narrow it", async () => {
  const page = await openPage(ctx.browser);
  const names = async (q) => {
    await page.goto(ctx.server.base + "/thu-tuc?q=" + encodeURIComponent(q));
    return page.locator(".procedure-list li a").allTextContents();
  };
  const plain = await names("dang ky khai sinh");
  assert.ok(plain.length >= 3);
  assert.deepEqual(await names("đăng ký khai sinh"), plain);
  await page.goto(ctx.server.base + "/thu-tuc?q=" + encodeURIComponent("đăng ký khai sinh"));
  await page.click(".facets >> text=Trực tuyến toàn trình");
  const narrowed = await page.locator(".procedure-list li a").count();
  assert.ok(narrowed >= 1 && narrowed <= plain.length);
  assert.match(await page.textContent("#total"), /đang lọc/);
  // Browse by agency: the construction department's permits only.
  await page.goto(ctx.server.base + "/thu-tuc?q=giay+phep");
  const all = await page.locator(".procedure-list li").count();
  await page.click(".facets >> text=Sở Xây dựng");
  const byAgency = await page.locator(".procedure-list li a").count();
  assert.ok(byAgency >= 1 && byAgency < all, `${byAgency} of ${all}`);
  await page.locator(".procedure-list li a").last().click();
  assert.match(await page.textContent("main"), /Sở Xây dựng/);
});

test("the catalogue works on a phone", async () => {
  const page = await openPage(ctx.browser, { viewport: { width: 390, height: 844 } });
  await page.goto(ctx.server.base + "/thu-tuc?q=dat+dai");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  assert.equal(overflow, false);
  await screenshot(page, "catalogue-phone");
});
