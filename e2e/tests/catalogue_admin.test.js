import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { useServer, openPage, screenshot, signIn } from "../lib/harness.js";

const ctx = useServer();
// Đăng ký khai sinh at commune level: a sample procedure with no fee.
const CODE = "MS.HT.001";
// Today in Vietnam, as typed on screen.
const today = new Intl.DateTimeFormat("en-GB", { timeZone: "Asia/Ho_Chi_Minh" }).format(new Date());

test("a controller edits, previews and publishes a new version, which the portal shows", async () => {
  const page = await openPage(ctx.browser);
  await signIn(page, ctx.server, "kiemsoat.vp");
  await page.click("nav >> text=Danh mục TTHC");
  await page.waitForURL(/\/can-bo\/thu-tuc$/);
  await page.fill("#q", "dang ky khai sinh");
  await page.click("main form button[type=submit]");
  await page.click(`#catalogue >> text=${CODE}`);
  await page.waitForSelector("#versions");
  await screenshot(page, "catalogue-admin-procedure");
  const name = (await page.textContent("h1")).trim();
  await page.click("#edit");
  await page.waitForSelector("#procedure-form");
  assert.match(await page.textContent("#based-on"), /lưu sẽ tạo bản nháp phiên bản mới/);

  // A fee that is not a number is refused next to its field, and what was typed stays.
  await page.fill("input[name='methods[0].fee']", "tám nghìn");
  await page.click("#save");
  await page.waitForSelector("#form-errors");
  assert.equal(await page.inputValue("input[name='methods[0].fee']"), "tám nghìn");
  assert.match(await page.textContent("#methods-edit"), /không phải số tiền/);
  await screenshot(page, "catalogue-admin-edit-error");

  // A fee, a new document and a note; the preview shows the public page as it will be.
  await page.fill("input[name='methods[0].fee']", "8.000");
  const blank = page.locator("#components-edit textarea[name$='.name']").filter({ hasText: /^$/ }).first();
  const blankName = await blank.getAttribute("name");
  await blank.fill("Phiếu thông tin bổ sung về trẻ");
  await page.fill(`input[name='${blankName.replace(".name", ".originals")}']`, "1");
  await page.fill("#pub-number", "Quyết định số 2001/QĐ-UBND");
  await page.fill("#pub-date", today);
  await page.fill("#note", "Thu lệ phí 8.000 đồng; thêm phiếu thông tin về trẻ");
  await page.click("#preview-button");
  await page.waitForSelector("#preview");
  const preview = await page.textContent("#preview");
  assert.match(preview, /8\.000 đồng/);
  assert.match(preview, /Phiếu thông tin bổ sung về trẻ/);
  await screenshot(page, "catalogue-admin-preview");

  // The portal still shows the version in force until the draft is published.
  await page.click("#save");
  await page.waitForSelector("#saved");
  assert.match(await page.textContent("#versions"), /Bản nháp/);
  const diff = await page.textContent("#diff");
  assert.match(diff, /Phiếu thông tin bổ sung về trẻ/);
  assert.match(diff, /8\.000 đồng/);
  await screenshot(page, "catalogue-admin-draft");
  const citizen = await openPage(ctx.browser);
  await citizen.goto(`${ctx.server.base}/thu-tuc/${CODE}`);
  assert.doesNotMatch(await citizen.textContent("#components"), /Phiếu thông tin bổ sung về trẻ/);

  // A day before today is refused; today publishes it.
  await page.fill("#publish-from", "01/01/2020");
  await page.click("#publish button[type=submit]");
  await page.waitForSelector("#errors");
  assert.match(await page.textContent("#errors"), /không thể trước hôm nay/);
  await page.fill("#publish-from", today);
  await page.click("#publish button[type=submit]");
  await page.waitForSelector("#saved");
  assert.match(await page.textContent("#versions"), /Đang có hiệu lực/);

  await citizen.goto(`${ctx.server.base}/thu-tuc/${CODE}`);
  assert.equal((await citizen.textContent("h1")).trim(), name);
  assert.match(await citizen.textContent("#components"), /Phiếu thông tin bổ sung về trẻ/);
  assert.match(await citizen.textContent("#methods"), /8\.000 đồng/);
  assert.match(await citizen.textContent("#updated"), /phiên bản 2/);
  await screenshot(citizen, "catalogue-admin-published");
  assert.deepEqual(page.problems, []);
  assert.deepEqual(citizen.problems, []);
});

test("a form's template file is uploaded and downloaded from the portal", async () => {
  const page = await openPage(ctx.browser);
  await signIn(page, ctx.server, "kiemsoat.vp");
  await page.goto(`${ctx.server.base}/can-bo/thu-tuc/${CODE}`);
  const row = page.locator("#forms tbody tr").first();
  const form = (await row.locator("td").first().textContent()).trim();
  const file = join(tmpdir(), "to-khai-khai-sinh.pdf");
  writeFileSync(file, "%PDF-1.4\n% mẫu tờ khai\n");
  await row.locator("input[type=file]").setInputFiles(file);
  await row.locator("button[type=submit]").click();
  await page.waitForSelector("#saved");
  assert.match(await page.textContent("#forms"), /to-khai-khai-sinh\.pdf/);
  // A page uploaded as a form is refused.
  const html = join(tmpdir(), "trang.html");
  writeFileSync(html, "<script>alert(1)</script>");
  await page.locator("#forms tbody tr").first().locator("input[type=file]").setInputFiles(html);
  await page.locator("#forms tbody tr").first().locator("button[type=submit]").click();
  await page.waitForSelector("#errors");
  assert.match(await page.textContent("#errors"), /chỉ nhận PDF/);

  const citizen = await openPage(ctx.browser);
  await citizen.goto(`${ctx.server.base}/thu-tuc/${CODE}`);
  const link = citizen.locator(`#components a:has-text('to-khai-khai-sinh.pdf')`);
  assert.match(await citizen.textContent("#components"), new RegExp(form.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
  const [download] = await Promise.all([citizen.waitForEvent("download"), link.click()]);
  assert.equal(download.suggestedFilename(), "to-khai-khai-sinh.pdf");
});

test("publication deadlines are tracked with warnings", async () => {
  const page = await openPage(ctx.browser);
  await signIn(page, ctx.server, "kiemsoat.vp");
  await page.goto(`${ctx.server.base}/can-bo/thu-tuc/han-cong-bo`);
  // The demo's catalogue is entered in the national database; the version published above is
  // not, and its entry is due within five working days.
  await page.waitForSelector("#deadlines");
  const table = await page.textContent("#deadlines");
  assert.match(table, new RegExp(CODE));
  assert.match(table, /Nhập Cơ sở dữ liệu quốc gia/);
  assert.match(table, /Còn \d+ ngày làm việc/);
  await screenshot(page, "catalogue-admin-deadlines");
  const row = page.locator("#deadlines tbody tr", { hasText: CODE });
  await row.locator("input[name=ngay]").fill(today);
  await row.locator("button[type=submit]").click();
  await page.waitForSelector("#saved");
  await page.goto(`${ctx.server.base}/can-bo/thu-tuc/han-cong-bo`);
  assert.match(await page.textContent("main"), /Không có hạn nào đang mở/);
});

test("the catalogue goes out as a workbook and comes back; a bad file imports nothing", async () => {
  const page = await openPage(ctx.browser);
  await signIn(page, ctx.server, "kiemsoat.vp");
  await page.goto(`${ctx.server.base}/can-bo/thu-tuc`);
  await page.click("text=Nhập, xuất tệp");
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.click("#downloads >> text=Danh mục đang có hiệu lực (Excel .xlsx)"),
  ]);
  assert.match(download.suggestedFilename(), /^danh-muc-thu-tuc-\d{4}-\d{2}-\d{2}\.xlsx$/);
  const workbook = join(tmpdir(), "danh-muc.xlsx");
  await download.saveAs(workbook);

  // A catalogue naming an unknown sector and a negative fee: every problem, nothing written.
  const bad = join(tmpdir(), "sai.json");
  writeFileSync(bad, JSON.stringify({
    format: "motcua-catalogue/1", sectors: [{ code: "HT", name: "Hộ tịch" }],
    procedures: [{
      code: "MS.X.1", name: "Thủ tục thử", sector: "ZZ", level: "commune",
      publication: { number: "QĐ 1", date: "2026-01-01" }, implementing_agency: "commune",
      competent_agency: "commune", methods: [{ channel: "counter", amount: "3", unit: "working_days", fee: -5 }],
      components: [{ name: "Tờ khai", originals: 1, copies: 0 }], online: "partial",
      counting: { count_receipt_day: false, cutoff_applies: true },
    }],
  }));
  await page.setInputFiles("#file", bad);
  await page.click("main form button[type=submit]");
  await page.waitForSelector("#problems");
  const problems = await page.textContent("#problems");
  assert.match(problems, /không có lĩnh vực “ZZ”/);
  assert.match(problems, /phí, lệ phí không thể âm/);
  await screenshot(page, "catalogue-admin-import-errors");

  await page.setInputFiles("#file", workbook);
  await page.click("main form button[type=submit]");
  await page.waitForSelector("#imported");
  assert.match(await page.textContent("#imported"), /Đã nhập 206 thủ tục/);
  assert.deepEqual(page.problems, []);
});

test("sectors are added and renamed by code; a bad code is explained", async () => {
  const page = await openPage(ctx.browser);
  await signIn(page, ctx.server, "kiemsoat.vp");
  await page.goto(`${ctx.server.base}/can-bo/thu-tuc`);
  await page.click("text=Lĩnh vực");
  await page.fill("#code", "Đ D");
  await page.fill("#name", "Đất đai");
  await page.click("#sector-form button[type=submit]");
  await page.waitForSelector(".field-error");
  assert.match(await page.textContent("#sector-form"), /chữ cái không dấu/);
  assert.equal(await page.inputValue("#code"), "Đ D");
  await page.fill("#code", "tc");
  await page.fill("#name", "Tài chính, ngân sách");
  await page.click("#sector-form button[type=submit]");
  await page.waitForSelector("#saved");
  const row = page.locator("#sectors tr", { hasText: "Tài chính, ngân sách" });
  assert.equal((await row.locator("td").first().textContent()).trim(), "TC");
  assert.ok(Number(await row.locator("td").last().textContent()) > 0, "its procedures keep it");
  await screenshot(page, "catalogue-admin-sectors");
});
