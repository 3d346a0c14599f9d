#!/usr/bin/env python3
"""test_browser.py: the HTML book as a reader meets it, in headless Chromium.

  python3 book/test_browser.py [--edition student|instructor] [--html DIR]
                               [--screenshots DIR] [--self-check]

Loads every page of build/book/<edition>/html/ from file:// URLs, at desktop
width (1280 px) and at phone width (390 x 844), with every request that would
leave the machine blocked (and reported). It fails on

  console     a console error or an uncaught exception
  request     a request that failed (a missing stylesheet, image, ...)
  offline     a request for anything that is not a local file (CDN fonts,
              scripts, math renderers, remote images)
  link        an internal link or anchor that does not resolve, in the live
              DOM (href="#x", href="page.html#x", <link rel=...>)
  image       an image that does not load, or has no alt text
  figure      a figure that is not an SVG with a numbered caption and an id
  anchor      a section without a stable id (chNN-...)
  tex         math left as raw TeX ($$, \\frac, \\partial, $x$, ...) outside code
  math        MathML that the browser does not lay out
  highlight   code that is not coloured
  callout     an exercise callout that does not name its exercises/ file, the
              function to fill in and the exact `make check CHAPTER=N`, or does
              not stand out from the text
  layout      a page wider than a phone's screen, a text column too wide to
              read, a missing viewport
  print       a print stylesheet that leaves the site's navigation on paper
  toc         the contents, a chapter's own contents, previous/next links, the
              glossary or the list of figures incomplete
  font        Korean text not set in a font that has Hangul

and saves screenshots of a few pages, desktop and phone, in
build/book/<edition>/screenshots/ for a person to look at.

--self-check copies the built pages, breaks copies of one page in each of the
ways above, and checks that every broken copy fails for its reason and every
intact page passes. Python 3 standard library only; talks to Chromium over
the DevTools protocol on a pipe (--remote-debugging-pipe).
"""
import argparse
import base64
import fcntl
import json
import os
import re
import select
import shutil
import signal
import sys
import tempfile
import time
import urllib.parse

BOOK = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BOOK)
sys.path.insert(0, os.path.join(ROOT, "harness"))
import course  # noqa: E402

DESKTOP = {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False}
PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True}
# (page, element to scroll to or None, viewport name): what a person looks at
SCREENSHOTS = [
    ("index.html", None, "desktop"), ("ch03.html", None, "desktop"), ("ch03.html", "ex-3-1", "desktop"),
    ("ch03.html", "fig:fruit-graph", "desktop"), ("ch03.html", "ch03-try-this", "desktop"),
    ("glossary.html", None, "desktop"), ("figures.html", None, "desktop"),
    ("index.html", None, "phone"), ("ch03.html", None, "phone"), ("ch03.html", "ex-3-1", "phone"),
    ("ch02.html", "ch02-rule", "phone"), ("glossary.html", None, "phone"),
]
LOCAL_SCHEMES = ("file", "data", "blob", "about")
HANGUL_FONT = re.compile(r"CJK|KR|Korean|Hangul|Gothic|Nanum|Malgun|Batang|Gulim|Dotum|Apple SD|Un ", re.I)


class TestError(Exception):
    """The test could not run (no browser, no book): not a finding about the book."""


def log(msg):
    print("browser: " + msg, flush=True)


# ---------------------------------------------------------------- Chromium over a pipe

def find_chromium():
    cands = [os.environ.get("CHROMIUM", ""), "/usr/lib/chromium/chromium"]
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        cands.append(shutil.which(name) or "")
    for c in cands:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    raise TestError("Chromium is not installed (Debian: apt-get install chromium; `make deps` does it), "
                    "or set CHROMIUM=/path/to/chrome")


class CDPError(Exception):
    pass


class Chromium:
    """A headless Chromium, driven with the DevTools protocol over fds 3 and 4:
    JSON messages, each ended by a NUL byte."""

    def __init__(self, exe=None, timeout=30):
        self.exe = exe or find_chromium()
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="wb-chromium.")
        self.buf = b""
        self.next_id = 0
        self.replies = {}
        self.handlers = []
        cmd_r, self.cmd_w = os.pipe()      # we write commands; Chromium reads fd 3
        self.evt_r, evt_w = os.pipe()      # Chromium writes fd 4; we read
        # Move Chromium's ends above 9 so that dup2 onto 3 and 4 cannot clobber them.
        child_in = fcntl.fcntl(cmd_r, fcntl.F_DUPFD_CLOEXEC, 10)
        child_out = fcntl.fcntl(evt_w, fcntl.F_DUPFD_CLOEXEC, 10)
        os.close(cmd_r)
        os.close(evt_w)
        self.log_path = os.path.join(self.profile, "chromium.log")
        logfd = os.open(self.log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
        null = os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)
        args = [self.exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--remote-debugging-pipe", "--user-data-dir=" + self.profile,
                "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-default-apps", "--disable-quic", "--disable-domain-reliability",
                "--disable-client-side-phishing-detection", "--metrics-recording-only", "--mute-audio",
                "--disable-features=Translate,OptimizationHints,MediaRouter,DialMediaRouteProvider,"
                "AutofillServerCommunication,InterestFeedContentSuggestions",
                # Belt and braces: no host name resolves, so nothing could leave even unblocked.
                "--host-resolver-rules=MAP * ~NOTFOUND",
                "--hide-scrollbars", "--force-color-profile=srgb", "--lang=en-US",
                "about:blank"]
        try:
            self.pid = os.posix_spawn(self.exe, args, os.environ, setsid=True, file_actions=[
                (os.POSIX_SPAWN_DUP2, null, 0), (os.POSIX_SPAWN_DUP2, logfd, 1), (os.POSIX_SPAWN_DUP2, logfd, 2),
                (os.POSIX_SPAWN_DUP2, child_in, 3), (os.POSIX_SPAWN_DUP2, child_out, 4)])
        finally:
            for fd in (child_in, child_out, logfd, null):
                os.close(fd)
        try:
            self.version = self.send("Browser.getVersion")["product"]
        except Exception:
            self.close()
            raise

    def _write(self, data):
        view = memoryview(data)
        while view:
            n = os.write(self.cmd_w, view)
            view = view[n:]

    def post(self, method, params=None, session=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        self._write(json.dumps(msg).encode() + b"\0")
        return self.next_id

    def _recv(self, deadline):
        while b"\0" not in self.buf:
            left = deadline - time.time()
            if left <= 0:
                raise TimeoutError
            r, _, _ = select.select([self.evt_r], [], [], left)
            if r:
                chunk = os.read(self.evt_r, 1 << 20)
                if not chunk:
                    raise CDPError("Chromium closed the pipe (it crashed?); its log: %s" % self.tail_log())
                self.buf += chunk
        msg, _, self.buf = self.buf.partition(b"\0")
        return json.loads(msg)

    def pump(self, until=None, timeout=None):
        """Read messages, handing events to the handlers, until until(msg) is
        true for one (returned) or the timeout passes (None returned)."""
        deadline = time.time() + (self.timeout if timeout is None else timeout)
        while True:
            try:
                msg = self._recv(deadline)
            except TimeoutError:
                return None
            if "id" in msg:
                self.replies[msg["id"]] = msg
            else:
                for h in list(self.handlers):
                    h(msg)
            if until and until(msg):
                return msg

    def send(self, method, params=None, session=None, timeout=None):
        mid = self.post(method, params, session)
        if mid not in self.replies:
            self.pump(lambda m: m.get("id") == mid, timeout)
        reply = self.replies.pop(mid, None)
        if reply is None:
            raise CDPError("%s: no answer from Chromium in %ss" % (method, timeout or self.timeout))
        if "error" in reply:
            raise CDPError("%s: %s" % (method, reply["error"].get("message")))
        return reply.get("result", {})

    def tail_log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-10:])
        except OSError:
            return "(none)"

    def close(self):
        try:
            os.killpg(self.pid, signal.SIGTERM)
        except (ProcessLookupError, AttributeError):
            pass
        if hasattr(self, "pid"):
            deadline = time.time() + 5
            while time.time() < deadline:
                if os.waitpid(self.pid, os.WNOHANG)[0]:
                    break
                time.sleep(0.05)
            else:
                try:
                    os.killpg(self.pid, signal.SIGKILL)
                    os.waitpid(self.pid, 0)
                except (ProcessLookupError, ChildProcessError):
                    pass
        for fd in (self.cmd_w, self.evt_r):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self.profile, ignore_errors=True)


class Tab:
    """One page, with the console, exceptions and every request recorded."""

    def __init__(self, browser):
        self.b = browser
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.events = []
        browser.handlers.append(self._on_event)
        for domain in ("Page", "Runtime", "Log", "Network", "DOM", "CSS"):
            self.send(domain + ".enable")
        # Every request is paused here first: local files go on, anything else is refused.
        self.send("Fetch.enable", {"patterns": [{"urlPattern": "*"}]})
        self.viewport = None

    def send(self, method, params=None, timeout=None):
        return self.b.send(method, params, self.session, timeout)

    def _on_event(self, msg):
        if msg.get("sessionId") != self.session:
            return
        method, p = msg.get("method"), msg.get("params", {})
        if method == "Fetch.requestPaused":
            url = p["request"]["url"]
            if urllib.parse.urlsplit(url).scheme in LOCAL_SCHEMES:
                self.b.post("Fetch.continueRequest", {"requestId": p["requestId"]}, self.session)
            else:
                self.events.append(("offline", "blocked a request that would leave the machine: %s" % url))
                self.b.post("Fetch.failRequest", {"requestId": p["requestId"], "errorReason": "BlockedByClient"},
                            self.session)
            return
        self.events.append((method, p))

    def navigate(self, url, timeout=20):
        self.events = []
        res = self.send("Page.navigate", {"url": url})
        if res.get("errorText"):
            self.events.append(("request", "the page itself did not load: %s" % res["errorText"]))
            return False
        loaded = self.b.pump(lambda m: m.get("sessionId") == self.session and m.get("method") == "Page.loadEventFired",
                             timeout)
        if loaded is None:
            self.events.append(("request", "the page did not finish loading in %d s" % timeout))
            return False
        return True

    def set_viewport(self, vp):
        if self.viewport != vp:
            self.send("Emulation.setDeviceMetricsOverride", vp)
            self.viewport = vp

    def evaluate(self, expr, timeout=None):
        r = self.send("Runtime.evaluate", {"expression": expr, "returnByValue": True, "awaitPromise": True},
                      timeout)
        if "exceptionDetails" in r:
            d = r["exceptionDetails"]
            raise CDPError("the test's own script failed: %s" % (d.get("exception", {}).get("description") or d.get("text")))
        return r["result"].get("value")

    def problems(self):
        """The console errors, exceptions and request failures since navigate()."""
        out, urls = [], {}
        for method, p in self.events:
            if method in ("offline", "request"):
                out.append((method, p))
            elif method == "Network.requestWillBeSent":
                urls[p["requestId"]] = p["request"]["url"]
            elif method == "Network.loadingFailed":
                if p.get("blockedReason") == "inspector" or p.get("errorText") == "net::ERR_BLOCKED_BY_CLIENT":
                    continue  # refused by us: reported as "offline" already
                out.append(("request", "request failed (%s): %s" % (p.get("errorText"), urls.get(p["requestId"], "?"))))
            elif method == "Network.responseReceived":
                status = p["response"].get("status", 0)
                if status >= 400:
                    out.append(("request", "HTTP %d for %s" % (status, p["response"]["url"])))
            elif method == "Runtime.consoleAPICalled" and p["type"] in ("error", "assert"):
                text = " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))
                out.append(("console", "console.%s: %s" % (p["type"], text)))
            elif method == "Runtime.exceptionThrown":
                d = p["exceptionDetails"]
                text = (d.get("exception", {}).get("description") or d.get("text") or "").split("\n")[0]
                out.append(("console", "uncaught exception: %s (%s:%s)" % (text, d.get("url", "?"), d.get("lineNumber"))))
            elif method == "Log.entryAdded" and p["entry"]["level"] == "error":
                e = p["entry"]
                out.append(("console", "console error (%s): %s %s" % (e.get("source"), e.get("text"), e.get("url", ""))))
        return out

    def screenshot(self, path):
        data = self.send("Page.captureScreenshot", {"format": "png"})["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def fonts_for(self, selector):
        """The platform fonts Chromium used for the first element matching selector."""
        root = self.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        node = self.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        if not node:
            return None
        return [f["familyName"] for f in self.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]]


# ---------------------------------------------------------------- what is checked in the page

PAGE_JS = r"""
async (opts) => {
  const out = {problems: [], ids: [], links: [], headings: [], figures: [], callouts: [], toc: [], pager: {},
               glossary: [], maths: 0};
  const P = (kind, msg) => out.problems.push([kind, msg]);
  const short = (s, n) => { s = (s || '').replace(/\s+/g, ' ').trim(); return s.length > (n || 70) ? s.slice(0, n || 70) + '…' : s; };
  await document.fonts.ready;
  await Promise.all([...document.images].map(i => i.complete ? null :
    new Promise(r => { i.addEventListener('load', r); i.addEventListener('error', r); })));
  const style = e => getComputedStyle(e);
  const main = document.querySelector('main');
  // a paragraph of the running text (not a caption, a contents box or a callout)
  const bodyP = main && [...main.querySelectorAll('p')].find(p => !p.closest('nav, .callout, figure, header, .intro ol'));

  // ids and links, resolved later against every page
  out.ids = [...document.querySelectorAll('[id]')].map(e => e.id)
    .concat([...document.querySelectorAll('a[name]')].map(e => e.getAttribute('name')));
  for (const a of document.querySelectorAll('a[href], link[href], area[href]'))
    out.links.push({href: a.getAttribute('href'), url: a.href, tag: a.localName, rel: a.getAttribute('rel') || '',
                    text: short(a.textContent, 50)});

  if (opts.viewport === 'desktop') {
    // images: loaded, described
    for (const img of document.images) {
      const src = img.getAttribute('src');
      if (!img.complete || img.naturalWidth === 0) P('image', `the image ${src} did not load`);
      if (!(img.getAttribute('alt') || '').trim()) P('image', `the image ${src} has no alt text`);
    }
    // figures: an SVG, an id, a numbered caption
    for (const fig of document.querySelectorAll('main figure')) {
      const img = fig.querySelector('img, svg');
      const cap = fig.querySelector('figcaption');
      const capText = cap ? cap.textContent.trim() : '';
      if (!img) { P('figure', `a figure without an image: ${short(capText)}`); continue; }
      if (img.localName === 'img' && !/\.svg([?#].*)?$/i.test(img.getAttribute('src') || ''))
        P('figure', `the figure ${img.getAttribute('src')} is not an SVG`);
      if (!/^Figure \d+\.\d+\s/.test(capText)) P('figure', `a figure without a numbered caption ("Figure N.M ..."): ${short(capText)}`);
      const id = img.id || fig.id;
      if (!id) P('anchor', `the figure "${short(capText)}" has no id to link to`);
      out.figures.push({id, caption: short(capText, 200)});
    }
    // headings: every section has an id; chapter sections an explicit chNN-... one
    for (const h of (opts.chapter ? document.querySelectorAll('main h1, main h2, main h3, main h4') : [])) {
      if (h.closest('.callout, nav')) continue;
      const sec = h.parentElement.localName === 'section' && h.parentElement.firstElementChild === h ? h.parentElement : null;
      const id = h.id || (sec && sec.id) || '';
      const text = short(h.textContent.replace(/#$/, ''));
      out.headings.push({level: +h.localName[1], id, text});
      if (!id) P('anchor', `the heading "${text}" has no id`);
      else if (opts.chapter && h.localName !== 'h1' && h.localName !== 'h4' && !id.startsWith(opts.nn + '-'))
        P('anchor', `the section "${text}" has the id #${id}, made up from its words; give it a stable one: {#${opts.nn}-...}`);
    }
    out.toc = [...document.querySelectorAll('.page-toc a, .book-toc a, .figure-list a')].map(a => a.getAttribute('href'));
    for (const rel of ['prev', 'next']) {
      const a = document.querySelector(`.pager a[rel=${rel}]`);
      out.pager[rel] = a ? a.getAttribute('href') : null;
    }
    out.glossary = [...document.querySelectorAll('table.glossary tbody tr')].map(tr =>
      ({id: tr.id, english: short(tr.cells[0].textContent), korean: short(tr.cells[1].textContent),
        lang: tr.cells[1].getAttribute('lang')}));

    // raw TeX in the text (code, math and scripts aside)
    const SKIP = new Set(['code', 'pre', 'kbd', 'samp', 'script', 'style', 'math', 'textarea', 'title']);
    const TEX = [
      [/\$\$/, 'display-math delimiters $$'],
      [/\\[()\[\]]/, 'math delimiters \\( \\) or \\[ \\]'],
      [/\\(frac|dfrac|tfrac|partial|sum|prod|int|sqrt|math[a-z]+|boldsymbol|cdots?|ldots|times|left|right|begin|end|alpha|beta|gamma|delta|epsilon|eta|theta|lambda|mu|sigma|tau|phi|nabla|top|hat|bar|vec|tilde|text[a-z]*|operatorname|infty|leq?|geq?|neq|approx|to|rightarrow|in)(?![a-zA-Z])/, 'a TeX command'],
      [/(^|[\s(\[])\$[^\s$](?:[^$]*[^\s$])?\$(?![0-9])/, 'inline math delimiters $...$'],
      [/[A-Za-z0-9)}]\s*[\^_]\{/, 'TeX super- or subscripts ^{...} _{...}'],
      [/[A-Za-z0-9)\]]\^[A-Za-z0-9(]/, 'a ^ for a power; write x² or $x^2$'],
    ];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const seen = new Set();
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      let skip = false;
      for (let e = n.parentElement; e; e = e.parentElement) if (SKIP.has(e.localName)) { skip = true; break; }
      if (skip) continue;
      const block = n.parentElement.closest('p, li, td, th, figcaption, h1, h2, h3, h4, div') || n.parentElement;
      const text = block.textContent;
      for (const [re, what] of TEX) {
        const m = re.exec(n.nodeValue);
        if (m && !seen.has(block)) {
          seen.add(block);
          const at = text.indexOf(m[0].trim());
          P('tex', `math left as plain text (${what}): "${short(text.slice(Math.max(0, at - 30), at + 50))}"`);
        }
      }
    }
    for (const s of document.querySelectorAll('span.math, div.math'))
      if (!s.querySelector('math')) P('tex', `math left as TeX source: "${short(s.textContent)}"`);
    // MathML laid out as math: boxes with a size, fractions stacked
    const maths = document.querySelectorAll('math');
    out.maths = maths.length;
    if (maths.length && typeof MathMLElement === 'undefined') P('math', 'this browser does not render MathML');
    for (const m of maths) {
      const r = m.getBoundingClientRect();
      if (style(m).display !== 'none' && (r.width === 0 || r.height === 0))
        P('math', `a formula has no size on the page: "${short(m.textContent)}"`);
    }
    for (const f of document.querySelectorAll('math mfrac')) {
      const [num, den] = f.children;
      if (num && den && num.getBoundingClientRect().bottom > den.getBoundingClientRect().top + 1) {
        P('math', `a fraction is not set as a fraction: "${short(f.closest('math').textContent)}"`);
        break;
      }
    }
    // code: highlighted (tokens in colour), woven listings highlighted at all
    for (const pre of document.querySelectorAll('pre.sourceCode')) {
      const code = pre.querySelector('code') || pre;
      const base = style(code).color;
      const tokens = [...code.querySelectorAll('span[class]')].filter(s => /^(kw|dt|dv|bn|fl|ch|st|co|ot|al|fu|er|pp|cf|op|bu|ex|at|va|im|sc|ss|vs|cn|do|an|cv|wa|in)$/.test(s.className));
      if (tokens.length && !tokens.some(t => style(t).color !== base))
        P('highlight', `code is not coloured (is highlight.css loaded?): "${short(code.textContent, 50)}"`);
    }
    for (const l of document.querySelectorAll('.listing')) {
      if (!l.querySelector('pre.sourceCode span[class]'))
        P('highlight', `a listing of ${short((l.querySelector('.listing-caption') || l).textContent)} is not highlighted`);
    }
    // exercise callouts: reported to the test, which knows the course
    const bg = style(document.body).backgroundColor;
    for (const c of document.querySelectorAll('.callout.exercise')) {
      const s = style(c);
      out.callouts.push({id: c.id, title: short((c.querySelector('.callout-title') || c).textContent),
        codes: [...c.querySelectorAll('code')].map(e => e.textContent.replace(/\s+/g, ' ').trim()),
        text: c.textContent.replace(/\s+/g, ' '),
        standsOut: s.backgroundColor !== bg && s.backgroundColor !== 'rgba(0, 0, 0, 0)' && parseFloat(s.borderLeftWidth) >= 3});
    }
    // a readable measure: the text column at most ~46 em wide
    const p = bodyP;
    if (p) {
      const ems = p.getBoundingClientRect().width / parseFloat(style(p).fontSize);
      if (ems > 46) P('layout', `the text column is ${ems.toFixed(0)} em wide at ${innerWidth} px; lines that long are hard to read (at most ~46 em)`);
    }
  }

  // every viewport: nothing wider than the screen (a phone zooms out to show what
  // overflows, so compare with the screen's width, not the layout's)
  const screenW = opts.screen;
  if (opts.viewport === 'phone' && !document.querySelector('meta[name="viewport"]'))
    P('layout', `no <meta name="viewport">: a phone lays the page out ${innerWidth} px wide and shows it zoomed out`);
  else if (Math.max(innerWidth, document.documentElement.scrollWidth) > screenW + 1) {
    const culprits = [];
    for (const e of document.body.querySelectorAll('*')) {
      const r = e.getBoundingClientRect();
      if (r.right <= screenW + 1 || r.width === 0) continue;
      let clipped = false;
      for (let a = e.parentElement; a && a !== document.body; a = a.parentElement)
        if (/(auto|scroll|hidden|clip)/.test(style(a).overflowX)) { clipped = true; break; }
      if (!clipped && !culprits.some(c => c.el.contains(e)))
        culprits.push({el: e, text: `<${e.localName}${e.className && typeof e.className === 'string' ? '.' + e.className.split(' ')[0] : ''}> ${Math.round(r.width)} px wide`});
      if (culprits.length >= 3) break;
    }
    P('layout', `on a ${screenW} px screen the page is ${Math.max(innerWidth, document.documentElement.scrollWidth)} px wide and scrolls sideways: ${culprits.map(c => c.text).join(', ') || '?'}`);
  }
  if (opts.viewport === 'phone' && main) {
    const fs = parseFloat(style(bodyP || main).fontSize);
    if (fs < 14) P('layout', `text is ${fs} px on a phone; too small to read`);
  }
  return out;
}
"""

PRINT_JS = r"""
(() => {
  const bad = [];
  for (const sel of ['.site-header', '.site-nav', '.pager', '.page-toc', '.skip-link'])
    for (const e of document.querySelectorAll(sel))
      if (e.getClientRects().length) { bad.push(`${sel} is printed`); break; }
  for (const pre of document.querySelectorAll('pre')) {
    const ws = getComputedStyle(pre).whiteSpace;
    if (!/pre-wrap|break-spaces/.test(ws)) { bad.push(`code is printed with white-space: ${ws}, so long lines are cut at the paper's edge`); break; }
  }
  return bad;
})()
"""


# ---------------------------------------------------------------- the checks

def chapter_of(page):
    m = re.match(r"^ch(\d\d)", page)
    return int(m.group(1)) if m else None


def stub_functions(path):
    """Functions defined in an exercise file (the ones a callout can name)."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError:
        return set()
    return set(re.findall(r"^[A-Za-z_][\w \t\*]*?\b([A-Za-z_]\w*)\s*\([^;{]*\)\s*\{", text, re.M))


def check_callouts(page, data, chapters):
    out = []
    n = chapter_of(page)
    ch = chapters.get(n)
    if ch is None:
        return out
    for c in data["callouts"]:
        where = "%s (#%s)" % (c["title"], c["id"] or "no id")
        files = [code for code in c["codes"] if re.fullmatch(r"exercises/ch\d\d/[\w.-]+\.c", code)]
        good = [f for f in files if f.startswith("exercises/%s/" % ch.nn) and os.path.basename(f) in ch.files
                and os.path.exists(os.path.join(ROOT, f))]
        if not good:
            out.append(("callout", "%s does not name the file to open (`exercises/%s/<file>.c`, one of %s)%s"
                        % (where, ch.nn, ch.files or "course.mk's ch%d.files, which is empty" % n,
                           "; it names %s" % files if files else "")))
        funcs = set()
        for f in good:
            funcs |= stub_functions(os.path.join(ROOT, f))
        if good and not any(code.rstrip("()") in funcs for code in c["codes"]):
            out.append(("callout", "%s does not name a function of %s to fill in (as `name`)" % (where, ", ".join(good))))
        cmd = "make check CHAPTER=%d" % n
        if not re.search(re.escape(cmd) + r"(?!\d)", c["text"]):
            other = re.findall(r"make check CHAPTER=\d+", c["text"])
            out.append(("callout", "%s does not give the command `%s`%s" % (where, cmd, "; it says `%s`" % other[0] if other else "")))
        if not c["standsOut"]:
            out.append(("callout", "%s does not stand out: no background of its own, or no coloured rule at its left" % where))
    return out


def resolve_links(pages, html_dir):
    """Every link of every page, against the files and the ids the browser saw."""
    out = []
    base = os.path.realpath(html_dir)
    for page, data in sorted(pages.items()):
        for link in data["desktop"]["links"]:
            href, url = link["href"], link["url"]
            what = '<%s href="%s">%s' % (link["tag"], href, " (%s)" % link["text"] if link["text"] else "")
            parts = urllib.parse.urlsplit(url)
            if parts.scheme in ("http", "https", "mailto"):
                if link["tag"] == "link" and "stylesheet" in link["rel"]:
                    out.append((page, "offline", "%s: a stylesheet from the network" % what))
                continue  # an external link a reader may follow; never loaded here
            if parts.scheme != "file":
                out.append((page, "link", "%s: not a link a reader can follow offline" % what))
                continue
            path = os.path.realpath(urllib.parse.unquote(parts.path))
            if not (path == base or path.startswith(base + os.sep)):
                out.append((page, "link", "%s points outside the book's folder" % what))
                continue
            relpath = os.path.relpath(path, base)
            frag = urllib.parse.unquote(parts.fragment)
            if not os.path.exists(path):
                out.append((page, "link", "%s: no such file in the book" % what))
            elif frag and relpath.endswith(".html"):
                target = pages.get(relpath)
                if target is not None and frag not in target["desktop"]["ids"]:
                    out.append((page, "link", "%s: %s has no element with id \"%s\"" % (what, relpath, frag)))
    return out


def check_site(pages, chapters, glossary):
    """The book as a whole: contents, chapter contents, previous/next, glossary, figures."""
    out = []
    d = {p: v["desktop"] for p, v in pages.items()}
    chs = [c for c in chapters.values() if c.nn + ".html" in d]
    order = ["index.html"] + [c.nn + ".html" for c in chs] + ["glossary.html"]
    if "index.html" in d:
        toc = set(d["index.html"]["toc"])
        for c in chs:
            page = c.nn + ".html"
            if page not in toc:
                out.append(("index.html", "toc", "the contents do not link to chapter %d (%s)" % (c.number, page)))
            for h in d[page]["headings"]:
                if h["level"] == 2 and h["id"] and "%s#%s" % (page, h["id"]) not in toc:
                    out.append(("index.html", "toc", "the contents do not list %s: %s" % (page, h["text"])))
            text = " ".join(l["text"] for l in d["index.html"]["links"])
            if c.title not in text:
                out.append(("index.html", "toc", "the contents do not show the title of chapter %d, %r" % (c.number, c.title)))
        for extra in ("glossary.html", "figures.html"):
            if extra not in toc:
                out.append(("index.html", "toc", "the contents do not link to %s" % extra))
    for i, c in enumerate(chs):
        page = c.nn + ".html"
        own = set(d[page]["toc"])
        for h in d[page]["headings"]:
            if h["level"] in (2, 3) and h["id"] and "#" + h["id"] not in own:
                out.append((page, "toc", "the chapter's own contents do not list %s (#%s)" % (h["text"], h["id"])))
        want = {"prev": order[order.index(page) - 1], "next": order[order.index(page) + 1]}
        for rel, target in want.items():
            if d[page]["pager"].get(rel) != target:
                out.append((page, "toc", "the %s link goes to %s, not %s" % (rel, d[page]["pager"].get(rel), target)))
    if "glossary.html" in d:
        rows = {r["english"]: r for r in d["glossary.html"]["glossary"]}
        for english, korean in glossary:
            r = rows.get(english)
            if r is None:
                out.append(("glossary.html", "toc", "the glossary has no row for %r (book/glossary.tsv)" % english))
            elif r["korean"] != korean or r["lang"] != "ko":
                out.append(("glossary.html", "toc", "the glossary shows %r for %r, not %r in lang=ko" % (r["korean"], english, korean)))
    if "figures.html" in d:
        listed = set(d["figures.html"]["toc"])
        for c in chs:
            for f in d[c.nn + ".html"]["figures"]:
                if f["id"] and "%s.html#%s" % (c.nn, f["id"]) not in listed:
                    out.append(("figures.html", "toc", "the list of figures misses %s.html#%s: %s" % (c.nn, f["id"], f["caption"])))
    return out


def read_glossary():
    out = []
    with open(os.path.join(BOOK, "glossary.tsv"), encoding="utf-8") as f:
        for n, line in enumerate(f):
            cols = line.rstrip("\n").split("\t")
            if n == 0 or line.startswith("#") or len(cols) < 2 or not cols[0].strip():
                continue
            out.append((cols[0].strip(), cols[1].strip()))
    return out


def run_pages(html_dir, shots_dir=None, site=True, browser=None, phone=None, only=None):
    """Load every page; return (problems [(page, kind, message)], page data, timings)."""
    html_dir = os.path.abspath(html_dir)
    if not os.path.exists(os.path.join(html_dir, "index.html")):
        raise TestError("%s has no index.html: build the book first (make book)" % os.path.relpath(html_dir, ROOT))
    names = sorted(n for n in os.listdir(html_dir) if n.endswith(".html") and (only is None or n in only))
    chapters = {c.number: c for c in course.chapters()}
    own = browser is None
    b = browser or Chromium()
    problems, pages = [], {}
    try:
        tab = Tab(b)
        for vpname, vp in (("desktop", DESKTOP), ("phone", PHONE)):
            tab.set_viewport(vp)
            for name in names:
                if vpname == "phone" and phone is not None and name not in phone:
                    continue
                url = "file://" + urllib.parse.quote(os.path.join(html_dir, name))
                tab.navigate(url)
                n = chapter_of(name)
                data = tab.evaluate("(%s)(%s)" % (PAGE_JS, json.dumps({
                    "viewport": vpname, "screen": vp["width"], "chapter": n, "nn": "ch%02d" % n if n else ""})))
                # events that arrive while the script runs (late requests, errors) count too
                tab.b.pump(timeout=0.05)
                found = tab.problems() + [tuple(p) for p in data.pop("problems")]
                if vpname == "desktop":
                    found += check_callouts(name, data, chapters)
                    tab.send("Emulation.setEmulatedMedia", {"media": "print"})
                    found += [("print", m) for m in tab.evaluate(PRINT_JS)]
                    tab.send("Emulation.setEmulatedMedia", {"media": ""})
                    if name == "glossary.html" and data["glossary"]:
                        fonts = tab.fonts_for('table.glossary td[lang="ko"]') or []
                        if not any(HANGUL_FONT.search(f) for f in fonts):
                            found.append(("font", "the Korean terms are drawn with %s, which has no Hangul: "
                                                   "install fonts-noto-cjk, or name a Korean font in book.css"
                                          % (", ".join(fonts) or "no font")))
                pages.setdefault(name, {})[vpname] = data
                seen = set()
                for kind, msg in found:
                    if (kind, msg) not in seen:
                        seen.add((kind, msg))
                        problems.append((name, kind, "[%s] %s" % (vpname, msg) if vpname == "phone" else msg))
        problems += resolve_links(pages, html_dir)
        if site:
            problems += check_site(pages, chapters, read_glossary())
        if shots_dir:
            if os.path.isdir(shots_dir):
                shutil.rmtree(shots_dir)
            os.makedirs(shots_dir)
            for page, anchor, vpname in SCREENSHOTS:
                if page not in names:
                    continue
                tab.set_viewport(DESKTOP if vpname == "desktop" else PHONE)
                tab.navigate("file://" + urllib.parse.quote(os.path.join(html_dir, page)))
                if anchor:  # a jump within the page, as a reader's click makes it (and :target shows)
                    if not tab.evaluate("!!document.getElementById(%s)" % json.dumps(anchor)):
                        log("note: no #%s in %s to take a screenshot of (book/test_browser.py SCREENSHOTS)" % (anchor, page))
                        continue
                    tab.evaluate("location.hash = %s" % json.dumps("#" + anchor))
                tab.evaluate("document.fonts.ready.then(() => new Promise(r => requestAnimationFrame(() => r(1))))")
                tab.screenshot(os.path.join(shots_dir, "%s-%s%s.png" % (vpname, page[:-5], "-" + re.sub(r"\W", "-", anchor) if anchor else "")))
    finally:
        if own:
            b.close()
    return problems, pages


# ---------------------------------------------------------------- self-check

def first_tag(text, pattern):
    m = re.search(pattern, text)
    if not m:
        raise TestError("self-check: the page has no %s to break" % pattern)
    return m


def insert_in_main(text, snippet):
    return text.replace('<main id="main" class="column">', '<main id="main" class="column">\n' + snippet, 1)


def callout_of(text):
    m = first_tag(text, r'(?s)<div id="ex-3-1" class="callout exercise".*?</div>\n(?=<p>|<div class="callout|</section>)')
    return m


# name: (what is wrong, expected kind, the change to ch03.html)
BREAKAGES = {
    "console-error": ("a script that logs an error", "console",
                      lambda t: insert_in_main(t, '<script>console.error("deliberately broken page")</script>')),
    "exception": ("a script that throws", "console",
                  lambda t: insert_in_main(t, "<script>undefinedFunction();</script>")),
    "cdn-font": ("a font stylesheet from a CDN", "offline",
                 lambda t: t.replace("</head>", '<link rel="stylesheet" href="https://fonts.googleapis.com/css2?family=Inter">\n</head>', 1)),
    "cdn-mathjax": ("MathJax from a CDN", "offline",
                    lambda t: t.replace("</head>", '<script src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"></script>\n</head>', 1)),
    "remote-image": ("an image from the web", "offline",
                     lambda t: insert_in_main(t, '<p><img src="http://example.com/graph.png" alt="a remote graph"></p>')),
    "missing-css": ("a stylesheet that is not there", "request",
                    lambda t: t.replace('href="book.css"', 'href="no-such-book.css"', 1)),
    "missing-image": ("a figure whose SVG is not there", "image",
                      lambda t: t.replace('src="figures/ch03-buy_apple.svg"', 'src="figures/no-such-figure.svg"', 1)),
    "no-alt": ("a figure without alt text", "image",
               lambda t: re.sub(r'(<img src="figures/ch03-buy_apple.svg"[^>]*?) alt="[^"]*"', r'\1 alt=""', t, 1)),
    "png-figure": ("a figure that is not an SVG", "figure",
                   lambda t: t.replace('src="figures/ch03-buy_apple.svg"', 'src="figures/ch03-buy_apple.png"', 1)),
    "broken-anchor": ("a link to an anchor that does not exist", "link",
                      lambda t: insert_in_main(t, '<p>See <a href="#ch03-no-such-section">the missing section</a>.</p>')),
    "broken-page-anchor": ("a link to another page's missing anchor", "link",
                           lambda t: insert_in_main(t, '<p>See <a href="ch02.html#ch02-no-such">chapter 2</a>.</p>')),
    "broken-page": ("a link to a page that does not exist", "link",
                    lambda t: insert_in_main(t, '<p>See <a href="ch99.html">chapter 99</a>.</p>')),
    "unstable-anchor": ("a section whose id pandoc made up", "anchor",
                        lambda t: t.replace('id="ch03-summary"', 'id="summary"', 1)),
    "raw-tex-display": ("display math left as TeX", "tex",
                        lambda t: insert_in_main(t, r"<p>$$\frac{\partial L}{\partial x} = \frac{\partial L}{\partial y}\,y$$</p>")),
    "raw-tex-inline": ("inline math left as TeX", "tex",
                       lambda t: insert_in_main(t, "<p>The local derivative of $x^2$ is $2x$.</p>")),
    "ascii-power": ("a power written with ^ in a caption", "tex",
                    lambda t: t.replace("</figcaption>", " The price is (x + y)^2.</figcaption>", 1)),
    "raw-tex-mathjax": ("math delimiters for a renderer that is not there", "tex",
                        lambda t: insert_in_main(t, r"<p>The gradient \(\nabla L\) points uphill.</p>")),
    "no-highlight": ("code without its colours (highlight.css not linked)", "highlight",
                     lambda t: t.replace('<link rel="stylesheet" href="highlight.css">\n', "", 1)),
    "callout-no-command": ("an exercise callout without `make check CHAPTER=3`", "callout",
                           lambda t: t.replace("check CHAPTER=3</span>", "check</span>", 1)),
    "callout-wrong-chapter": ("an exercise callout with another chapter's command", "callout",
                              lambda t: t.replace("check CHAPTER=3</span>", "check CHAPTER=2</span>", 1)),
    "callout-no-file": ("an exercise callout that names no file", "callout",
                        lambda t: t.replace("Open <code>exercises/ch03/mul_layer.c</code> and fill",
                                            "Fill", 1).replace("then open <code>exercises/ch03/add_layer.c</code> and fill", "then fill", 1)),
    "callout-plain": ("an exercise callout that looks like the text around it", "callout",
                      lambda t: t.replace("</head>", "<style>.callout.exercise{background:none;border:0}</style>\n</head>", 1)),
    "too-wide": ("a text column as wide as the window", "layout",
                 lambda t: t.replace("</head>", "<style>.column{max-width:none!important}</style>\n</head>", 1)),
    "phone-overflow": ("a table wider than a phone", "layout",
                       lambda t: insert_in_main(t, '<table style="width:900px"><tr><td>a wide table</td></tr></table>')),
    "no-viewport": ("no viewport meta (a phone shows it zoomed out)", "layout",
                    lambda t: t.replace('<meta name="viewport" content="width=device-width, initial-scale=1">\n', "", 1)),
    "print-nav": ("a print stylesheet that prints the navigation", "print",
                  lambda t: t.replace("</head>", "<style>@media print{.site-header{display:block!important}}</style>\n</head>", 1)),
}


def self_check(html_dir):
    """Break copies of ch03.html in every way the test looks for; each must fail for
    its reason, and the intact book beside them must pass."""
    tmp = tempfile.mkdtemp(prefix="wb-browser-selfcheck.")
    failures = []
    try:
        site = os.path.join(tmp, "html")
        shutil.copytree(os.path.abspath(html_dir), site)
        with open(os.path.join(site, "ch03.html"), encoding="utf-8") as f:
            original = f.read()
        made = {}
        for name, (what, kind, change) in BREAKAGES.items():
            broken = change(original)
            if broken == original:
                failures.append("%s: could not break ch03.html that way (the page changed?)" % name)
                continue
            page = "ch03-broken-%s.html" % name
            with open(os.path.join(site, page), "w", encoding="utf-8") as f:
                f.write(broken)
            made[page] = (name, what, kind)
        t0 = time.time()
        # at phone width only what can break there, and the page they were made from
        phone = {p for p, (_, _, kind) in made.items() if kind == "layout"} | {"ch03.html"}
        # the intact page they were made from, and the one a broken link points into
        problems, _ = run_pages(site, site=False, phone=phone, only=set(made) | {"ch03.html", "ch02.html"})
        by_page = {}
        for page, kind, msg in problems:
            by_page.setdefault(page, []).append((kind, msg))
        for page, found in sorted(by_page.items()):
            if page not in made:
                failures.append("the intact page %s failed: %s" % (page, "; ".join("%s: %s" % f for f in found)))
        for page, (name, what, kind) in sorted(made.items()):
            found = by_page.get(page, [])
            hits = [m for k, m in found if k == kind]
            if hits:
                log("caught %-24s %-10s %s" % (name, kind, hits[0][:150]))
            else:
                failures.append("%s (%s) was not caught as %r; found: %s" % (name, what, kind, found or "nothing"))
        log("self-check: %d broken copies of ch03.html, %.1f s" % (len(made), time.time() - t0))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return failures


# ---------------------------------------------------------------- main

def main(argv):
    ap = argparse.ArgumentParser(description="Test the HTML book in headless Chromium.")
    ap.add_argument("--edition", default="student", choices=["student", "instructor"])
    ap.add_argument("--html", help="the book's HTML folder (default: build/book/<edition>/html)")
    ap.add_argument("--screenshots", help="where to save screenshots (default: build/book/<edition>/screenshots)")
    ap.add_argument("--self-check", action="store_true", help="check that the test catches each defect, on broken copies")
    args = ap.parse_args(argv)
    html_dir = args.html or os.path.join(ROOT, "build", "book", args.edition, "html")
    shots = args.screenshots or os.path.join(ROOT, "build", "book", args.edition, "screenshots")
    t0 = time.time()
    try:
        if args.self_check:
            failures = self_check(html_dir)
            for f in failures:
                print("browser: self-check FAILED: " + f, file=sys.stderr)
            log("self-check %s in %.1f s" % ("failed" if failures else "passed", time.time() - t0))
            return 1 if failures else 0
        problems, pages = run_pages(html_dir, shots)
    except (TestError, CDPError) as e:
        print("browser: error: %s" % e, file=sys.stderr)
        return 2
    for page, kind, msg in problems:
        print("browser: %s: %s: %s" % (page, kind, msg), file=sys.stderr)
    n_links = sum(len(v["desktop"]["links"]) for v in pages.values())
    n_math = sum(v["desktop"]["maths"] for v in pages.values())
    log("%s edition: %d pages at 1280 px and 390 px, %d links, %d formulas, %d problems; screenshots in %s (%.1f s)"
        % (args.edition, len(pages), n_links, n_math, len(problems), os.path.relpath(shots, ROOT), time.time() - t0))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
