import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { useServer, openPage, screenshot, signIn, artifacts } from "../lib/harness.js";

const ctx = useServer();

/** Fetches a link of the page with the page's session: status, type and body. */
async function follow(page, selector) {
  const href = await page.getAttribute(selector, "href");
  assert.ok(href, `${selector} has no link`);
  const response = await page.request.get(new URL(href, page.url()).toString());
  return { status: response.status(), type: response.headers()["content-type"], body: await response.body() };
}

/** Keeps a PDF beside the screenshots, with its first page drawn, and returns its text. */
function keep(name, body) {
  const file = join(artifacts, `${name}.pdf`);
  writeFileSync(file, body);
  execFileSync("pdftoppm", ["-png", "-r", "70", "-f", "1", "-l", "1", file, join(artifacts, name)]);
  return execFileSync("pdftotext", [file, "-"]).toString();
}

test("the desk prints the receipt, the control sheet and its register as PDF", async () => {
  const page = await openPage(ctx.browser);
  await signIn(page, ctx.server, "motcua.minhson");
  await page.goto(ctx.server.base + "/can-bo/tiep-nhan?thu-tuc=MS.HT.001");
  await page.fill("#name", "Phạm Thị Lụa");
  await page.fill("#address", "Xóm Đình, xã Minh Sơn");
  await page.check("#given-0");
  await page.check("#given-1");
  await page.click("#receive");
  await page.waitForSelector("#receipt");
  const code = (await page.textContent("#receipt-code")).trim();
  const secret = (await page.textContent("#receipt-secret")).trim();

  // The receipt's button opens Mẫu 01 in a new tab, with the lookup secret on it.
  assert.equal(await page.getAttribute("#print-receipt", "target"), "_blank");
  const receipt = await follow(page, "#print-receipt");
  assert.equal(receipt.status, 200);
  assert.equal(receipt.type, "application/pdf");
  const text = keep("form-receipt", receipt.body);
  for (const want of [code, secret, "Phạm Thị Lụa", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", "Liên 2"]) {
    assert.ok(text.includes(want), `${want} is not on the receipt`);
  }

  // The dossier's page lists what it can print; an apology is not offered for a dossier on time.
  await page.goto(`${ctx.server.base}/can-bo/ho-so/${code}`);
  assert.match(await page.textContent("#forms"), /Phiếu kiểm soát quá trình giải quyết hồ sơ/);
  assert.doesNotMatch(await page.textContent("#forms"), /xin lỗi/);
  await screenshot(page, "dossier-forms");
  const sheet = await follow(page, "#forms a[href$='/mau/control-sheet']");
  assert.equal(sheet.type, "application/pdf");
  assert.match(keep("form-control-sheet", sheet.body), /PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ/);

  // The register: the navigation leads to it; a reversed range is refused in Vietnamese.
  await page.click("nav >> text=Sổ theo dõi");
  await page.waitForSelector("#register-form");
  await page.fill("#tu", "31/12/2026");
  await page.fill("#den", "01/12/2026");
  await page.click("#register-xlsx");
  await page.waitForSelector("#error");
  assert.match(await page.textContent("#error"), /Ngày kết thúc phải sau/);
  await screenshot(page, "register-error");
  const today = new Intl.DateTimeFormat("en-GB", { timeZone: "Asia/Ho_Chi_Minh" }).format(new Date());
  const url = `${ctx.server.base}/can-bo/so-theo-doi?co-quan=H99.31&tu=${today}&den=${today}`;
  const pdf = await page.request.get(`${url}&dinh-dang=pdf`);
  assert.equal(pdf.headers()["content-type"], "application/pdf");
  assert.ok(keep("form-register", await pdf.body()).includes(code), "the new dossier is in the register");
  const xlsx = await page.request.get(`${url}&dinh-dang=xlsx`);
  assert.match(xlsx.headers()["content-type"], /spreadsheetml/);
  assert.deepEqual(page.problems, []);
});
