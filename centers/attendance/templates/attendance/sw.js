/* Ieum tablet service worker: the day's tablet pages and the attendance form keep
   working offline. Served from /tablet/sw.js with the scope /tablet.

   - Tablet pages (/tablet…): network first (a few seconds at most on a weak line), the copy
     cached at the last visit otherwise; a page served from the cache is marked so the page
     knows (data-page-source="cache").
   - Static assets: cache first, refreshed in the background.
   - The API is never cached: writes are queued by the page (IndexedDB) and sent when the
     network returns.
   - A page can ask to cache more URLs: postMessage({type: "cache-urls", urls: [...]}). */
"use strict";
const VERSION = {{ version|tojson }};
const PREFIX = "ieum-tablet-";
const CACHE = PREFIX + VERSION;
const PRECACHE = {{ precache|tojson }};
const NETWORK_TIMEOUT_MS = 5000;
// Pages that may be answered from the cache when the line is merely slow (the day's pages and
// the attendance forms); any other tablet page waits for the network and falls back only when
// the network fails (a stored room page could carry an expired token).
const SLOW_LINE_FALLBACK = /^\/tablet(\/attendance|\/sessions\/\d+\/attendance)?\/?$/;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(PRECACHE)).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    // Keep the pages of older versions: copy them over, then drop the old caches.
    const current = await caches.open(CACHE);
    for (const name of await caches.keys()) {
      if (!name.startsWith(PREFIX) || name === CACHE) continue;
      const old = await caches.open(name);
      for (const request of await old.keys()) {
        if (isPage(new URL(request.url)) && !(await current.match(request))) {
          const response = await old.match(request);
          if (response) await current.put(request, response);
        }
      }
      await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

function isPage(url) {
  return url.origin === self.location.origin && (url.pathname === "/tablet" || url.pathname.startsWith("/tablet/"))
    && !url.pathname.startsWith("/tablet/attendance-assets/") && url.pathname !== "/tablet/sw.js";
}

function isAsset(url) {
  return url.origin === self.location.origin
    && (url.pathname.startsWith("/static/") || url.pathname.startsWith("/tablet/attendance-assets/"));
}

function cacheKey(url) {
  const key = new URL(url);
  key.hash = "";
  return key.href;
}

async function storePage(cache, url, response) {
  if (response.ok && !response.redirected && response.type === "basic"
      && (response.headers.get("Content-Type") || "").startsWith("text/html")) {
    await cache.put(cacheKey(url), response.clone());
  }
  return response;
}

async function fromCache(url) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(cacheKey(url));
  if (!hit) return null;
  const text = (await hit.text()).replace('data-page-source="network"', 'data-page-source="cache"');
  return new Response(text, {status: 200, headers: {"Content-Type": "text/html; charset=utf-8"}});
}

const OFFLINE_PAGE = {{ offline_page|tojson }};

function offlinePage() {
  return new Response(OFFLINE_PAGE, {status: 503, headers: {"Content-Type": "text/html; charset=utf-8"}});
}

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  const network = fetch(request).then((response) => storePage(cache, request.url, response));
  network.catch(() => null);  // handled below; no unhandled rejection when the cache answered
  if (!SLOW_LINE_FALLBACK.test(new URL(request.url).pathname)) {
    try {
      return await network;
    } catch (err) {
      return (await fromCache(request.url)) || offlinePage();
    }
  }
  let timer;
  const timeout = new Promise((resolve) => { timer = setTimeout(resolve, NETWORK_TIMEOUT_MS, null); });
  try {
    const first = await Promise.race([network, timeout]);
    if (first) return first;
    const cached = await fromCache(request.url);  // slow line: the stored copy now
    return cached || await network;
  } catch (err) {
    return (await fromCache(request.url)) || offlinePage();
  } finally {
    clearTimeout(timer);
  }
}

async function cacheFirst(request, event) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(request, {ignoreSearch: false});
  const refresh = fetch(request).then((response) => {
    if (response.ok) cache.put(request, response.clone());
    return response;
  });
  if (hit) {
    event.waitUntil(refresh.catch(() => null));
    return hit;
  }
  return refresh;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.pathname.startsWith("/api/")) return;
  if (isPage(url)) {
    event.respondWith(networkFirst(request));
  } else if (isAsset(url)) {
    event.respondWith(cacheFirst(request, event));
  }
});

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type !== "cache-urls" || !Array.isArray(data.urls)) return;
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    for (const raw of data.urls) {
      const url = new URL(raw, self.location.origin);
      if (!isPage(url)) continue;
      try {
        const response = await fetch(url.href, {credentials: "same-origin"});
        await storePage(cache, url.href, response);
      } catch (err) { /* offline: keep what is there */ }
    }
    if (event.source) event.source.postMessage({type: "cached", count: data.urls.length});
  })());
});
