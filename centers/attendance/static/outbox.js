/* Ieum tablet outbox: attendance that is never lost.

   Included on every tablet page (centers/tablet/_offline.html). It
   - registers the service worker (/tablet/sw.js, scope /tablet) and asks it to cache the
     current page and every link marked data-offline-cache (the day's attendance forms);
   - keeps submissions in IndexedDB ("outbox", one per session and center, each with its own
     client-made client_ref) and sends them to the API with the page's session cookie and the
     X-CSRFToken header, now and whenever the network returns; the server treats client_ref as
     an idempotency key, so sending twice is harmless;
   - remembers each submission's outcome ("saved") so a page reloaded from the cache still
     says plainly whether a record is saved or waiting;
   - keeps the tablet's clock honest: recorded_at is the tablet's time corrected by the
     server's (data-server-now on a page fresh from the network).

   window.IeumOutbox = {queue(item), flush(), status(key), onChange(fn), now(), fromCache} */
(function () {
  "use strict";
  if (window.IeumOutbox) return;

  var panel = document.getElementById("ieum-offline");
  var DB_NAME = "ieum-tablet";
  var CLOCK_KEY = "ieum.clockOffset";
  var RETRY_MS = 15000;
  var listeners = [];
  var dbPromise = null;
  var flushing = null;

  // --- IndexedDB ----------------------------------------------------------------------

  function openDb() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var request = indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = function () {
          var db = request.result;
          if (!db.objectStoreNames.contains("outbox")) db.createObjectStore("outbox", {keyPath: "key"});
          if (!db.objectStoreNames.contains("saved")) db.createObjectStore("saved", {keyPath: "key"});
        };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { reject(request.error); };
      });
    }
    return dbPromise;
  }

  function withStore(name, mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(name, mode);
        var result;
        work(tx.objectStore(name), function (value) { result = value; });
        tx.oncomplete = function () { resolve(result); };
        tx.onerror = function () { reject(tx.error); };
        tx.onabort = function () { reject(tx.error); };
      });
    });
  }

  function getOne(name, key) {
    return withStore(name, "readonly", function (store, done) {
      var r = store.get(key);
      r.onsuccess = function () { done(r.result || null); };
    });
  }

  function getAll(name) {
    return withStore(name, "readonly", function (store, done) {
      var r = store.getAll();
      r.onsuccess = function () { done(r.result || []); };
    });
  }

  function putOne(name, value) {
    return withStore(name, "readwrite", function (store) { store.put(value); });
  }

  // Remove the queued item only if it is still the one that was sent (a newer one may have
  // replaced it while the request was on its way).
  function removeIfSent(key, clientRef) {
    return withStore("outbox", "readwrite", function (store) {
      var r = store.get(key);
      r.onsuccess = function () {
        if (r.result && r.result.body.client_ref === clientRef) store.delete(key);
      };
    });
  }

  // --- the clock ----------------------------------------------------------------------

  var fromCache = !!(panel && panel.dataset.pageSource === "cache");
  var offset = 0;
  try {
    var stored = parseFloat(localStorage.getItem(CLOCK_KEY));
    if (!isNaN(stored)) offset = stored;
    var serverNow = panel && Date.parse(panel.dataset.serverNow || "");
    if (!fromCache && serverNow) {
      offset = serverNow - Date.now();
      localStorage.setItem(CLOCK_KEY, String(offset));
    }
  } catch (err) { /* private mode: no correction */ }

  function now() { return Date.now() + offset; }

  // --- sending ------------------------------------------------------------------------

  function csrfToken(item) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return (meta && meta.content) || item.csrf || "";
  }

  function notify() {
    updatePanel();
    listeners.forEach(function (fn) { try { fn(); } catch (err) { /* keep going */ } });
  }

  function send(item) {
    var headers = {
      "Content-Type": "application/json",
      "Accept": "application/json",
      "X-CSRFToken": csrfToken(item),
      "X-Ieum-Source": "tablet",
      "Accept-Language": document.documentElement.lang || "ko"
    };
    return fetch(item.url, {
      method: "PUT", credentials: "same-origin", headers: headers, body: JSON.stringify(item.body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return {status: response.status, data: data};
      });
    }, function () {
      return {status: 0, data: null};  // no network
    });
  }

  function handle(item, answer) {
    var ref = item.body.client_ref;
    if (answer.status >= 200 && answer.status < 300) {
      return removeIfSent(item.key, ref).then(function () {
        return putOne("saved", {key: item.key, ok: true, record: answer.data, result: answer.data.result,
                                body: item.body, at: Date.now()});
      }).then(function () { return "sent"; });
    }
    var retry = answer.status === 0 || answer.status === 401 || answer.status === 408
      || answer.status === 429 || answer.status >= 500;
    if (retry) {
      item.attempts = (item.attempts || 0) + 1;
      item.error = answer.status === 401 ? "login" : (answer.status === 0 ? "network" : "server");
      return getOne("outbox", item.key).then(function (current) {
        // Keep the newer item if one replaced this while it was being sent.
        if (current && current.body.client_ref === ref) return putOne("outbox", item);
      }).then(function () { return answer.status === 401 ? "stop" : "kept"; });
    }
    // Refused for good (invalid, forbidden, not found): keep what was entered, say why.
    var message = (answer.data && answer.data.error && answer.data.error.message) || String(answer.status);
    return removeIfSent(item.key, ref).then(function () {
      return putOne("saved", {key: item.key, ok: false, error: message, status: answer.status,
                              body: item.body, at: Date.now()});
    }).then(function () { return "refused"; });
  }

  function flush() {
    if (flushing) return flushing;
    flushing = getAll("outbox").then(function (items) {
      items.sort(function (a, b) { return a.queued_at - b.queued_at; });
      var chain = Promise.resolve("start");
      items.forEach(function (item) {
        chain = chain.then(function (previous) {
          if (previous === "stop") return "stop";
          return send(item).then(function (answer) { return handle(item, answer); });
        });
      });
      return chain;
    }).catch(function () { return "error"; }).then(function (last) {
      flushing = null;
      notify();
      return last;
    });
    return flushing;
  }

  function queue(item) {
    var entry = {
      key: item.key, url: item.url, body: item.body, csrf: csrfToken(item),
      queued_at: Date.now(), attempts: 0, error: null
    };
    return putOne("outbox", entry).then(function () {
      notify();
      flush();
      return entry;
    });
  }

  function status(key) {
    return Promise.all([getOne("outbox", key), getOne("saved", key)]).then(function (found) {
      return {pending: found[0], last: found[1]};
    });
  }

  function onChange(fn) { listeners.push(fn); }

  // --- the connection panel -----------------------------------------------------------

  function updatePanel() {
    if (!panel) return;
    getAll("outbox").then(function (items) {
      var lines = [];
      if (!navigator.onLine) lines.push(panel.dataset.msgOffline);
      else if (fromCache) lines.push(panel.dataset.msgCached);
      if (items.length) lines.push(panel.dataset.msgPending.replace("{n}", String(items.length)));
      panel.textContent = lines.join(" ");
      panel.hidden = lines.length === 0;
    }).catch(function () { /* no IndexedDB: nothing to show */ });
  }

  // --- the service worker -------------------------------------------------------------

  function cacheForOffline() {
    if (!("serviceWorker" in navigator) || !panel) return;
    navigator.serviceWorker.register(panel.dataset.sw, {scope: "/tablet"}).catch(function () { /* no SW */ });
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "cached") document.documentElement.dataset.offlineReady = "1";
    });
    navigator.serviceWorker.ready.then(function (registration) {
      if (fromCache || !registration.active) return;
      var urls = [location.href];
      document.querySelectorAll("a[data-offline-cache]").forEach(function (link) { urls.push(link.href); });
      registration.active.postMessage({type: "cache-urls", urls: urls});
    });
  }

  window.IeumOutbox = {
    queue: queue, flush: flush, status: status, onChange: onChange, now: now, fromCache: fromCache
  };

  window.addEventListener("online", function () { notify(); flush(); });
  window.addEventListener("offline", notify);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") flush();
  });
  setInterval(function () { if (navigator.onLine) flush(); }, RETRY_MS);
  cacheForOffline();
  flush();
})();
