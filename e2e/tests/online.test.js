import { test } from "node:test";
import assert from "node:assert/strict";
import { useServer, openPage, screenshot, signIn, actOnDossier } from "../lib/harness.js";

const ctx = useServer();
const dossier = {};
const PASSWORD = "Nộp hồ sơ trực tuyến, không phải xếp hàng";

function pdf(text) {
  return Buffer.from(`%PDF-1.7\n% ${text}\n%%EOF\n`);
}

test("a citizen registers, submits a dossier online and looks it up", async () => {
  const page = await openPage(ctx.browser);
  await page.goto(ctx.server.base + "/dang-ky");
  await page.fill("#full_name", "Phạm Thị Lan");
  await page.fill("#contact", "0987 654 321");
  await page.fill("#password", PASSWORD);
  await page.fill("#repeat", PASSWORD);
  await page.click("main button[type=submit]");
  await page.waitForURL(/\/ca-nhan$/);
  assert.match(await page.textContent("#my-dossiers"), /chưa có hồ sơ/);

  // Choose the procedure from the catalogue and start online.
  await page.goto(ctx.server.base + "/thu-tuc?q=dang+ky+khai+sinh");
  await page.click("main a:has-text('Đăng ký khai sinh')");
  await page.waitForSelector("#submit-online-link");
  await page.click("#submit-online-link");
  await page.waitForSelector("#online-form");
  assert.equal(await page.inputValue("#name"), "Phạm Thị Lan");
  assert.equal(await page.inputValue("#phone"), "0987654321");
  assert.match(await page.textContent("#due-now"), /\d{2}\/\d{2}\/\d{4} lúc \d{2}:\d{2}/);
  await screenshot(page, "online-form");

  // Sent without the commune and a required document: told next to each, what was typed stays.
  await page.fill("#id_number", "001199004321");
  await page.fill("#address", "Số 12 đường Trần Phú, Phường Minh Sơn");
  await page.setInputFiles("#file-0", { name: "to-khai.pdf", mimeType: "application/pdf", buffer: pdf("to khai") });
  await page.click("#submit-online");
  await page.waitForSelector("#online-error");
  assert.match(await page.textContent("#desk_agency-error"), /Chọn Ủy ban nhân dân xã, phường/);
  assert.match(await page.textContent("#file-1-error"), /Cần tải lên tệp/);
  assert.equal(await page.inputValue("#address"), "Số 12 đường Trần Phú, Phường Minh Sơn");
  // The declaration already sent is kept: it need not be chosen again.
  assert.match(await page.textContent("#row-0"), /Đã tải lên: to-khai\.pdf/);
  await screenshot(page, "online-form-errors");

  await page.selectOption("#desk_agency", "H99.31");
  await page.setInputFiles("#file-1", { name: "giay-chung-sinh.pdf", mimeType: "application/pdf", buffer: pdf("giay chung sinh") });
  await page.click("#submit-online");
  await page.waitForSelector("#online-done");
  dossier.code = (await page.textContent("#done-code")).trim();
  dossier.secret = (await page.textContent("#done-secret")).trim();
  assert.match(dossier.code, /^H99\.31-\d{6}-\d{4}$/);
  assert.match(dossier.secret, /^[A-Z2-9]{12}$/);
  assert.match(await page.textContent("#done-documents"), /Tờ khai đăng ký khai sinh — 1 tệp/);
  await screenshot(page, "online-done");

  // The back button and the form sent again: the same dossier, not a second one.
  await page.goBack();
  await page.waitForSelector("#online-form");
  await page.click("#submit-online");
  await page.waitForSelector("#online-done");
  assert.equal((await page.textContent("#done-code")).trim(), dossier.code);
  assert.ok(await page.isVisible("#done-again"));

  // The applicant's page lists it once, in plain words.
  await page.goto(ctx.server.base + "/ca-nhan");
  const rows = await page.locator("#my-dossiers tbody tr").count();
  assert.equal(rows, 1);
  assert.match(await page.textContent("#my-dossiers"), /Đã nộp, chờ Bộ phận Một cửa tiếp nhận/);
  await screenshot(page, "applicant-dossiers");

  // Anyone with the code and the secret looks it up.
  const citizen = await openPage(ctx.browser);
  await citizen.goto(ctx.server.base + "/tra-cuu");
  await citizen.fill("#ma", dossier.code);
  await citizen.fill("#ma-tra-cuu", dossier.secret);
  await citizen.click("#lookup-form button[type=submit]");
  await citizen.waitForSelector("#lookup-result");
  assert.equal((await citizen.textContent("#lookup-status")).trim(), "Mới đăng ký");
  assert.match(await citizen.textContent("#lookup-timeline"), /Nộp hồ sơ \(trực tuyến\)/);
  for (const p of [page, citizen]) assert.deepEqual(p.problems, []);
  dossier.page = page;
});

const act = actOnDossier;

test("the desk asks for a supplement, the applicant sends it from the lookup page, the officer sees it", async () => {
  const url = `${ctx.server.base}/can-bo/ho-so/${dossier.code}`;
  const desk = await openPage(ctx.browser);
  await signIn(desk, ctx.server, "motcua.minhson");
  await desk.goto(url);
  await act(desk, "Tiếp nhận hồ sơ");
  const later = new Date(Date.now() + 10 * 24 * 3600 * 1000);
  const due = `${String(later.getDate()).padStart(2, "0")}/${String(later.getMonth() + 1).padStart(2, "0")}/${later.getFullYear()}`;
  await act(desk, "Yêu cầu bổ sung hồ sơ", {
    items: "Giấy chứng sinh (bản chụp rõ nét)",
    reason: "Bản chụp giấy chứng sinh bị mờ",
    applicant_due: due,
  });
  assert.match(await desk.textContent("#facts"), /Chờ bổ sung/);

  // The lookup page: what is missing; signed out, the way to send it is to sign in.
  const lookup = `${ctx.server.base}/tra-cuu?ma=${encodeURIComponent(dossier.code)}&ma-tra-cuu=${dossier.secret}`;
  const stranger = await openPage(ctx.browser);
  await stranger.goto(lookup);
  assert.match(await stranger.textContent("#lookup-missing"), /Giấy chứng sinh \(bản chụp rõ nét\)/);
  assert.ok(await stranger.isVisible("#supplement-sign-in"));
  assert.equal(await stranger.locator("#supplement-form").count(), 0);

  // The applicant, signed in, sends the supplement there.
  const page = dossier.page;
  await page.goto(lookup);
  await page.waitForSelector("#supplement-form");
  assert.match(await page.textContent("#supplement"), /Hạn nộp bổ sung/);
  await screenshot(page, "lookup-supplement");
  await page.click("#supplement-send");
  await page.waitForSelector("#supplement-error");
  assert.match(await page.textContent("#supplement-error"), /Chọn ít nhất một tệp/);
  await screenshot(page, "applicant-supplement-error");
  await page.setInputFiles("#supplement-file-0", { name: "giay-chung-sinh-ro.pdf", mimeType: "application/pdf", buffer: pdf("giay chung sinh ro net") });
  await page.click("#supplement-send");
  await page.waitForURL(/\/tra-cuu\?/);
  await page.waitForSelector("#lookup-result");
  assert.equal((await page.textContent("#lookup-status")).trim(), "Đang xử lý");
  assert.match(await page.textContent("#lookup-timeline"), /Đã nhận hồ sơ bổ sung, tiếp tục xử lý/);
  assert.equal(await page.locator("#supplement").count(), 0);
  await screenshot(page, "lookup-after-supplement");

  await page.goto(`${ctx.server.base}/ca-nhan/ho-so/${encodeURIComponent(dossier.code)}`);
  assert.match(await page.textContent("#own-status"), /Đang giải quyết/);
  assert.match(await page.textContent("#own-timeline"), /Yêu cầu bổ sung hồ sơ/);
  await screenshot(page, "applicant-dossier");

  // The officer sees the document, with its file to download.
  await desk.goto(url);
  const documents = await desk.textContent("#documents");
  assert.match(documents, /Giấy chứng sinh \(bản chụp rõ nét\)/);
  assert.equal(await desk.locator("#documents a").count(), 3);
  assert.match(await desk.textContent("#facts"), /Đang xử lý/);
  await screenshot(desk, "desk-after-supplement");
  for (const p of [desk, stranger, page]) assert.deepEqual(p.problems, []);
});
