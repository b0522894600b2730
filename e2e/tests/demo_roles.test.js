import { test } from "node:test";
import assert from "node:assert/strict";
import { useServer, openPage, signIn } from "../lib/harness.js";

const ctx = useServer();

// Each demo account, the role it shows, and which administration links its navigation offers.
const ACCOUNTS = [
  ["quantri", "Quản trị hệ thống", { staff: true, audit: true, catalogue: true }],
  ["thanhtra", "Thanh tra, kiểm tra (chỉ xem)", { staff: false, audit: true, catalogue: false }],
  ["kiemsoat.vp", "Kiểm soát thủ tục hành chính", { staff: false, audit: false, catalogue: true }],
  ["cchc.snv", "Cán bộ cải cách hành chính", { staff: false, audit: false, catalogue: false }],
  ["motcua.tinh", "Cán bộ một cửa", { staff: false, audit: false, catalogue: false }],
  ["chuyenvien.nnmt", "Chuyên viên xử lý", { staff: false, audit: false, catalogue: false }],
  ["lanhdao.nnmt", "Lãnh đạo phê duyệt", { staff: false, audit: false, catalogue: false }],
  ["quantri.nnmt", "Quản trị cơ quan", { staff: true, audit: false, catalogue: false }],
];

for (const [login, role, links] of ACCOUNTS) {
  test(`${login} signs in and sees what a ${role} may`, async () => {
    const page = await openPage(ctx.browser);
    await signIn(page, ctx.server, login);
    await page.goto(ctx.server.base + "/can-bo");
    assert.match(await page.textContent("main"), new RegExp(role.replace(/[()]/g, "\\$&")));
    const nav = (await page.locator(".site-nav a").allTextContents()).map((t) => t.trim());
    assert.equal(nav.includes("Cán bộ"), links.staff, `staff link for ${login}: ${nav}`);
    assert.equal(nav.includes("Nhật ký"), links.audit, `audit link for ${login}: ${nav}`);
    assert.equal(nav.includes("Danh mục TTHC"), links.catalogue, `catalogue link for ${login}: ${nav}`);
    const catalogue = await page.goto(ctx.server.base + "/can-bo/thu-tuc");
    assert.equal(catalogue.status(), links.catalogue ? 200 : 403);
    const audit = await page.goto(ctx.server.base + "/can-bo/quan-tri/nhat-ky");
    assert.equal(audit.status(), links.audit ? 200 : 403);
    const staff = await page.goto(ctx.server.base + "/can-bo/quan-tri/can-bo");
    assert.equal(staff.status(), links.staff ? 200 : 403);
  });
}
