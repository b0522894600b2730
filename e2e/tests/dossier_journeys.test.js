// An extension with apology (Mẫu 04), a refusal at the desk (Mẫu 03), and the work queue's
// filter: with htmx (only the results change, the address follows) and without JavaScript.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useServer, openPage, screenshot, signIn } from "../lib/harness.js";

const ctx = useServer();
const extended = { idNumber: "001288077001" };
const refused = { idNumber: "001288077002" };

/** Receives (or refuses) a dossier of `procedure` at the desk's intake form; its receipt. */
async function intake(page, procedure, applicant, { refuse } = {}) {
  await page.goto(`${ctx.server.base}/can-bo/tiep-nhan?thu-tuc=${procedure}`);
  await page.fill("#name", applicant.name);
  await page.fill("#id_number", applicant.idNumber);
  if (refuse) {
    await page.click("summary:has-text('từ chối (Mẫu 03)')");
    await page.fill("#reasons", refuse);
    await page.click("#refuse");
  } else {
    for (const box of await page.locator("#checklist input[type=checkbox]").all()) await box.check();
    await page.click("#receive");
  }
  await page.waitForSelector("#receipt");
  return {
    code: (await page.textContent("#receipt-code")).trim(),
    secret: (await page.textContent("#receipt-secret")).trim(),
  };
}

/** Opens the action `label` on a dossier's page, fills it and sends it (htmx swaps the page's region). */
async function act(page, label, fill = {}) {
  await page.click(`#actions summary:has-text("${label}")`);
  const form = page.locator("#actions details[open] form");
  for (const [name, value] of Object.entries(fill)) await form.locator(`[name=${name}]`).fill(value);
  await form.locator("button[type=submit]").click();
}

/** The first dd/mm/yyyy in `text`, as a UTC date. */
function firstDate(text) {
  const m = text.match(/(\d{2})\/(\d{2})\/(\d{4})/);
  assert.ok(m, text);
  return new Date(Date.UTC(+m[3], +m[2] - 1, +m[1]));
}

const ddmmyyyy = (d) =>
  `${String(d.getUTCDate()).padStart(2, "0")}/${String(d.getUTCMonth() + 1).padStart(2, "0")}/${d.getUTCFullYear()}`;

async function lookUp(page, receipt) {
  await page.goto(ctx.server.base + "/tra-cuu");
  await page.fill("#ma", receipt.code);
  await page.fill("#ma-tra-cuu", receipt.secret);
  await page.click("#lookup-form button[type=submit]");
  await page.waitForSelector("#lookup-result");
}

test("a processing officer apologises and sets a new date once; the applicant sees it", async () => {
  const desk = await openPage(ctx.browser);
  await signIn(desk, ctx.server, "motcua.minhson");
  // Extending a building permit: five working days, so more than one is left before the due date.
  Object.assign(extended, await intake(desk, "MS.XD.003", { name: "Phạm Văn Gia", idNumber: extended.idNumber }));
  const url = `${ctx.server.base}/can-bo/ho-so/${extended.code}`;
  await desk.goto(url);
  await act(desk, "Chuyển bước tiếp theo");
  await desk.waitForSelector("#done");

  const officer = await openPage(ctx.browser);
  await signIn(officer, ctx.server, "chuyenvien.minhson");
  await officer.goto(url);
  // A second tab, opened before the extension, will try it again.
  const stale = await officer.context().newPage();
  await stale.goto(url);

  const due = firstDate(await officer.textContent("#facts tr:has-text('Hẹn trả kết quả') td"));
  const newDue = ddmmyyyy(new Date(due.getTime() + 14 * 86_400_000));
  await officer.evaluate(() => { window.stayed = true; });

  // A date not before the current one is refused in place, with what was typed kept.
  await act(officer, "Xin lỗi, hẹn lại ngày trả (Mẫu 04)", { reason: "Chờ ý kiến thẩm định của Phòng Kinh tế", due: ddmmyyyy(due) });
  await officer.waitForSelector("#action-error");
  assert.match(await officer.textContent("#action-error"), /Ngày hẹn mới phải sau ngày hẹn hiện tại/);
  assert.equal(await officer.inputValue("#propose_extension-reason"), "Chờ ý kiến thẩm định của Phòng Kinh tế");
  assert.ok(await officer.isVisible("#propose_extension-due"), "the refused form stays open");
  await screenshot(officer, "extension-refused-date");

  await officer.fill("#propose_extension-due", newDue);
  await officer.click("#form-propose_extension button[type=submit]");
  await officer.waitForSelector("#done");
  assert.match(await officer.textContent("#done"), /Đã ghi nhận: Xin lỗi, hẹn lại ngày trả \(Mẫu 04\)/);
  const facts = await officer.textContent("#facts");
  assert.match(facts, new RegExp(`${newDue} 17:00`));
  assert.match(facts, new RegExp(`hẹn ban đầu ${ddmmyyyy(due)} \\d{2}:\\d{2}, đã gia hạn`));
  assert.match(await officer.textContent("#sheet"), /gia hạn|xin lỗi/i);
  // Once only: the action is no longer offered.
  assert.doesNotMatch(await officer.textContent("#actions"), /Xin lỗi, hẹn lại ngày trả/);
  assert.equal(await officer.evaluate(() => window.stayed), true, "the page was not reloaded");
  await screenshot(officer, "extension-done");

  // The tab opened before is refused, in Vietnamese, and the date stays.
  await act(stale, "Xin lỗi, hẹn lại ngày trả (Mẫu 04)", { reason: "Lần thứ hai", due: ddmmyyyy(new Date(due.getTime() + 21 * 86_400_000)) });
  await stale.waitForSelector("#error");
  assert.match(await stale.textContent("#error"), /đã được cập nhật .*Hãy tải lại hồ sơ rồi thao tác lại/);
  assert.match(await stale.textContent("#facts"), new RegExp(`${newDue} 17:00`));
  assert.doesNotMatch(await stale.textContent("#actions"), /Xin lỗi, hẹn lại ngày trả/);
  await screenshot(stale, "extension-second-refused");

  const citizen = await openPage(ctx.browser);
  await lookUp(citizen, extended);
  const result = await citizen.textContent("#lookup-result");
  assert.match(result, new RegExp(`Hẹn trả kết quả: ${newDue}`));
  assert.match(await citizen.textContent("#lookup-timeline"), /gia hạn|xin lỗi/i);
  assert.doesNotMatch(result, /chuyenvien/);
  await screenshot(citizen, "extension-lookup");
  for (const p of [desk, officer, citizen]) assert.deepEqual(p.problems, []);
});

test("the desk refuses a dossier (Mẫu 03); the queue and the lookup say it was refused", async () => {
  const desk = await openPage(ctx.browser);
  await signIn(desk, ctx.server, "motcua.minhson");
  Object.assign(
    refused,
    await intake(desk, "MS.XD.003", { name: "Đỗ Thị Từ", idNumber: refused.idNumber }, { refuse: "Giấy phép xây dựng đã hết hiệu lực, không thuộc trường hợp gia hạn" }),
  );
  assert.match(await desk.textContent("#receipt"), /từ chối/i);
  assert.match(await desk.textContent("#refusal-reasons"), /đã hết hiệu lực/);
  await screenshot(desk, "refusal-receipt");

  await desk.goto(`${ctx.server.base}/can-bo/ho-so?loc=tat-ca&q=${refused.idNumber}`);
  const row = desk.locator(`#queue tr:has-text("${refused.code}")`);
  assert.equal(await row.count(), 1);
  assert.match(await row.textContent(), /Từ chối tiếp nhận/);
  assert.equal((await row.locator("td").nth(4).textContent()).trim(), "", "a refused dossier is at no step");
  await screenshot(desk, "refusal-queue");

  const citizen = await openPage(ctx.browser);
  await lookUp(citizen, refused);
  assert.equal((await citizen.textContent("#lookup-status")).trim(), "Không được tiếp nhận");
  assert.match(await citizen.textContent("#lookup-result"), /đã hết hiệu lực/);
  await screenshot(citizen, "refusal-lookup");
  for (const p of [desk, citizen]) assert.deepEqual(p.problems, []);
});

test("the queue's filter swaps only its results and keeps the address; a whole code opens the dossier", async () => {
  const page = await openPage(ctx.browser);
  await signIn(page, ctx.server, "motcua.minhson");
  await page.goto(ctx.server.base + "/can-bo/ho-so");
  await page.evaluate(() => { window.stayed = true; });
  const before = await page.locator("#queue tbody tr").count();
  assert.ok(before > 0, "the demo province has open dossiers");

  await page.selectOption("#loc", "tat-ca");
  await page.waitForURL(/loc=tat-ca/);
  await page.fill("#q", refused.idNumber);
  await page.waitForURL(new RegExp(`q=${refused.idNumber}`));
  await page.waitForFunction((code) => {
    const rows = document.querySelectorAll("#queue tbody tr");
    return rows.length === 1 && rows[0].textContent.includes(code);
  }, refused.code);
  assert.equal(await page.evaluate(() => window.stayed), true, "the page was not reloaded");
  assert.equal(await page.inputValue("#q"), refused.idNumber, "the form keeps what was typed");
  await screenshot(page, "queue-filtered-htmx");

  // The address is shareable: opened afresh it shows the same results.
  const shared = await openPage(ctx.browser);
  await signIn(shared, ctx.server, "motcua.minhson");
  await shared.goto(page.url());
  assert.equal(await shared.locator("#queue tbody tr").count(), 1);
  assert.equal(await shared.inputValue("#q"), refused.idNumber);
  assert.equal(await shared.inputValue("#loc"), "tat-ca");

  // Back returns to the previous results.
  await page.fill("#q", extended.idNumber);
  await page.waitForFunction((code) => document.querySelector("#queue")?.textContent.includes(code), extended.code);
  await page.goBack();
  await page.waitForURL(new RegExp(`q=${refused.idNumber}`));
  await page.waitForFunction((code) => document.querySelector("#queue")?.textContent.includes(code), refused.code);

  // A code that opens nothing says so; a whole code opens its dossier.
  await page.fill("#q", "H99.31-000000-9999");
  await page.waitForSelector("#notice");
  assert.match(await page.textContent("#notice"), /Không tìm thấy hồ sơ có mã “H99.31-000000-9999”/);
  await page.fill("#q", extended.code);
  await page.waitForURL(new RegExp(`/can-bo/ho-so/${extended.code.replace(/\./g, "\\.")}$`));
  await page.waitForSelector("#sheet");
  assert.deepEqual(page.problems, []);
});

test("without JavaScript the same filter and actions work by full pages", async () => {
  const page = await openPage(ctx.browser, { javaScriptEnabled: false });
  await signIn(page, ctx.server, "chuyenvien.minhson");
  await page.goto(ctx.server.base + "/can-bo/ho-so");
  await page.selectOption("#loc", "tat-ca");
  await page.fill("#q", extended.idNumber);
  await page.click("#queue-filter button[type=submit]");
  await page.waitForURL(new RegExp(`loc=tat-ca&q=${extended.idNumber}`));
  const rows = page.locator("#queue tbody tr");
  assert.equal(await rows.count(), 1);
  assert.match(await rows.first().textContent(), new RegExp(extended.code.replace(/\./g, "\\.")));
  await screenshot(page, "queue-filtered-no-js");

  // An action: POST, redirect, the page again with its message and the new row of the sheet.
  await page.click(`#queue >> text=${extended.code}`);
  await page.waitForSelector("#sheet");
  await act(page, "Chuyển bước tiếp theo");
  await page.waitForURL(/\?da-luu=hand_over$/);
  assert.match(await page.textContent("#done"), /Đã ghi nhận: Chuyển bước tiếp theo/);
  assert.match(await page.textContent("#sheet"), /Chuyển xử lý bước 3/);
  await screenshot(page, "dossier-action-no-js");
  assert.deepEqual(page.problems, []);
});
