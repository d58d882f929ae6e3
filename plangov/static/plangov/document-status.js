// The document page while a signed PDF is being made: asks the status endpoint every few
// seconds and updates the polite live region (#document-progress), so a screen reader hears
// progress without the page reloading. Without JavaScript the page offers a Refresh link.
(function () {
  var region = document.getElementById('document-progress');
  if (!region || !window.fetch) { return; }
  var url = region.getAttribute('data-status-url');
  var delay = 3000;
  var last = region.textContent;

  function poll () {
    fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (response) {
        if (!response.ok) { throw new Error('status ' + response.status); }
        return response.json();
      })
      .then(function (data) {
        if (data.message !== last) {
          region.textContent = data.message;
          last = data.message;
        }
        if (data.working) { window.setTimeout(poll, delay); }
      })
      .catch(function () {
        // Stop quietly: the Refresh link still works.
      });
  }

  window.setTimeout(poll, delay);
})();
