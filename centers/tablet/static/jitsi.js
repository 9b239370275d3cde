/* Ieum — open a session's Jitsi room inside the page with the IFrame API.
 *
 *   IeumRoom.open({joinUrl, presenceUrl, container, onOpen, onClose, onError, messages})
 *
 * Asks Ieum for the room and a signed token (GET joinUrl), loads the Jitsi server's
 * external_api.js, and creates the conference with pre-join and deep-linking off, the name
 * read-only, Korean, camera and microphone on. The IFrame's joined/left events are posted back
 * (POST presenceUrl) so Ieum knows the center came even before anyone types a headcount.
 *
 * A drop is told apart from leaving: the user leaves with the page's button (or Jitsi's own
 * hang-up, which is followed by readyToClose); a conference that ends otherwise, or a fatal
 * error after joining, is posted as `dropped` and the room stays open for Jitsi to reconnect
 * (its next videoConferenceJoined is posted as a new `joined`). A room that cannot be entered
 * (the Jitsi script unreachable, a fatal error before joining) is posted as `join_failed`.
 * cfg.onDrop / cfg.onRejoin let the page say so.
 */
(function () {
  'use strict';

  var scripts = {};

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute('content') : '';
  }

  function post(url, body) {
    try {
      return fetch(url, {
        method: 'POST', credentials: 'same-origin', keepalive: true,
        headers: {'Content-Type': 'application/json', 'Accept': 'application/json', 'X-CSRFToken': csrfToken()},
        body: JSON.stringify(body)
      }).catch(function () { return null; });
    } catch (e) {
      return Promise.resolve(null);
    }
  }

  function loadScript(src) {
    if (window.JitsiMeetExternalAPI) { return Promise.resolve(); }
    if (!scripts[src]) {
      scripts[src] = new Promise(function (resolve, reject) {
        var el = document.createElement('script');
        el.src = src;
        el.async = true;
        el.onload = function () { resolve(); };
        el.onerror = function () { delete scripts[src]; el.remove(); reject(new Error('script')); };
        document.head.appendChild(el);
      });
    }
    return scripts[src];
  }

  function options(data, parentNode) {
    return {
      roomName: data.iframe_room,
      jwt: data.jwt,
      parentNode: parentNode,
      width: '100%',
      height: '100%',
      lang: 'ko',
      userInfo: {displayName: data.display_name},
      configOverwrite: {
        prejoinConfig: {enabled: false},
        prejoinPageEnabled: false,
        disableDeepLinking: true,
        readOnlyName: true,
        startWithAudioMuted: false,
        startWithVideoMuted: false,
        startAudioOnly: false,
        defaultLanguage: 'ko',
        enableWelcomePage: false,
        enableClosePage: false,
        disableInviteFunctions: true,
        enableInsecureRoomNameWarning: false
      },
      interfaceConfigOverwrite: {
        MOBILE_APP_PROMO: false,
        SHOW_CHROME_EXTENSION_BANNER: false,
        HIDE_INVITE_MORE_HEADER: true
      }
    };
  }

  // How long after videoConferenceLeft a readyToClose (Jitsi's own hang-up) may follow.
  var HANGUP_GRACE_MS = 1500;

  function open(cfg) {
    var messages = cfg.messages || {};
    var api = null;
    var endpoint = null;
    var closed = false;
    var joinedOnce = false;
    var dropTimer = null;
    var leaving = false;

    function fail(message) {
      if (cfg.onError) { cfg.onError(message); }
    }

    function close() {
      if (closed) { return; }
      closed = true;
      if (dropTimer) { window.clearTimeout(dropTimer); dropTimer = null; }
      window.removeEventListener('pagehide', onPageHide);
      if (endpoint !== null) { post(cfg.presenceUrl, {event: 'left', participant_id: endpoint}); }
      if (api) { try { api.dispose(); } catch (e) { /* already gone */ } }
      api = null;
      if (cfg.onClose) { cfg.onClose(); }
    }

    function onPageHide() { close(); }

    function dropped() {
      if (dropTimer) { window.clearTimeout(dropTimer); dropTimer = null; }
      if (closed || endpoint === null) { return; }
      post(cfg.presenceUrl, {event: 'dropped', participant_id: endpoint});
      endpoint = null;
      if (cfg.onDrop) { cfg.onDrop(); }
    }

    function joinFailed(message) {
      if (closed) { return; }
      post(cfg.presenceUrl, {event: 'join_failed'});
      closed = true;
      window.removeEventListener('pagehide', onPageHide);
      if (api) { try { api.dispose(); } catch (e) { /* already gone */ } }
      api = null;
      fail(message);
    }

    var controller = {
      leave: function () {
        leaving = true;
        if (api) { try { api.executeCommand('hangup'); } catch (e) { /* ignore */ } }
        close();
      },
      get api() { return api; }
    };

    fetch(cfg.joinUrl, {credentials: 'same-origin', headers: {'Accept': 'application/json'}})
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          if (!response.ok) {
            throw new Error((body && body.error && body.error.message) || messages.failed || 'error');
          }
          return body;
        });
      })
      .then(function (data) {
        if (!data.jwt || !data.domain) { throw new Error(messages.notConfigured || 'not configured'); }
        return loadScript(data.external_api_url).then(function () { return data; }, function () {
          post(cfg.presenceUrl, {event: 'join_failed'});
          throw new Error(messages.unreachable || messages.failed || 'error');
        });
      })
      .then(function (data) {
        if (closed) { return; }
        if (cfg.onOpen) { cfg.onOpen(data); }
        api = new window.JitsiMeetExternalAPI(data.domain, options(data, cfg.container));
        api.addListener('videoConferenceJoined', function (event) {
          if (dropTimer) { window.clearTimeout(dropTimer); dropTimer = null; }
          var id = (event && event.id) ? String(event.id) : 'local';
          if (endpoint !== null && endpoint !== id) {
            // back under a new id without a leave in between: the old connection dropped
            post(cfg.presenceUrl, {event: 'dropped', participant_id: endpoint});
          }
          var rejoined = joinedOnce;
          endpoint = id;
          joinedOnce = true;
          post(cfg.presenceUrl, {event: 'joined', participant_id: endpoint});
          if (rejoined && cfg.onRejoin) { cfg.onRejoin(); }
        });
        api.addListener('videoConferenceLeft', function () {
          if (closed || leaving) { return; }
          // Jitsi's own hang-up is followed by readyToClose; anything else is a drop.
          if (dropTimer) { window.clearTimeout(dropTimer); }
          dropTimer = window.setTimeout(dropped, HANGUP_GRACE_MS);
        });
        api.addListener('readyToClose', function () {
          if (dropTimer) { window.clearTimeout(dropTimer); dropTimer = null; }
          close();
        });
        api.addListener('errorOccurred', function (event) {
          var error = (event && event.error) || {};
          if (!error.isFatal) { return; }
          if (joinedOnce) { dropped(); } else { joinFailed(messages.failed || 'error'); }
        });
        window.addEventListener('pagehide', onPageHide);
      })
      .catch(function (error) {
        closed = true;
        fail(error.message);
      });

    return controller;
  }

  window.IeumRoom = {open: open, options: options};
})();
