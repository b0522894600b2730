import { test } from "node:test";
import assert from "node:assert/strict";
import { useServer, openPage, screenshot, signIn } from "../lib/harness.js";

const ctx = useServer();

test("a leader opens the view of late dossiers and follows a row to the dossier", async () => {
  const page = await openPage(ctx.browser);
  await signIn(page, ctx.server, "lanhdao.nnmt");
  await page.goto(ctx.server.base + "/can-bo");
  await page.click("#oversight-card");
  await page.waitForSelector("#totals");
  assert.equal(new URL(page.url()).pathname, "/can-bo/theo-doi");
  const overdue = Number(await page.textContent("#total-overdue"));
  const soon = Number(await page.textContent("#total-due-soon"));
  assert.ok(overdue > 0, "the demo year leaves dossiers overdue in the department");
  // The counts per agency add up to the totals.
  const cells = await page.locator("#by-agency tbody tr").evaluateAll((rows) =>
    rows.map((r) => [Number(r.cells[1].textContent), Number(r.cells[2].textContent)]));
  assert.equal(cells.reduce((n, c) => n + c[0], 0), overdue);
  assert.equal(cells.reduce((n, c) => n + c[1], 0), soon);
  // Worst first: the working days over never grow down the list of overdue rows.
  const over = (await page.locator("#stuck .days").allTextContents())
    .map((t) => t.match(/quá (\d+) ngày làm việc/))
    .filter(Boolean)
    .map((m) => Number(m[1]));
  assert.ok(over.length > 0);
  assert.deepEqual(over, [...over].sort((a, b) => b - a));
  const first = page.locator("#stuck tbody tr").first();
  assert.match(await first.locator("td").nth(5).textContent(), /^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/);
  assert.match(await first.locator("td").nth(3).textContent(), /^Bước \d+: /);
  await screenshot(page, "leader-oversight");
  const code = (await first.locator("a").textContent()).trim();
  await first.locator("a").click();
  await page.waitForSelector("#sheet");
  assert.match(await page.textContent("h1"), new RegExp(code.replace(/\./g, "\\.")));
  assert.match(await page.textContent("#facts"), /Quá hạn/);
  // Narrowed to one agency from the counts.
  await page.goBack();
  await page.click("#by-agency tbody tr:first-child a");
  await page.waitForSelector("#totals");
  assert.match(page.url(), /co-quan=\d+/);
  assert.deepEqual(page.problems, []);
});

test("an applicant evaluates a returned dossier from the lookup page, once", async () => {
  const returned = ctx.server.examples.find((e) => e.status === "đã trả kết quả");
  assert.ok(returned, `the demo prints a returned dossier: ${JSON.stringify(ctx.server.examples)}`);
  const page = await openPage(ctx.browser);
  await page.goto(ctx.server.base + "/tra-cuu");
  await page.fill("#ma", returned.code);
  await page.fill("#ma-tra-cuu", returned.secret);
  await page.click("#lookup-form button[type=submit]");
  await page.waitForSelector("#evaluation-form");
  assert.equal((await page.textContent("#lookup-status")).trim(), "Đã trả kết quả");
  assert.equal(await page.locator("#evaluation-form fieldset").count(), 9);
  // Eight of nine answered, and a comment: the ninth is named, the rest stays as chosen.
  const choices = {
    total_time: 2, agency_time: 2, contacts: 1, agencies_contacted: 2, one_stop: 2,
    publicly_posted: 1, staff_attitude: 2, feedback_handling: 2,
  };
  for (const [code, value] of Object.entries(choices)) await page.check(`#${code}-${value}`);
  await page.fill("#comment", "Cán bộ hướng dẫn tận tình, trả kết quả sớm.");
  await page.click("#evaluation-submit");
  await page.waitForSelector("#online_service-error");
  assert.match(await page.textContent("#online_service-error"), /Chất lượng dịch vụ công trực tuyến/);
  assert.ok(await page.isChecked("#contacts-1"));
  assert.equal(await page.inputValue("#comment"), "Cán bộ hướng dẫn tận tình, trả kết quả sớm.");
  await screenshot(page, "evaluation-missing-answer");
  // The same form left open in a second tab, to send after the first.
  const stale = await openPage(ctx.browser);
  await stale.goto(`${ctx.server.base}/tra-cuu?ma=${encodeURIComponent(returned.code)}&ma-tra-cuu=${returned.secret}`);
  await stale.waitForSelector("#evaluation-form");
  await page.check("#online_service-2");
  await page.click("#evaluation-submit");
  await page.waitForSelector("#evaluation-thanks");
  assert.equal((await page.textContent("#evaluation-total")).trim(), "16/18");
  assert.equal(await page.locator("#evaluation-form").count(), 0);
  await screenshot(page, "evaluation-kept");
  // Sent again from the other tab: refused, and the first evaluation stands.
  for (const i of ["total_time", "agency_time", "contacts", "agencies_contacted", "one_stop",
    "publicly_posted", "staff_attitude", "feedback_handling", "online_service"]) await stale.check(`#${i}-0`);
  await stale.click("#evaluation-submit");
  await stale.waitForSelector("#evaluation-shown");
  assert.match(await stale.textContent("#lookup-error"), /chỉ được đánh giá một lần/);
  assert.equal((await stale.textContent("#evaluation-total")).trim(), "16/18");

  // Staff read it on the dossier's page.
  const staff = await openPage(ctx.browser);
  await signIn(staff, ctx.server, "quantri");
  await staff.goto(`${ctx.server.base}/can-bo/ho-so/${returned.code}`);
  await staff.waitForSelector("#evaluation-shown");
  assert.equal((await staff.textContent("#evaluation-total")).trim(), "16/18");
  assert.match(await staff.textContent("#evaluation-comment"), /trả kết quả sớm/);
  await screenshot(staff, "evaluation-on-dossier");
  // The refused second evaluation is answered 409, which the browser logs.
  assert.deepEqual(stale.problems.filter((p) => !/status of 409/.test(p)), []);
  for (const p of [page, staff]) assert.deepEqual(p.problems, []);
});

test("a signed-in applicant evaluates their own returned dossier from their page", async () => {
  const base = ctx.server.base;
  const citizen = await openPage(ctx.browser);
  await citizen.goto(base + "/dang-ky");
  await citizen.fill("#full_name", "Đỗ Thị Hạnh");
  await citizen.fill("#contact", "0911 222 333");
  await citizen.fill("#password", "Đánh giá một lần, sau khi nhận kết quả");
  await citizen.fill("#repeat", "Đánh giá một lần, sau khi nhận kết quả");
  await citizen.click("main button[type=submit]");
  await citizen.waitForURL(/\/ca-nhan$/);
  // Submitted online through the API with the account's session, then carried to its return by
  // the commune's desk, officer and leader.
  const post = async (page, path, data) => {
    const answer = await page.request.post(base + path, { headers: { origin: base }, data });
    assert.ok(answer.ok(), `${path}: ${answer.status()} ${await answer.text()}`);
    return answer.json();
  };
  const opened = await post(citizen, "/api/v1/dossiers", {
    action: "submit",
    application: {
      procedure: "MS.HT.001", procedure_version: 0, desk_agency: "H99.31", deciding_agency: "",
      applicant: { name: "Đỗ Thị Hạnh", id_number: "001199007777", phone: "0911222333" },
      components: [
        { name: "Tờ khai đăng ký khai sinh", originals: 1 },
        { name: "Giấy chứng sinh; trường hợp không có thì văn bản của người làm chứng hoặc giấy cam đoan về việc sinh", originals: 1 },
      ],
    },
  });
  const code = opened.code;
  const staff = {};
  for (const login of ["motcua.minhson", "chuyenvien.minhson", "lanhdao.minhson"]) {
    staff[login] = await openPage(ctx.browser);
    await signIn(staff[login], ctx.server, login);
  }
  let d = await post(staff["motcua.minhson"], `/api/v1/dossiers/${code}/receive`, { version: 1 });
  d = await post(staff["motcua.minhson"], `/api/v1/dossiers/${code}/hand-over`, { version: d.version });
  d = await post(staff["chuyenvien.minhson"], `/api/v1/dossiers/${code}/hand-over`, { version: d.version });
  d = await post(staff["lanhdao.minhson"], `/api/v1/dossiers/${code}/complete`, { version: d.version, result: "Giấy khai sinh" });
  d = await post(staff["motcua.minhson"], `/api/v1/dossiers/${code}/return`, { version: d.version, channel: "counter" });
  assert.equal(d.stage, "returned");

  await citizen.goto(base + "/ca-nhan");
  await citizen.click(`#to-evaluate li:has-text("${code}") a`);
  await citizen.waitForSelector("#evaluation-form");
  await screenshot(citizen, "applicant-evaluation-form");
  for (const [i, v] of Object.entries({
    total_time: 2, agency_time: 2, contacts: 2, agencies_contacted: 2, one_stop: 2,
    publicly_posted: 2, staff_attitude: 2, feedback_handling: 1, online_service: 2,
  })) await citizen.check(`#${i}-${v}`);
  await citizen.click("#evaluation-submit");
  await citizen.waitForSelector("#evaluation-thanks");
  assert.equal((await citizen.textContent("#evaluation-total")).trim(), "17/18");
  await screenshot(citizen, "applicant-evaluation-kept");
  await citizen.goto(base + "/ca-nhan");
  assert.match(await citizen.textContent("#to-evaluate"), /đã đánh giá, 17\/18 điểm/);
  for (const p of [citizen, ...Object.values(staff)]) assert.deepEqual(p.problems, []);
});
