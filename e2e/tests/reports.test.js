import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { useServer, openPage, screenshot, signIn, artifacts } from "../lib/harness.js";

const ctx = useServer();

const number = (text) => Number(text.replace(/\./g, ""));

test("a leader opens the quarter's Biểu 06, checks it adds up and exports it", async () => {
  const page = await openPage(ctx.browser);
  await signIn(page, ctx.server, "lanhdao.minhson");
  await page.click("nav >> text=Báo cáo");
  await page.waitForSelector("#bieu06");
  assert.match(await page.textContent("#report-title"), /Quý/);
  await screenshot(page, "report-bieu06");

  // The grand total adds up: (3) = (4)+(5)+(6) = (7)+(11), (7) = (8)+(9)+(10), (11) = (12)+(13).
  const cells = (await page.$$eval("#bieu06 tbody tr:last-child td.num", (tds) => tds.map((td) => td.textContent))).map(number);
  const [received, online, counter, carried, resolved, early, onTime, late, open, within, overdue] = cells;
  assert.ok(received > 0, "the demo commune received dossiers this quarter");
  assert.equal(received, online + counter + carried);
  assert.equal(received, resolved + open);
  assert.equal(resolved, early + onTime + late);
  assert.equal(open, within + overdue);

  // The same report as PDF (to print) and as a workbook.
  const pdf = await page.request.get(new URL(await page.getAttribute("#report-pdf", "href"), page.url()).toString());
  assert.equal(pdf.headers()["content-type"], "application/pdf");
  const file = join(artifacts, "report-bieu06.pdf");
  writeFileSync(file, await pdf.body());
  execFileSync("pdftoppm", ["-png", "-r", "70", "-f", "1", "-l", "1", file, join(artifacts, "report-bieu06-pdf")]);
  assert.match(execFileSync("pdftotext", [file, "-"]).toString(), /TỔNG CỘNG/);
  const xlsx = await page.request.get(new URL(await page.getAttribute("#report-xlsx", "href"), page.url()).toString());
  assert.match(xlsx.headers()["content-type"], /spreadsheetml/);

  // Drilling into the late dossiers: as many as the total's (10) + (13), land first.
  await page.click("#late-link");
  await page.waitForSelector("#late-count");
  assert.equal(Number(await page.textContent("#late-count")), late + overdue);
  await screenshot(page, "report-late");
  const latePdf = await page.request.get(new URL(await page.getAttribute("#report-pdf", "href"), page.url()).toString());
  assert.equal(latePdf.headers()["content-type"], "application/pdf");
  const lateFile = join(artifacts, "report-late.pdf");
  writeFileSync(lateFile, await latePdf.body());
  execFileSync("pdftoppm", ["-png", "-r", "70", "-f", "1", "-l", "1", lateFile, join(artifacts, "report-late-pdf")]);
  await page.click("text=← Biểu 06");
  await page.waitForSelector("#bieu06");

  // A reversed window is refused in Vietnamese, the form kept.
  await page.selectOption("#ky", "window");
  await page.fill("#tu", "31/03/2026");
  await page.fill("#den", "01/03/2026");
  await page.click("#show-report");
  await page.waitForSelector("#error");
  assert.match(await page.textContent("#error"), /Ngày kết thúc phải sau/);
  assert.equal(await page.inputValue("#tu"), "31/03/2026");
  assert.deepEqual(page.problems, []);
});

test("a leader reads the dashboard's charts and a citizen the public page", async () => {
  const page = await openPage(ctx.browser);
  await signIn(page, ctx.server, "lanhdao.minhson");
  await page.click("nav >> text=Báo cáo");
  await page.waitForSelector("#bieu06");
  const bieu06Received = number(await page.textContent("#bieu06 tbody tr:last-child td.num"));
  // The dashboard of the same quarter shows the same total, and its charts say their numbers.
  await page.goto(new URL("/can-bo/bao-cao/tong-quan", page.url()).toString());
  await page.waitForSelector("#figures");
  assert.equal(number(await page.textContent("#figure-received")), bieu06Received);
  const onTime = await page.textContent("#figure-on-time");
  assert.match(onTime, /%$/);
  const agencyChart = page.locator("svg[aria-labelledby='by-agency-title']");
  assert.equal(await agencyChart.count(), 1);
  assert.match(await agencyChart.locator("desc").textContent(), /%/);
  assert.ok((await page.$$("section.chart svg")).length >= 6);
  await screenshot(page, "report-dashboard");
  const xlsx = await page.request.get(new URL(await page.getAttribute("#dashboard-xlsx", "href"), page.url()).toString());
  assert.match(xlsx.headers()["content-type"], /spreadsheetml/);
  const file = join(artifacts, "report-dashboard.xlsx");
  writeFileSync(file, await xlsx.body());
  assert.deepEqual(page.problems, []);

  // The public page: no sign-in, the whole province, from the menu.
  const visitor = await openPage(ctx.browser);
  await visitor.goto(ctx.server.base + "/");
  await visitor.click("nav >> text=Công khai kết quả");
  await visitor.waitForSelector("#figures");
  assert.ok(number(await visitor.textContent("#figure-received")) >= bieu06Received);
  assert.equal(await visitor.locator("a[href^='/can-bo/bao-cao/tre-han']").count(), 0);
  await screenshot(visitor, "public-transparency");
  // One ward of the province: its own figures, named in the title.
  const province = number(await visitor.textContent("#figure-received"));
  await visitor.selectOption("#dia-ban", { label: "Phường Minh Sơn" });
  await visitor.click("#show-report");
  await visitor.waitForSelector("#dashboard-title >> text=Phường Minh Sơn");
  const ward = number(await visitor.textContent("#figure-received"));
  assert.ok(ward > 0 && ward < province, `${ward} of ${province}`);
  await visitor.selectOption("#dia-ban", "");
  // A period that does not exist is refused in Vietnamese.
  await visitor.selectOption("#ky", "quarter");
  await visitor.fill("#so", "7");
  await visitor.click("#show-report");
  await visitor.waitForSelector("#error");
  assert.match(await visitor.textContent("#error"), /Kỳ 7 không có/);
  assert.deepEqual(visitor.problems, []);
});
