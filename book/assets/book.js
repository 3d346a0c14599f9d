/* book.js: the workbook's pages in a reader's hands (harness/workbook/navigation.py copies it).

   Loaded in <head>, not deferred: it sets the theme before the page is drawn
   (no white flash in the dark), then, once the page is parsed, wires
     - the theme toggle: light or dark, following the system until the reader
       picks one (kept in localStorage, "wb-theme");
     - the Contents button: on a narrow screen the sidebar is a drawer;
     - the arrow keys: left and right go to the previous and next chapter
       (<link rel=prev/next>), unless the reader is typing or holds a modifier;
       "/" goes to the search box;
     - the search: Debian's lunr.js over search-index.js (every section's
       text), both loaded as scripts on first use, so it works from file://.
   Nothing here is needed to read the book: without scripts the pages are the
   same, light, with the sidebar on wide screens. */
(function () {
  'use strict';
  var root = document.documentElement;
  var KEY = 'wb-theme';
  root.classList.add('js');

  // ---------------------------------------------------------------- theme
  var system = window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;
  var memo = null;  // where storage is refused, the choice lasts this page only
  function stored() {
    try { return localStorage.getItem(KEY); } catch (e) { return memo; }
  }
  function store(value) {
    memo = value;
    try {
      if (value) localStorage.setItem(KEY, value); else localStorage.removeItem(KEY);
    } catch (e) { /* memo has it */ }
  }
  function systemTheme() { return system && system.matches ? 'dark' : 'light'; }
  function applyTheme() {
    var t = stored();
    root.setAttribute('data-theme', t === 'dark' || t === 'light' ? t : systemTheme());
    var b = document.querySelector('.theme-toggle');
    if (b) {
      var dark = root.getAttribute('data-theme') === 'dark';
      b.setAttribute('aria-pressed', dark ? 'true' : 'false');
      b.title = dark ? 'Switch to the light theme' : 'Switch to the dark theme';
    }
  }
  applyTheme();
  if (system && system.addEventListener) system.addEventListener('change', applyTheme);
  window.addEventListener('storage', function (e) { if (e.key === KEY) applyTheme(); });

  function toggleTheme() {
    var next = root.getAttribute('data-theme') === 'dark' ? 'light' : 'dark';
    store(next === systemTheme() ? null : next);  // the system's own: follow the system again
    applyTheme();
  }

  // ---------------------------------------------------------------- sidebar
  function setMenu(open) {
    root.classList.toggle('sidebar-open', open);
    var b = document.querySelector('.menu-toggle');
    if (b) b.setAttribute('aria-expanded', open ? 'true' : 'false');
  }
  function menuOpen() { return root.classList.contains('sidebar-open'); }
  function drawer() {  // is the sidebar a drawer (narrow screen) rather than a column?
    var b = document.querySelector('.menu-toggle');
    return !!(b && b.offsetParent !== null);
  }
  function showCurrent(sidebar) {
    var cur = sidebar.querySelector('.sidebar-current') || sidebar.querySelector('[aria-current="page"]');
    if (cur && sidebar.scrollHeight > sidebar.clientHeight)
      sidebar.scrollTop = Math.max(0, cur.offsetTop - 80);
  }

  // ---------------------------------------------------------------- keys
  function typing(el) {
    return !!el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }
  function onKey(e) {
    if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
    if (typing(e.target)) return;
    if ((e.key === 'ArrowLeft' || e.key === 'ArrowRight') && !e.shiftKey) {
      var link = document.querySelector('link[rel="' + (e.key === 'ArrowLeft' ? 'prev' : 'next') + '"]');
      if (link) {
        e.preventDefault();
        window.location.href = link.href;
      }
    } else if (e.key === '/') {
      var input = document.getElementById('search-input');
      if (input) {
        e.preventDefault();
        if (drawer()) setMenu(true);
        input.focus();
      }
    } else if (e.key === 'Escape' && menuOpen()) {
      setMenu(false);
    }
  }

  // ---------------------------------------------------------------- search
  var search = {index: null, docs: null, waiting: null, failed: null};

  function loadScript(src, done, fail) {
    var s = document.createElement('script');
    s.src = src;
    s.onload = done;
    s.onerror = function () { fail(src); };
    document.head.appendChild(s);
  }
  function loadSearch(ready) {
    if (search.index || search.failed) return ready();
    if (search.waiting) return search.waiting.push(ready);
    search.waiting = [ready];
    function finish() {
      var w = search.waiting;
      search.waiting = null;
      w.forEach(function (f) { f(); });
    }
    function fail(src) {
      search.failed = 'The search could not load ' + src + '; rebuild the book (make book).';
      finish();
    }
    loadScript('lunr.min.js', function () {
      loadScript('search-index.js', function () {
        var docs = window.WB_SEARCH_DOCS;
        if (!window.lunr || !docs) return fail(window.lunr ? 'search-index.js' : 'lunr.min.js');
        search.docs = docs;
        // lunr's trimmer strips every character that is not [A-Za-z0-9_], Hangul too:
        // trim punctuation only, so that the glossary's Korean terms can be found
        var trim = function (token) {
          return token.update(function (s) { return s.replace(/^[^\p{L}\p{N}_]+|[^\p{L}\p{N}_]+$/gu, ''); });
        };
        window.lunr.Pipeline.registerFunction(trim, 'wbTrimmer');
        search.index = window.lunr(function () {
          this.pipeline.before(window.lunr.trimmer, trim);
          this.pipeline.remove(window.lunr.trimmer);
          this.ref('i');
          this.field('t', {boost: 6});
          this.field('b');
          this.metadataWhitelist = ['position'];
          for (var i = 0; i < docs.length; i++) this.add({i: String(i), t: docs[i].t, b: docs[i].b});
        });
        finish();
      }, fail);
    }, fail);
  }

  function query(text) {
    var lunr = window.lunr;
    var terms = lunr.tokenizer(text).map(function (t) { return t.toString(); }).filter(Boolean);
    if (!terms.length) return [];
    return search.index.query(function (q) {
      terms.forEach(function (t, k) {
        q.term(t, {boost: 10});  // stemmed: "gradients" finds "gradient"
        if (k === terms.length - 1 && t.length > 1)  // still being typed: "sigm" finds "sigmoid"
          q.term(t, {usePipeline: false, wildcard: lunr.Query.wildcard.TRAILING, boost: 1});
      });
    });
  }

  function snippet(doc, hit) {
    // the part of the text around the first match, the matches marked
    var spans = [];
    Object.keys(hit.matchData.metadata).forEach(function (term) {
      var b = hit.matchData.metadata[term].b;
      if (b && b.position) spans = spans.concat(b.position);
    });
    spans.sort(function (x, y) { return x[0] - y[0]; });
    var text = doc.b, frag = document.createDocumentFragment();
    var start = spans.length ? Math.max(0, spans[0][0] - 50) : 0;
    var end = Math.min(text.length, start + 170);
    if (start > 0) start = text.indexOf(' ', start) + 1 || start;
    var at = start;
    if (start > 0) frag.appendChild(document.createTextNode('…'));
    spans.forEach(function (s) {
      if (s[0] < at || s[0] + s[1] > end) return;
      var word = /^(\W*)(.*?)(\W*)$/.exec(text.slice(s[0], s[0] + s[1]));  // "sigmoid." marks "sigmoid"
      var from = s[0] + word[1].length, to = from + word[2].length;
      frag.appendChild(document.createTextNode(text.slice(at, from)));
      var m = document.createElement('mark');
      m.textContent = text.slice(from, to);
      frag.appendChild(m);
      at = to;
    });
    frag.appendChild(document.createTextNode(text.slice(at, end) + (end < text.length ? '…' : '')));
    return frag;
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }

  function showResults(box, sidebar, text) {
    text = text.trim();
    sidebar.classList.toggle('searching', text !== '');
    box.hidden = text === '';
    box.textContent = '';
    if (!text) return;
    if (search.failed) { box.appendChild(el('p', 'search-summary', search.failed)); return; }
    var hits = query(text).slice(0, 30);
    box.appendChild(el('p', 'search-summary',
      hits.length ? hits.length + (hits.length === 30 ? '+' : '') + (hits.length === 1 ? ' section' : ' sections')
                  : 'Nothing found for “' + text + '”.'));
    var list = el('ol', 'search-list');
    hits.forEach(function (hit) {
      var doc = search.docs[+hit.ref];
      var a = el('a');
      a.href = doc.u;
      a.appendChild(el('span', 'search-where', doc.c));
      a.appendChild(el('span', 'search-title', doc.t));
      var s = el('span', 'search-snippet');
      s.appendChild(snippet(doc, hit));
      a.appendChild(s);
      var li = el('li');
      li.appendChild(a);
      list.appendChild(li);
    });
    box.appendChild(list);
  }

  function initSearch(sidebar) {
    var input = document.getElementById('search-input');
    var box = document.getElementById('search-results');
    if (!input || !box) return;
    var timer = null;
    function update() {
      clearTimeout(timer);
      timer = setTimeout(function () {
        loadSearch(function () { showResults(box, sidebar, input.value); });
      }, 60);
    }
    input.addEventListener('focus', function () { loadSearch(function () {}); });
    input.addEventListener('input', update);
    input.addEventListener('keydown', function (e) {
      var first = box.querySelector('a');
      if (e.key === 'Enter' && first) {
        e.preventDefault();
        first.click();
      } else if (e.key === 'ArrowDown' && first) {
        e.preventDefault();
        first.focus();
      } else if (e.key === 'Escape') {
        input.value = '';
        showResults(box, sidebar, '');
      }
    });
    box.addEventListener('keydown', function (e) {  // up and down through the results
      var links = [].slice.call(box.querySelectorAll('a'));
      var k = links.indexOf(document.activeElement);
      if (k < 0 || (e.key !== 'ArrowDown' && e.key !== 'ArrowUp')) return;
      e.preventDefault();
      if (e.key === 'ArrowUp' && k === 0) input.focus();
      else if (links[k + (e.key === 'ArrowDown' ? 1 : -1)]) links[k + (e.key === 'ArrowDown' ? 1 : -1)].focus();
    });
    box.addEventListener('click', function (e) {  // a result on this page: the drawer makes way
      if (e.target.closest && e.target.closest('a')) setMenu(false);
    });
  }

  // ---------------------------------------------------------------- wiring
  function init() {
    applyTheme();
    var t = document.querySelector('.theme-toggle');
    if (t) t.addEventListener('click', toggleTheme);
    var sidebar = document.getElementById('book-sidebar');
    var menu = document.querySelector('.menu-toggle');
    if (menu && sidebar) {
      menu.addEventListener('click', function () {
        setMenu(!menuOpen());
        if (menuOpen()) showCurrent(sidebar);
      });
      var backdrop = document.querySelector('.sidebar-backdrop');
      if (backdrop) backdrop.addEventListener('click', function () { setMenu(false); });
      sidebar.addEventListener('click', function (e) {
        var a = e.target.closest && e.target.closest('a');
        if (a && drawer()) setMenu(false);
      });
    }
    if (sidebar) {
      showCurrent(sidebar);
      initSearch(sidebar);
    }
    document.addEventListener('keydown', onKey);
    document.documentElement.setAttribute('data-keys', 'ready');  // (the browser test waits for it)
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
