// Offline: every file of the app is cached on install and served from the
// cache; the app makes no other request (its Content-Security-Policy allows
// only its own origin), so after the first visit it works without a network.
const CACHE = 'calmkit-app-v2';
const FILES = ['./', './index.html', './app.js', './style.css', './manifest.webmanifest',
  './calmkit/index.js', './calmkit/calmkit_core.mjs', './calmkit/calmkit_core.wasm'];

self.addEventListener('install', (e) => {
  e.waitUntil(caches.open(CACHE).then((c) => c.addAll(FILES)).then(() => self.skipWaiting()));
});
self.addEventListener('activate', (e) => {
  e.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});
self.addEventListener('fetch', (e) => {
  if (e.request.method !== 'GET' || new URL(e.request.url).origin !== location.origin) return;
  e.respondWith(caches.match(e.request, { ignoreSearch: true }).then((hit) => hit ?? fetch(e.request)));
});
