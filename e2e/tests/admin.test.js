import { test } from "node:test";
import assert from "node:assert/strict";
import { useServer, openPage, screenshot, signIn } from "../lib/harness.js";

const ctx = useServer();

test("the administrator merges two communes with the wizard", async () => {
  const page = await openPage(ctx.browser);
  await signIn(page, ctx.server, "quantri");
  await page.goto(ctx.server.base + "/can-bo/to-chuc");
  await page.click("text=Sắp xếp đơn vị hành chính");
  await page.waitForURL(/\/can-bo\/quan-tri\/sap-nhap$/);
  await page.check("label:has-text('Xã An Thịnh') input");
  await page.check("label:has-text('Xã Thanh Lương') input");
  await page.fill("#ten", "Xã An Lương");
  await page.fill("#ma", "99221");
  await page.fill("#ngay", "01/01/2026");
  await page.fill("#ma_dinh_danh", "H99.51");
  await screenshot(page, "merge-step-1");
  await page.click("main button[type=submit]");
  await page.waitForSelector("#merge-review");
  const review = await page.textContent("#merge-review");
  assert.match(review, /Xã An Thịnh, Xã Thanh Lương thôi tồn tại/);
  assert.match(review, /Ủy ban nhân dân xã An Lương, mã định danh H99\.51/);
  await screenshot(page, "merge-step-2");
  await page.click("#merge-review button[type=submit]");
  await page.waitForSelector("#merge-done");
  assert.match(await page.textContent("#merge-done"), /Đã sắp xếp thành Xã An Lương từ ngày 01\/01\/2026/);
  await screenshot(page, "merge-done");
  await page.goto(ctx.server.base + "/can-bo/to-chuc?ngay=01/01/2026");
  const units = await page.textContent("#units");
  assert.match(units, /Xã An Lương/);
  assert.doesNotMatch(units, /Xã An Thịnh/);
  await page.goto(ctx.server.base + "/can-bo/to-chuc?ngay=31/12/2025");
  assert.match(await page.textContent("#units"), /Xã An Thịnh/);
  assert.deepEqual(page.problems, []);
});

test("the administrator adds an officer, who then signs in with the initial password", async () => {
  const page = await openPage(ctx.browser);
  await signIn(page, ctx.server, "quantri");
  await page.goto(ctx.server.base + "/can-bo/quan-tri/can-bo");
  await page.fill("#login", "motcua.moi");
  await page.fill("#full_name", "Trịnh Văn Mới");
  await page.selectOption("#agency_id", { label: "H99.01.50 – Trung tâm Phục vụ hành chính công tỉnh" });
  await page.selectOption("#role", "desk_officer");
  await page.click("main form[action='/can-bo/quan-tri/can-bo'] button[type=submit]");
  await page.waitForSelector("#initial-password");
  const password = (await page.textContent("#initial-password code")).trim();
  assert.match(password, /^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
  await screenshot(page, "admin-staff");
  const other = await openPage(ctx.browser);
  await other.goto(ctx.server.base + "/dang-nhap");
  await other.fill("#login", "motcua.moi");
  await other.fill("#password", password);
  await other.click("main button[type=submit]");
  await other.waitForURL(/\/doi-mat-khau$/);
});

test("the auditor reads the log; a desk officer may not", async () => {
  const page = await openPage(ctx.browser);
  await signIn(page, ctx.server, "thanhtra");
  await page.goto(ctx.server.base + "/can-bo/quan-tri/nhat-ky");
  assert.match(await page.textContent("#audit"), /Đổi mật khẩu/);
  await screenshot(page, "audit-log");
  const desk = await openPage(ctx.browser);
  await signIn(desk, ctx.server, "motcua.tinh");
  const response = await desk.goto(ctx.server.base + "/can-bo/quan-tri/nhat-ky");
  assert.equal(response.status(), 403);
  assert.match(await desk.textContent("h1"), /Không có quyền truy cập/);
});
