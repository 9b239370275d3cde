/* Ieum — the live board (/live). The server paints it; this script keeps it current:
 * - /live/stream (server-sent events) says what changed; the board then fetches /live/panel and
 *   replaces only the units whose digest changed (a note being typed is never wiped);
 * - when the stream breaks it polls /live/panel every data-poll-seconds until it is back;
 * - a new call for help is announced (aria-live) and beeps (WebAudio) unless the coordinator
 *   turned the sound off (remembered in localStorage);
 * - the session picker switches sessions without a reload; resolving posts to the API. */
(function () {
  'use strict';
  var board = document.getElementById('live-board');
  if (!board) { return; }
  var tools = document.getElementById('live-tools');
  var soundButton = document.getElementById('live-sound');
  var connection = document.getElementById('live-connection');
  var announcer = document.getElementById('live-announce');
  var csrf = document.querySelector('meta[name="csrf-token"]');
  var SOUND_KEY = 'ieum.live.sound';
  var pollMs = (parseInt(board.getAttribute('data-poll-seconds'), 10) || 10) * 1000;
  var refreshMs = (parseInt(board.getAttribute('data-refresh-seconds'), 10) || 60) * 1000;
  var source = null;
  var pollTimer = null;
  var refreshTimer = null;
  var changeTimer = null;
  var inFlight = false;
  var again = false;
  var audio = null;
  var wanted = null; // the session picked, until its panel arrives

  function panel() { return board.querySelector('[data-live-panel]'); }
  function sessionId() { return wanted || panel().getAttribute('data-session-id') || ''; }

  // --- sound ----------------------------------------------------------------------------------
  function soundOn() {
    try { return window.localStorage.getItem(SOUND_KEY) !== 'off'; } catch (e) { return true; }
  }
  function showSound() { soundButton.setAttribute('aria-pressed', soundOn() ? 'true' : 'false'); }
  function unlockAudio() {
    // Browsers start audio only after a gesture: make (or wake) the context on one.
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) { return; }
    if (!audio) { audio = new Context(); }
    if (audio.state === 'suspended') { audio.resume(); }
  }
  function beep() {
    if (!soundOn() || !audio || audio.state !== 'running') { return; }
    var now = audio.currentTime;
    [0, 0.25].forEach(function (offset) {
      var osc = audio.createOscillator();
      var gain = audio.createGain();
      osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.0001, now + offset);
      gain.gain.exponentialRampToValueAtTime(0.3, now + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + offset + 0.18);
      osc.connect(gain);
      gain.connect(audio.destination);
      osc.start(now + offset);
      osc.stop(now + offset + 0.2);
    });
    board.setAttribute('data-beeps', String(parseInt(board.getAttribute('data-beeps'), 10) + 1));
  }
  soundButton.addEventListener('click', function () {
    var on = !soundOn();
    try { window.localStorage.setItem(SOUND_KEY, on ? 'on' : 'off'); } catch (e) { /* private mode */ }
    if (on) { unlockAudio(); }
    showSound();
  });
  document.addEventListener('pointerdown', unlockAudio, {once: true});
  document.addEventListener('keydown', unlockAudio, {once: true});

  // --- replacing what changed ---------------------------------------------------------------
  function openHelp(root) {
    var found = {};
    root.querySelectorAll('[data-live-list="help"] [data-live-key]').forEach(function (item) {
      found[item.getAttribute('data-live-key')] = item.getAttribute('data-help-center');
    });
    return found;
  }
  function sessionsHelp(root) {
    var found = {};
    root.querySelectorAll('[data-live-list="sessions"] [data-live-key]').forEach(function (item) {
      found[item.getAttribute('data-live-key')] = {
        open: parseInt(item.getAttribute('data-help-open'), 10) || 0,
        title: item.getAttribute('data-title')
      };
    });
    return found;
  }
  function busy(item) {
    // A unit holding the focus or a typed note waits for the next update.
    if (item.contains(document.activeElement) && document.activeElement !== document.body) {
      var tag = document.activeElement.tagName;
      if (tag === 'TEXTAREA' || tag === 'INPUT') { return true; }
    }
    var field = item.querySelector('textarea');
    return !!(field && field.value);
  }
  function patchList(current, fresh) {
    var old = {};
    Array.prototype.forEach.call(current.children, function (item) {
      old[item.getAttribute('data-live-key')] = item;
    });
    var keep = {};
    var previous = null;
    // A copy: moving a fresh unit into the page takes it out of fresh.children.
    Array.prototype.slice.call(fresh.children).forEach(function (item) {
      var key = item.getAttribute('data-live-key');
      var mine = old[key];
      keep[key] = true;
      if (mine && (mine.getAttribute('data-digest') === item.getAttribute('data-digest') || busy(mine))) {
        item = mine;
      } else if (mine) {
        var focused = mine.contains(document.activeElement) ? document.activeElement.getAttribute('href') : null;
        mine.replaceWith(item);
        if (focused) {
          var refocus = item.querySelector('[href="' + focused + '"]');
          if (refocus) { refocus.focus(); }
        }
      }
      var at = previous ? previous.nextSibling : current.firstChild;
      if (at !== item) { current.insertBefore(item, at); }
      previous = item;
    });
    Object.keys(old).forEach(function (key) { if (!keep[key]) { old[key].remove(); } });
  }
  function apply(html) {
    var holder = document.createElement('div');
    holder.innerHTML = html;
    var fresh = holder.querySelector('[data-live-panel]');
    var mine = panel();
    if (!fresh) { return; }
    var before = openHelp(mine);
    var beforeSessions = sessionsHelp(mine);
    var shown = mine.getAttribute('data-session-id');
    var sameShape = fresh.getAttribute('data-session-id') === mine.getAttribute('data-session-id') &&
      fresh.querySelectorAll('[data-live-list]').length === mine.querySelectorAll('[data-live-list]').length;
    if (!sameShape) {
      mine.replaceWith(fresh);
      if (wanted === fresh.getAttribute('data-session-id')) {
        wanted = null;
        var heading = document.getElementById('live-session-title');
        if (heading) { heading.focus(); } // the session just picked
      }
    } else {
      fresh.querySelectorAll('[data-live-list]').forEach(function (list) {
        var name = list.getAttribute('data-live-list');
        var current = mine.querySelector('[data-live-list="' + name + '"]');
        if (current) { patchList(current, list); }
      });
      var none = mine.querySelector('.live-help__none');
      var freshNone = fresh.querySelector('.live-help__none');
      if (none && !freshNone) { none.remove(); }
      if (!none && freshNone) {
        var list = mine.querySelector('[data-live-list="help"]');
        if (list) { list.after(freshNone); }
      }
      mine.setAttribute('data-next-change', fresh.getAttribute('data-next-change') || '');
    }
    // New calls for help: the shown session's centers by name, other sessions by title.
    var messages = [];
    if (fresh.getAttribute('data-session-id') === shown) {
      var after = openHelp(panel());
      Object.keys(after).forEach(function (key) {
        if (!(key in before)) { messages.push(board.getAttribute('data-msg-help').replace('{center}', after[key])); }
      });
    }
    var afterSessions = sessionsHelp(panel());
    Object.keys(afterSessions).forEach(function (key) {
      var was = beforeSessions[key];
      if (key !== panel().getAttribute('data-session-id') && was && afterSessions[key].open > was.open) {
        messages.push(board.getAttribute('data-msg-help-session').replace('{session}', afterSessions[key].title));
      }
    });
    if (messages.length) {
      announcer.textContent = messages.join('. ');
      beep();
    }
    scheduleChange();
    board.setAttribute('data-updated', String(Date.now()));
  }

  function refresh() {
    if (inFlight) { again = true; return; }
    inFlight = true;
    var query = [];
    if (sessionId()) { query.push('session_id=' + encodeURIComponent(sessionId())); }
    if (board.getAttribute('data-county-id')) { query.push('county_id=' + encodeURIComponent(board.getAttribute('data-county-id'))); }
    var url = board.getAttribute('data-panel-url') + (query.length ? '?' + query.join('&') : '');
    fetch(url, {credentials: 'same-origin', headers: {'Accept': 'text/html'}})
      .then(function (r) {
        // Signed out meanwhile (sent to the login page): show that page instead of a stale board.
        if (r.redirected) { window.location.reload(); return null; }
        return r.ok ? r.text() : null;
      })
      .then(function (html) { if (html) { apply(html); } })
      .catch(function () { /* the next event or poll tries again */ })
      .then(function () {
        inFlight = false;
        if (again) { again = false; window.setTimeout(refresh, 200); }
      });
  }
  var pending = null;
  function soon() {
    if (pending) { return; }
    pending = window.setTimeout(function () { pending = null; refresh(); }, 150);
  }
  function scheduleChange() {
    // A center that has not joined becomes late at start + 5 minutes: look again then.
    window.clearTimeout(changeTimer);
    var seconds = parseInt(panel().getAttribute('data-next-change'), 10);
    if (seconds > 0) { changeTimer = window.setTimeout(refresh, seconds * 1000); }
  }

  // --- the stream, and polling when it breaks -----------------------------------------------
  function say(state) {
    connection.setAttribute('data-state', state);
    connection.textContent = connection.getAttribute('data-msg-' + state);
  }
  function startPolling() {
    if (pollTimer) { return; }
    say('polling');
    pollTimer = window.setInterval(refresh, pollMs);
  }
  function stopPolling() {
    window.clearInterval(pollTimer);
    pollTimer = null;
  }
  function connect() {
    if (!window.EventSource) { startPolling(); return; }
    source = new window.EventSource(board.getAttribute('data-stream-url'));
    // A stream that does not open (a server with every thread busy) is no stream: poll meanwhile.
    var waiting = window.setTimeout(startPolling, pollMs);
    source.addEventListener('open', function () {
      window.clearTimeout(waiting);
      stopPolling();
      say('live');
      refresh(); // whatever happened while we were away
    });
    source.addEventListener('error', function () {
      if (source.readyState === window.EventSource.CLOSED) {
        startPolling();
        source = null;
        window.setTimeout(connect, pollMs * 3);
        return;
      }
      // Reconnecting by itself (the stream's maximum age, a network blip): poll only if it is
      // not back by the next poll.
      window.clearTimeout(waiting);
      waiting = window.setTimeout(startPolling, pollMs);
    });
    ['presence', 'attendance', 'help'].forEach(function (kind) {
      source.addEventListener(kind, function () { soon(); });
    });
    source.addEventListener('end', function () { source.close(); source = null; startPolling(); });
  }
  window.addEventListener('pagehide', function () { if (source) { source.close(); } });

  // --- the session picker and resolving -----------------------------------------------------
  board.addEventListener('click', function (event) {
    var link = event.target.closest ? event.target.closest('a[data-live-session]') : null;
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button) { return; }
    event.preventDefault();
    wanted = link.getAttribute('data-live-session');
    window.history.pushState({session: link.getAttribute('data-live-session')}, '', link.href);
    refresh();
  });
  window.addEventListener('popstate', function () {
    var match = /[?&]session_id=(\d+)/.exec(window.location.search);
    wanted = match ? match[1] : null;
    refresh();
  });
  board.addEventListener('submit', function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains('live-resolve')) { return; }
    event.preventDefault();
    var button = form.querySelector('button[type="submit"]');
    var error = form.querySelector('.live-resolve__error');
    button.disabled = true;
    error.hidden = true;
    fetch(form.getAttribute('data-api'), {
      method: 'POST',
      credentials: 'same-origin',
      headers: {'Content-Type': 'application/json', 'Accept': 'application/json',
                'X-CSRFToken': csrf ? csrf.getAttribute('content') : ''},
      body: JSON.stringify({note: form.querySelector('textarea').value})
    }).then(function (r) {
      if (!r.ok) { throw new Error(String(r.status)); }
      form.querySelector('textarea').value = '';
      document.getElementById('live-help-title').focus();
      refresh();
    }).catch(function () {
      error.textContent = board.getAttribute('data-msg-resolve-failed');
      error.hidden = false;
      button.disabled = false;
    });
  });

  tools.hidden = false;
  showSound();
  scheduleChange();
  window.setInterval(function () { if (!pollTimer) { refresh(); } }, refreshMs);
  say('connecting');
  connect();
})();
