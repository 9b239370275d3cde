/* Ieum — the instructor's room page: moderator join, and who is in the room (every 15 s). */
(function () {
  'use strict';
  var page = document.getElementById('room-page');
  var join = document.getElementById('moderator-join');
  var leave = document.getElementById('moderator-leave');
  var frame = document.getElementById('room-frame');
  var errorEl = document.getElementById('room-error');
  var controller = null;

  function closed() {
    frame.hidden = true;
    frame.textContent = '';
    leave.hidden = true;
    join.hidden = false;
    join.focus();
  }

  if (join) {
    join.addEventListener('click', function () {
      errorEl.hidden = true;
      controller = window.IeumRoom.open({
        joinUrl: join.getAttribute('data-join-url'),
        presenceUrl: join.getAttribute('data-presence-url'),
        container: frame,
        messages: {
          notConfigured: page.getAttribute('data-msg-not-configured'),
          failed: page.getAttribute('data-msg-failed'),
          unreachable: page.getAttribute('data-msg-unreachable')
        },
        onOpen: function () { frame.hidden = false; join.hidden = true; leave.hidden = false; },
        onClose: closed,
        onError: function (message) { errorEl.textContent = message; errorEl.hidden = false; }
      });
    });
    leave.addEventListener('click', function () { if (controller) { controller.leave(); } });
  }

  var summary = document.getElementById('presence-summary');
  var lang = document.documentElement.getAttribute('lang') || 'ko';
  var fmt = new Intl.DateTimeFormat(lang === 'ko' ? 'ko-KR' : 'en-US', {hour: 'numeric', minute: '2-digit', timeZone: 'Asia/Seoul'});
  function time(value) { return value ? fmt.format(new Date(value)) : '—'; }

  function refresh() {
    fetch(summary.getAttribute('data-url'), {credentials: 'same-origin', headers: {'Accept': 'application/json'}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        summary.textContent = summary.getAttribute('data-template')
          .replace('{n}', data.in_room).replace('{total}', data.invited);
        data.centers.forEach(function (c) {
          var row = document.querySelector('#presence-table tr[data-center="' + c.center_id + '"]');
          if (!row) { return; }
          var now = row.querySelector('.presence-now');
          now.textContent = '';
          if (c.in_room) {
            var span = document.createElement('span');
            span.className = 'in-room';
            span.textContent = now.getAttribute('data-in-room') || '●';
            now.appendChild(span);
          } else {
            now.textContent = '—';
          }
          row.querySelector('.presence-joined').textContent = time(c.joined_at);
          row.querySelector('.presence-left').textContent = time(c.left_at);
        });
      })
      .catch(function () { /* try again on the next tick */ });
  }
  if (summary) { window.setInterval(refresh, 15000); }
})();
