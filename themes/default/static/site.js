// gongkai: remembers the reading options (large font, high contrast) and
// shows the print button. Everything works without this script.
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
    });
  });
  each(".js-print", function (b) {
    b.hidden = false;
    b.addEventListener("click", function () { window.print(); });
  });
})();
