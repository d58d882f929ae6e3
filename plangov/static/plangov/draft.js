// The draft editor's one convenience: a warning before leaving a section page with changes
// that were not saved. Everything works without it; the page saves only when a button is
// pressed.
(function () {
  "use strict";
  var form = document.getElementById("yours");
  if (!form || !window.addEventListener) {
    return;
  }
  var changed = false;
  form.addEventListener("input", function () { changed = true; });
  form.addEventListener("change", function () { changed = true; });
  form.addEventListener("submit", function () { changed = false; });
  window.addEventListener("beforeunload", function (event) {
    if (changed) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
