// Live pages: a page the server marks `data-live="true"` (the sessions list, a running session)
// fetches itself again every `data-live-interval` milliseconds while it is visible and the Live
// toggle is on, and swaps in each `[data-live-region]` whose content changed. Plain polling of
// the same URL: the page is rendered by the same code as on a reload, nothing is assembled here,
// and it needs no exception to the Content-Security-Policy (connect-src 'self').
(function () {
  'use strict';

  var STORAGE_KEY = 'mini-agent-otel.live';
  var body = document.body;
  var toggle = document.getElementById('live-toggle');
  if (!toggle || body.getAttribute('data-live') !== 'true') return;
  var interval = Math.max(500, Number(body.getAttribute('data-live-interval')) || 5000);
  var label = toggle.closest('label');
  var timer = 0;
  var busy = false;

  function storedOn() {
    try {
      return window.localStorage.getItem(STORAGE_KEY) !== 'off';
    } catch (e) {
      return true;
    }
  }

  function setStatus(text) {
    var status = document.getElementById('live-status');
    if (status) status.textContent = text;
  }

  // An input the user is typing in is never replaced under them.
  function editing(region) {
    var active = document.activeElement;
    return active && active !== body && region.contains(active) && /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName);
  }

  function replaceRegion(current, fresh) {
    if (current.innerHTML === fresh.innerHTML || editing(current)) return false;
    var open = {};
    var details = current.querySelectorAll('details[open][id]');
    for (var i = 0; i < details.length; i++) open[details[i].id] = true;
    current.innerHTML = fresh.innerHTML;
    var again = current.querySelectorAll('details[id]');
    for (var j = 0; j < again.length; j++) if (open[again[j].id]) again[j].open = true;
    current.dispatchEvent(new CustomEvent('mini-agent:region-replaced', { bubbles: true }));
    return true;
  }

  function apply(doc) {
    var regions = document.querySelectorAll('[data-live-region][id]');
    var changed = 0;
    for (var i = 0; i < regions.length; i++) {
      var fresh = doc.getElementById(regions[i].id);
      if (fresh && replaceRegion(regions[i], fresh)) changed++;
    }
    var footer = document.querySelector('footer');
    var freshFooter = doc.querySelector('footer');
    if (footer && freshFooter) footer.innerHTML = freshFooter.innerHTML;
    // The figures' window moves with "now": the body's facts follow the content they describe.
    var names = doc.body.getAttributeNames();
    for (var k = 0; k < names.length; k++) if (names[k].indexOf('data-') === 0) body.setAttribute(names[k], doc.body.getAttribute(names[k]));
    body.setAttribute('data-live-updates', String(Number(body.getAttribute('data-live-updates') || 0) + changed));
    // A session that has ended stops refreshing.
    if (doc.body.getAttribute('data-live') !== 'true') stop('Finished: no longer live');
  }

  function poll() {
    timer = 0;
    if (busy || !toggle.checked) return;
    if (document.visibilityState === 'hidden') return schedule();
    busy = true;
    fetch(location.href, { credentials: 'same-origin', cache: 'no-store', headers: { accept: 'text/html' } })
      .then(function (response) {
        if (!response.ok) throw new Error('HTTP ' + response.status);
        return response.text();
      })
      .then(function (text) {
        apply(new DOMParser().parseFromString(text, 'text/html'));
        setStatus('');
      })
      .catch(function (error) {
        setStatus('Live: ' + error.message + ', retrying');
      })
      .then(function () {
        busy = false;
        schedule();
      });
  }

  function schedule() {
    if (!timer && toggle.checked && body.getAttribute('data-live') === 'true') timer = setTimeout(poll, interval);
  }

  function stop(text) {
    clearTimeout(timer);
    timer = 0;
    toggle.checked = false;
    toggle.disabled = true;
    setStatus(text);
  }

  toggle.checked = storedOn();
  if (label) label.hidden = false;
  toggle.addEventListener('change', function () {
    try {
      window.localStorage.setItem(STORAGE_KEY, toggle.checked ? 'on' : 'off');
    } catch (e) {
      // Private windows may refuse storage: the toggle still works for this page.
    }
    if (toggle.checked) poll();
    else {
      clearTimeout(timer);
      timer = 0;
    }
  });
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'visible' && toggle.checked && !timer && !busy) poll();
  });
  schedule();
})();
