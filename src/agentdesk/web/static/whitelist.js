// Address whitelist [地址白名单] (operations console): the origins pop pages may be opened from.
import { escapeHtml, t } from "/static/ad.js";
import { mountResource } from "/static/crud.js";

mountResource(document.getElementById("resource"), {
  endpoint: "/api/ops/whitelist",
  title: ["地址白名单", "Address whitelist"],
  noun: ["白名单地址", "whitelist entry"],
  nameKey: "pattern",
  intro: [
    "租户配置的外部弹屏页面只有在其地址与白名单中的某一条匹配时才会打开。匹配按 协议 + 主机 + 端口（+ 可选的路径前缀）逐项比较，从不按子串匹配：https://crm.example.com 不匹配 https://crm.example.com.evil.com。通配符只能作为主机开头的“*.”，且只匹配一级：*.example.com 匹配 a.example.com，不匹配 example.com 或 a.b.example.com。",
    "An external pop page configured by a tenant opens only if its URL matches an entry here. Matching compares scheme + host + port (+ an optional path prefix) part by part, never as a substring: https://crm.example.com does not match https://crm.example.com.evil.com. A wildcard is allowed only as a leading \"*.\" of the host and covers exactly one label: *.example.com matches a.example.com, not example.com or a.b.example.com.",
  ],
  empty: ["白名单为空：租户的外部弹屏页面都不会打开。", "The whitelist is empty: no tenant's external pop page will open."],
  columns: [
    { key: "pattern", label: ["地址", "Pattern"], render: (e) => `<span class="kv" data-pattern>${escapeHtml(e.pattern)}</span>` },
    {
      key: "allow_private", label: ["允许内网地址", "Private addresses allowed"],
      render: (e) => e.allow_private ? `<span class="badge warn">${escapeHtml(t("允许", "Allowed"))}</span>` : `<span class="muted">${escapeHtml(t("否", "No"))}</span>`,
    },
    { key: "note", label: ["备注", "Note"] },
  ],
  fields: [
    {
      name: "pattern", label: ["地址", "Pattern"], placeholder: ["https://crm.example.com/app/", "https://crm.example.com/app/"],
      hint: ["协议://主机[:端口][/路径前缀]；主机可以以“*.”开头", "scheme://host[:port][/path-prefix]; the host may start with \"*.\""],
    },
    {
      name: "allow_private", label: ["允许检查访问内网/本机地址", "Let the page check reach private / loopback addresses"],
      hint: ["仅用于内网部署的页面；默认只访问公网地址", "Only for pages hosted on an internal network; by default only public addresses are fetched"],
    },
    { name: "note", label: ["备注", "Note"] },
  ],
});
