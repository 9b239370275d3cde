/* Ieum — the tablet's clock, its home screen (the big join button), and the pairing keypad. */
(function () {
  'use strict';

  var root = document.documentElement;
  var lang = root.getAttribute('lang') || 'ko';
  var clockEl = document.getElementById('tablet-clock');
  // The server's clock is the reference: tablets' own clocks drift.
  var serverNow = clockEl ? Number(clockEl.getAttribute('data-server-now')) : Date.now();
  var offset = serverNow ? serverNow - Date.now() : 0;

  function now() { return Date.now() + offset; }

  var timeFormat = new Intl.DateTimeFormat(lang === 'ko' ? 'ko-KR' : 'en-US',
    {hour: 'numeric', minute: '2-digit', timeZone: 'Asia/Seoul'});

  function tick() {
    if (clockEl) { clockEl.textContent = timeFormat.format(new Date(now())); }
  }

  if (clockEl) { tick(); window.setInterval(tick, 1000); }

  // --- home: the big button opens the room; the page refreshes when a session changes state.
  var home = document.getElementById('tablet-home');
  if (home) {
    var button = document.getElementById('join-button');
    var room = document.getElementById('room');
    var frame = document.getElementById('room-frame');
    var leave = document.getElementById('leave-button');
    var errorEl = document.getElementById('join-error');
    var inRoom = false;
    var controller = null;
    var roomStatus = document.getElementById('room-status');
    var messages = {
      notConfigured: home.getAttribute('data-msg-not-configured'),
      failed: home.getAttribute('data-msg-failed'),
      unreachable: home.getAttribute('data-msg-unreachable')
    };

    function stateAt(el, t) {
      if (el.getAttribute('data-state') === 'cancelled') { return 'cancelled'; }
      if (t < Number(el.getAttribute('data-opens-at'))) { return 'upcoming'; }
      if (t < Number(el.getAttribute('data-ends-at'))) { return 'open'; }
      return 'ended';
    }

    var seoulDate = new Intl.DateTimeFormat('en-CA', {timeZone: 'Asia/Seoul', year: 'numeric', month: '2-digit', day: '2-digit'});

    // Reload when a session opens or ends, or at midnight — but never mid-call or offline.
    window.setInterval(function () {
      if (inRoom || navigator.onLine === false) { return; }
      var t = now();
      var changed = Array.prototype.some.call(document.querySelectorAll('[data-opens-at]'), function (el) {
        return stateAt(el, t) !== el.getAttribute('data-state');
      });
      if (changed || seoulDate.format(new Date(t)) !== home.getAttribute('data-today')) { window.location.reload(); }
    }, 5000);

    function showError(message) {
      // Joining failed: the help button (when offered) is right below; say so.
      var help = document.querySelector('.tablet-help--hero');
      errorEl.textContent = help ? message + ' ' + home.getAttribute('data-msg-help-hint') : message;
      errorEl.hidden = false;
      button.removeAttribute('aria-busy');
      if (inRoom) { inRoom = false; room.hidden = true; frame.textContent = ''; }
    }

    function closeRoom() {
      var wasInRoom = inRoom;
      inRoom = false;
      // Class over (the call ended after the start): straight on to recording attendance.
      var formUrl = button && button.getAttribute('data-attendance-url');
      if (wasInRoom && formUrl && now() >= Number(button.getAttribute('data-starts-at'))) {
        window.location.href = formUrl;
        return;
      }
      room.hidden = true;
      frame.textContent = '';
      button.removeAttribute('aria-busy');
      button.focus();
    }

    if (button) {
      button.addEventListener('click', function () {
        if (button.disabled || inRoom) { return; }
        errorEl.hidden = true;
        button.setAttribute('aria-busy', 'true');
        controller = window.IeumRoom.open({
          joinUrl: button.getAttribute('data-join-url'),
          presenceUrl: button.getAttribute('data-presence-url'),
          container: frame,
          messages: messages,
          onOpen: function () {
            inRoom = true;
            room.hidden = false;
            leave.focus();
          },
          onClose: closeRoom,
          onError: showError,
          onDrop: function () { if (roomStatus) { roomStatus.textContent = home.getAttribute('data-msg-dropped'); } },
          onRejoin: function () { if (roomStatus) { roomStatus.textContent = ''; } }
        });
      });
    }
    if (leave) {
      leave.addEventListener('click', function () { if (controller) { controller.leave(); } else { closeRoom(); } });
    }
  }

  // --- pairing keypad: digits go into the code field; no keyboard needed.
  var pair = document.getElementById('pair-form');
  if (pair) {
    var input = document.getElementById('pair-code');
    var max = Number(input.getAttribute('maxlength')) || 6;
    input.setAttribute('readonly', 'readonly');
    input.setAttribute('inputmode', 'none');
    var keypad = document.getElementById('keypad');
    if (keypad) { keypad.hidden = false; }
    pair.querySelectorAll('[data-digit]').forEach(function (key) {
      key.addEventListener('click', function () {
        if (input.value.length < max) { input.value += key.getAttribute('data-digit'); }
      });
    });
    var erase = pair.querySelector('[data-erase]');
    if (erase) { erase.addEventListener('click', function () { input.value = input.value.slice(0, -1); }); }
    var clear = pair.querySelector('[data-clear]');
    if (clear) { clear.addEventListener('click', function () { input.value = ''; }); }
  }
})();
