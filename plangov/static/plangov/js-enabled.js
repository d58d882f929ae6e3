// Loaded first in <body> (a file, not inline, for the Content-Security-Policy): tells GOV.UK
// Frontend's CSS that JavaScript runs and whether the browser supports its ES modules.
document.body.className += ' js-enabled' +
  ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');
