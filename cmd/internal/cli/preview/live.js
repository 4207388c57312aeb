// gongkai live preview: only preview builds (`gongkai serve`) load this
// script; a production build never names it. It listens to the preview
// server's events (Server-Sent Events, same origin, so the site's CSP
// allows it), reloads the page after each successful build, shows every
// content error in an overlay over the last good page, and lists the
// records the build keeps out of every output in a side panel.
(function () {
  "use strict";
  var me = document.currentScript;
  if (!me || !window.EventSource) return;
  var base = me.src.replace(/live\.js(?:[?#].*)?$/, "");

  // The build this page came from: the server names it in a Server-Timing
  // header, so a build that finished before the events connected still
  // reloads the page.
  var pageBuild = null;
  try {
    var nav = performance.getEntriesByType("navigation")[0];
    (nav && nav.serverTiming || []).forEach(function (t) {
      if (t.name === "gongkai-build") pageBuild = t.description;
    });
  } catch (e) { /* older browsers: the first event sets it */ }

  var css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = base + "live.css";
  document.head.appendChild(css);

  var labels = { withheld: "不发布", scheduled: "定时发布", withdrawn: "已撤回" };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  var overlay = null;
  function showErrors(st) {
    if (overlay) overlay.remove();
    overlay = null;
    if (!st.errors || st.errors.length === 0) return;
    overlay = el("div", "gk-preview-overlay");
    overlay.id = "gk-preview-overlay";
    overlay.setAttribute("role", "alert");
    var box = el("div", "gk-preview-box");
    box.appendChild(el("h2", null, "内容有 " + st.errors.length + " 处错误，网站未更新"));
    box.appendChild(el("p", null, st.has_site
      ? "下面显示的仍是上一次成功构建的页面。改正后页面会自动刷新。"
      : "还没有成功构建过。改正后页面会自动刷新。"));
    var ul = el("ul", "gk-preview-errors");
    st.errors.forEach(function (line) { ul.appendChild(el("li", null, line)); });
    box.appendChild(ul);
    var close = el("button", "gk-preview-close", "暂时隐藏");
    close.type = "button";
    close.addEventListener("click", function () { overlay.hidden = true; });
    box.appendChild(close);
    overlay.appendChild(box);
    document.body.appendChild(overlay);
  }

  var panel = null, open = false;
  function showPanel(st) {
    if (panel) panel.remove();
    var items = st.unpublished || [];
    panel = el("aside", "gk-preview-panel");
    panel.id = "gk-preview-panel";
    panel.setAttribute("aria-label", "预览：不会发布的记录");
    var toggle = el("button", "gk-preview-toggle", "预览 · " + items.length + " 条不会发布");
    toggle.type = "button";
    toggle.setAttribute("aria-expanded", String(open));
    panel.appendChild(toggle);
    var body = el("div", "gk-preview-body");
    body.hidden = !open;
    if (items.length === 0) body.appendChild(el("p", null, "所有记录都会发布。"));
    var ul = el("ul");
    items.forEach(function (u) {
      var li = el("li", "gk-preview-" + u.status);
      li.setAttribute("data-status", u.status);
      li.appendChild(el("strong", null, labels[u.status] || u.status));
      li.appendChild(document.createTextNode(" " + (u.title || u.url || "")));
      li.appendChild(el("code", null, u.path));
      li.appendChild(el("span", "gk-preview-why", why(u)));
      ul.appendChild(li);
    });
    body.appendChild(ul);
    if (st.warnings && st.warnings.length) {
      body.appendChild(el("h2", null, "警告 " + st.warnings.length + " 条"));
      var wl = el("ul", "gk-preview-warnings");
      st.warnings.forEach(function (w) { wl.appendChild(el("li", null, w)); });
      body.appendChild(wl);
    }
    panel.appendChild(body);
    toggle.addEventListener("click", function () {
      open = !open;
      body.hidden = !open;
      toggle.setAttribute("aria-expanded", String(open));
    });
    document.body.appendChild(panel);
  }

  function why(u) {
    switch (u.status) {
    case "scheduled":
      return "发布日期 " + u.date + " 晚于构建日期，到期后的构建才会发布";
    case "withdrawn":
      return "撤回" + (u.date ? "于 " + u.date : "") + (u.reason ? "：" + u.reason : "") + "；原网址显示撤回说明（410）";
    default:
      return u.mode ? "公开方式为“" + u.mode + "”，只有“主动公开”的记录会发布" : "未写公开方式（disclosure），按不公开处理";
    }
  }

  var es = new EventSource(base + "events");
  es.addEventListener("state", function (e) {
    var st = JSON.parse(e.data);
    if (st.ok && st.build && pageBuild !== null && st.build !== pageBuild) {
      location.reload();
      return;
    }
    if (pageBuild === null) pageBuild = st.build;
    document.documentElement.setAttribute("data-gk-preview", st.ok ? "ok" : "error");
    showErrors(st);
    showPanel(st);
  });
})();
