/* Ieum — the tablet's "도움 요청" button. Without this script it is a plain form POST (the page
 * reloads with the confirmation). With it, one tap posts to the API and the confirmation is
 * shown in place, so a video call in progress is not interrupted. Asking again while a request
 * is open changes nothing on the server, so a double tap is harmless. */
(function () {
  'use strict';

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute('content') : '';
  }

  function announce(text, failed) {
    document.querySelectorAll('[data-help-status]').forEach(function (el) {
      el.textContent = text;
      el.classList.toggle('tablet-help__status--error', Boolean(failed));
    });
  }

  document.querySelectorAll('form[data-help-form]').forEach(function (form) {
    var button = form.querySelector('button[type="submit"]');
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      if (button.getAttribute('aria-busy') === 'true') { return; }
      button.setAttribute('aria-busy', 'true');
      fetch(form.getAttribute('data-api-url'), {
        method: 'POST', credentials: 'same-origin',
        headers: {'Content-Type': 'application/json', 'Accept': 'application/json',
                  'X-CSRFToken': csrfToken(), 'X-Ieum-Source': 'tablet'},
        body: '{}'
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          if (response.ok) {
            announce(form.getAttribute('data-msg-done'), false);
          } else {
            announce((body && body.error && body.error.message) || form.getAttribute('data-msg-failed'), true);
          }
        });
      }, function () {
        announce(form.getAttribute('data-msg-failed'), true);
      }).then(function () { button.removeAttribute('aria-busy'); });
    });
  });
})();
