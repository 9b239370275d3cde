/* The printable report's 인쇄 button (no inline handlers under the Content-Security-Policy). */
(function () {
  'use strict';
  document.addEventListener('click', function (event) {
    var button = event.target.closest('[data-print]');
    if (button) { window.print(); }
  });
})();
