import { test } from "node:test";
import assert from "node:assert/strict";
import { useServer, openPage, screenshot, signIn, actOnDossier } from "../lib/harness.js";

const ctx = useServer();
const receipt = {};

/** Presses Tab (or Shift+Tab) until the element with `id` has the focus; returns the presses. */
async function tabTo(page, id, back = false) {
  for (let n = 1; n <= 60; n++) {
    await page.keyboard.press(back ? "Shift+Tab" : "Tab");
    if ((await page.evaluate(() => document.activeElement?.id)) === id) return n;
  }
  throw new Error(`never reached #${id}`);
}

test("a desk officer receives a dossier with the keyboard alone, in under a minute", async () => {
  const page = await openPage(ctx.browser);
  await signIn(page, ctx.server, "motcua.minhson");
  await page.goto(ctx.server.base + "/can-bo/tiep-nhan");
  // The search field takes the focus by itself; typing before it has it would lose letters.
  await page.waitForFunction(() => document.activeElement?.id === "q");
  const started = Date.now();
  let keys = 0;
  const type = async (text) => { await page.keyboard.type(text); keys += text.length; };
  const press = async (key) => { await page.keyboard.press(key); keys += 1; };
  await type("dang ky khai sinh");
  assert.equal(await page.inputValue("#q"), "dang ky khai sinh");
  await press("Enter");
  await page.waitForSelector("#found");
  assert.match(await page.textContent("#found li:first-child"), /Đăng ký khai sinh/);
  await press("Enter");
  await page.waitForSelector("#intake");
  assert.match(await page.textContent("#due-now"), /\d{2}\/\d{2}\/\d{4} lúc \d{2}:\d{2}/);
  await type("Trần Văn Nam");
  keys += await tabTo(page, "id_number");
  await type("001099012345");
  keys += await tabTo(page, "given-0");
  await press("Space");
  keys += await tabTo(page, "given-1");
  await press("Space");
  keys += await tabTo(page, "name", true);
  await screenshot(page, "desk-intake");
  await press("Enter");
  await page.waitForSelector("#receipt");
  const elapsed = Date.now() - started;
  assert.ok(elapsed < 60_000, `${elapsed} ms`);
  receipt.code = (await page.textContent("#receipt-code")).trim();
  receipt.secret = (await page.textContent("#receipt-secret")).trim();
  assert.match(receipt.code, /^H99\.31-\d{6}-\d{4}$/);
  assert.match(await page.textContent("#receipt-due"), /\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}/);
  assert.match(await page.textContent("#received-list"), /Tờ khai đăng ký khai sinh — 1 bản chính/);
  await screenshot(page, "desk-receipt");
  console.log(`receipt in ${elapsed} ms with ${keys} keystrokes`);
  assert.deepEqual(page.problems, []);
});

test("a missing required document is refused and what was typed stays", async () => {
  const page = await openPage(ctx.browser);
  await signIn(page, ctx.server, "motcua.minhson");
  await page.goto(ctx.server.base + "/can-bo/tiep-nhan?thu-tuc=MS.HT.001");
  await page.fill("#name", "Lê Thị Hoa");
  await page.check("#given-0");
  await page.click("#receive");
  await page.waitForSelector("#intake-error");
  assert.match(await page.textContent("#intake-error"), /chưa đủ thành phần bắt buộc/);
  assert.equal(await page.inputValue("#name"), "Lê Thị Hoa");
  assert.ok(await page.isChecked("#given-0"));
});

const act = actOnDossier;

test("the dossier is handed over, decided, returned, and its applicant looks it up", async () => {
  const url = `${ctx.server.base}/can-bo/ho-so/${receipt.code}`;
  const desk = await openPage(ctx.browser);
  await signIn(desk, ctx.server, "motcua.minhson");
  await desk.goto(url);
  await act(desk, "Chuyển bước tiếp theo");

  const officer = await openPage(ctx.browser);
  await signIn(officer, ctx.server, "chuyenvien.minhson");
  await officer.goto(ctx.server.base + "/can-bo/ho-so");
  await officer.click(`#queue >> text=${receipt.code}`);
  await officer.waitForSelector("#sheet");
  assert.doesNotMatch(await officer.textContent("#actions"), /Trả kết quả/);
  await act(officer, "Chuyển bước tiếp theo");
  await screenshot(officer, "dossier-processing");

  const leader = await openPage(ctx.browser);
  await signIn(leader, ctx.server, "lanhdao.minhson");
  await leader.goto(url);
  await act(leader, "Hoàn thành, chuyển kết quả", { result: "Giấy khai sinh bản chính" });
  assert.match(await leader.textContent("#facts"), /Có kết quả, chờ trả/);

  // The desk finds the result to return by the applicant's identity number.
  await desk.goto(ctx.server.base + "/can-bo/ho-so");
  await desk.fill("#q", "001099012345");
  await desk.click("main form button[type=submit]");
  await desk.click(`#queue >> text=${receipt.code}`);
  await desk.waitForSelector("#sheet");
  await act(desk, "Trả kết quả");
  assert.match(await desk.textContent("#facts"), /Đã trả kết quả/);
  assert.doesNotMatch(await desk.textContent("#facts"), /Đang ở/, "a returned dossier is at no step");
  const sheet = await desk.textContent("#sheet");
  for (const step of ["Tiếp nhận hồ sơ", "Chuyển xử lý bước 2", "Chuyển xử lý bước 3", "Đã có kết quả", "Đã trả kết quả"]) {
    assert.match(sheet, new RegExp(step));
  }
  await screenshot(desk, "dossier-returned");

  const citizen = await openPage(ctx.browser);
  await citizen.goto(ctx.server.base + "/tra-cuu");
  await citizen.fill("#ma", receipt.code);
  await citizen.fill("#ma-tra-cuu", "WRONGSECRET1");
  await citizen.click("#lookup-form button[type=submit]");
  await citizen.waitForSelector("#lookup-error");
  await citizen.fill("#ma-tra-cuu", receipt.secret.toLowerCase());
  await citizen.click("#lookup-form button[type=submit]");
  await citizen.waitForSelector("#lookup-result");
  assert.equal((await citizen.textContent("#lookup-status")).trim(), "Đã trả kết quả");
  assert.doesNotMatch(await citizen.textContent("#lookup-result"), /chuyenvien|lanhdao/);
  await screenshot(citizen, "citizen-lookup");
  for (const p of [desk, officer, leader, citizen]) assert.deepEqual(p.problems, []);
});
