// The import page's progress, kept up to date while a worker imports the file. Without
// JavaScript the page has a refresh link instead. Polls the import's API address every two
// seconds; the text is in a polite live region, changed only when the figures change; once
// the import has finished the page is reloaded to show the outcome and the row report.
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box || !window.fetch) {
    return;
  }
  var url = box.getAttribute("data-progress-url");
  var bar = document.getElementById("import-progress-bar");
  var text = document.getElementById("import-progress-text");
  var finished = { done: true, invalid: true, failed: true };

  function describe(data) {
    if (data.status === "importing") {
      return data.processed_rows + " of " + data.total_rows + " rows done.";
    }
    if (data.status === "validating") {
      return "Checking the file: " + data.total_rows + " rows so far.";
    }
    return "Waiting for a worker.";
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) {
          return;
        }
        if (finished[data.status]) {
          window.location.reload();
          return;
        }
        bar.value = data.progress;
        bar.textContent = data.progress + "%";
        var message = describe(data);
        if (text.textContent !== message) {
          text.textContent = message;
        }
        window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }

  window.setTimeout(poll, 2000);
})();
