// gongkai: remembers the reading options (large font, high contrast) and
// shows the print button; marks tables that scroll sideways. Everything
// works without this script.
(function () {
  "use strict";
  var store;
  try { store = window.localStorage; } catch (e) { store = null; }
  function each(sel, fn) { Array.prototype.forEach.call(document.querySelectorAll(sel), fn); }
  each("input[data-opt]", function (box) {
    var key = "gongkai-" + box.getAttribute("data-opt");
    if (store && store.getItem(key) === "1") { box.checked = true; }
    box.addEventListener("change", function () {
      if (store) { store.setItem(key, box.checked ? "1" : "0"); }
      tables();
    });
  });
  // A table wider than its region scrolls sideways: mark the region (edge
  // shadows) and say so under it, and again when the width changes.
  var hint = (document.currentScript && document.currentScript.getAttribute("data-scroll-hint")) || "";
  function tables() {
    each(".table-wrap", function (w) {
      var over = w.scrollWidth > w.clientWidth + 1, next = w.nextElementSibling;
      var has = next && next.className === "scroll-hint";
      w.classList.toggle("overflows", over);
      if (over && !has && hint) {
        var p = document.createElement("p");
        p.className = "scroll-hint";
        p.textContent = hint;
        w.parentNode.insertBefore(p, w.nextSibling);
      } else if (!over && has) {
        next.parentNode.removeChild(next);
      }
    });
  }
  document.documentElement.classList.add("js");
  tables();
  window.addEventListener("resize", tables);
  each(".js-print", function (b) {
    b.hidden = false;
    b.addEventListener("click", function () { window.print(); });
  });
})();
