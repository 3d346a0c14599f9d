"""selftest.browser (python3 -m selftest.browser): the HTML book as a reader meets it, in headless Chromium.

  PYTHONPATH=harness /usr/bin/python3 -m selftest.browser [--edition student|instructor] [--html DIR]
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
  figure      a figure that is not an SVG with a numbered caption and an id,
              or numbered otherwise than the book model says
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
              glossary or the list of figures incomplete, or a heading
              numbered otherwise than the book model says
  font        Korean text not set in a font that has Hangul
  legibility, listing, box, math, solution
              figures, listings, boxes, maths and the marks on exercise code,
              as harness/selftest/reading.py checks them (issue 12)

and on the reader's way through the book (its own block, below; chapter 3 of
the student edition for what takes a reader's hands):

  sidebar     a sidebar without every chapter, not unfolding the current one to
              its sections, not beside the text at 1280 px; on a phone, one
              that covers the text before its button opens it, or won't open
  pager       previous/next missing at the top or the foot, or out of order
  keys        left/right arrows that do not turn the page, or do so while the
              reader types in the search box or holds a modifier
  search      a search for "sigmoid" that does not list chapter 4's sections
  theme       a dark system theme that leaves the page light; text, code or
              maths under 4.5:1 contrast; figures without their light plate;
              a toggle that does not switch or is forgotten on the next page
  glossary    a chapter without glossary links, a term linked twice, in a
              heading or code, or after an unlinked first use
  landing     a contents page that does not say what a chapter teaches and
              which functions its reader writes (course.toml)

What the book should hold, chapter by chapter (its page, title, numbered
sections and figures) and the glossary, it reads from the book model
harness/workbook/book.py writes, build/book/<edition>/book.json, and compares with what
the browser shows. It saves screenshots of a few pages, desktop and phone, in
build/book/<edition>/screenshots/ for a person to look at.

--self-check copies the built pages, breaks copies of ch03.html in each of the
ways above (and of ch03.html, index.html and glossary.html in the ways only the
check against book.json sees), and checks that every broken copy fails for its
reason and every intact page passes.

The browser is driven with Selenium's WebDriver (Debian: python3-selenium and
chromium-driver, so run it with /usr/bin/python3), one session for every page.
What WebDriver has no command for is asked of Chromium through chromedriver's
DevTools pass-through (execute_cdp_cmd): the phone's screen, print media,
blocking the network, the fonts used for a node. The console and the requests
of each page are read from chromedriver's "browser" and "performance" logs.
"""
import argparse
import json
import os
import re
import shutil
import sys
import tempfile
import time
import urllib.parse

from workbook import course
from selftest import reading  # issue 12: figures, listings, boxes, maths and solution marks as a reader sees them

ROOT = course.ROOT
BOOK = os.path.join(ROOT, "book")

# Emulation.setDeviceMetricsOverride: the phone is a phone (mobile viewport rules, 2x pixels)
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
# schemes that never leave the machine (chrome://, devtools:// are the browser's own pages,
# which some Chromium versions fetch for their new-tab page at start-up)
LOCAL_SCHEMES = ("file", "data", "blob", "about", "chrome", "chrome-untrusted", "devtools", "chrome-extension")
BROWSER_OWN = ("chrome", "chrome-untrusted", "devtools", "chrome-extension")
# Network.setBlockedURLs: every scheme that could leave the machine
REMOTE_PATTERNS = ["http://*", "https://*", "ws://*", "wss://*", "ftp://*"]
HANGUL_FONT = re.compile(r"CJK|KR|Korean|Hangul|Gothic|Nanum|Malgun|Batang|Gulim|Dotum|Apple SD|Un ", re.I)
CHROMEDRIVER = "/usr/bin/chromedriver"


class TestError(Exception):
    """The test could not run (no browser, no book): not a finding about the book."""


def log(msg):
    print("browser: " + msg, flush=True)


# ---------------------------------------------------------------- Chromium through WebDriver

def find_chromium():
    cands = [os.environ.get("CHROMIUM", ""), "/usr/lib/chromium/chromium"]
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        cands.append(shutil.which(name) or "")
    for c in cands:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    raise TestError("Chromium is not installed (Debian: apt-get install chromium; `make deps` does it), "
                    "or set CHROMIUM=/path/to/chrome")


def find_chromedriver():
    for c in (os.environ.get("CHROMEDRIVER", ""), CHROMEDRIVER, shutil.which("chromedriver") or ""):
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    raise TestError("chromedriver is not installed (Debian: apt-get install chromium-driver; `make deps` does it), "
                    "or set CHROMEDRIVER=/path/to/chromedriver")


def quick_service(Service, path, log_path):
    """Selenium's chromedriver Service, but ready as soon as chromedriver listens
    (Selenium 4.8 looks every 0.5 s, and chromedriver is up in a few ms), and
    reached at 127.0.0.1 rather than by the name localhost, which a bare system
    without /etc/hosts (a fresh debootstrap root) cannot resolve."""
    import socket

    class QuickService(Service):
        up = False

        @property
        def service_url(self):
            return "http://127.0.0.1:%d" % self.port

        def listening(self):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return True
            except OSError:
                return False

        def is_connectable(self):
            if not self.up:
                deadline = time.time() + 0.5
                while not self.listening():
                    if time.time() > deadline or self.process.poll() is not None:
                        return False
                    time.sleep(0.005)
                self.up = True
            return self.listening()
    return QuickService(path, log_path=log_path)


class Browser:
    """One headless Chromium session for the whole test, one tab, with the
    console and every request of the page loaded last recorded."""

    def __init__(self, timeout=20):
        try:
            from selenium import webdriver
            from selenium.common.exceptions import JavascriptException, WebDriverException
            from selenium.webdriver.chrome.service import Service
        except ImportError:
            raise TestError("Selenium is not installed for %s (Debian: apt-get install python3-selenium "
                            "chromium-driver, then run the test with /usr/bin/python3; `make deps` installs them)"
                            % sys.executable) from None
        self.JavascriptException = JavascriptException
        self.profile = tempfile.mkdtemp(prefix="wb-chromium.")
        self.log_path = os.path.join(self.profile, "chromedriver.log")
        self.driver = None
        self.viewport = None
        self.media = ""
        self.urls = {}
        self.loaded = []
        self.inspecting, self.page = [], None
        self.since = 0
        opts = webdriver.ChromeOptions()
        opts.binary_location = find_chromium()
        for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    # no update checks, sync or metrics: they would only try the (closed) network
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                    "--disable-default-apps", "--disable-domain-reliability", "--mute-audio",
                    "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication",
                    # belt and braces: no host name resolves, so nothing could leave even unblocked
                    "--host-resolver-rules=MAP * ~NOTFOUND",
                    "--hide-scrollbars", "--force-color-profile=srgb", "--lang=en-US",
                    # chromedriver talks to Chromium over a pipe, not a DevTools port on localhost
                    "--remote-debugging-pipe",
                    "--user-data-dir=" + os.path.join(self.profile, "profile")):
            opts.add_argument(arg)
        # the console (browser) and the DevTools network events (performance), per page
        opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
        opts.add_experimental_option("perfLoggingPrefs", {"enableNetwork": True, "enablePage": False})
        try:
            self.driver = webdriver.Chrome(service=quick_service(Service, find_chromedriver(), self.log_path), options=opts)
            self.driver.set_page_load_timeout(timeout)
            self.driver.set_script_timeout(30)
            self.cdp("Network.setBlockedURLs", {"urls": REMOTE_PATTERNS})
            self.version = self.driver.capabilities.get("browserVersion", "?")
        except WebDriverException as e:
            tail = self.tail_log()
            self.close()
            raise TestError("could not start Chromium through chromedriver: %s; chromedriver's log: %s"
                            % (str(e.msg or e).strip(), tail)) from None
        except Exception:
            self.close()
            raise

    def cdp(self, method, params=None):
        return self.driver.execute_cdp_cmd(method, params or {})

    def tail_log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-10:]) or "(empty)"
        except OSError:
            return "(none)"

    def close(self):
        if self.driver is not None:
            try:
                self.driver.quit()
            except Exception:
                pass
            self.driver = None
        shutil.rmtree(self.profile, ignore_errors=True)

    def set_viewport(self, vp):
        if self.viewport != vp:
            self.driver.set_window_size(vp["width"], vp["height"])
            # the window alone makes no phone: the override gives it a phone's
            # viewport rules (<meta name=viewport>) and pixel density
            self.cdp("Emulation.setDeviceMetricsOverride", vp)
            self.viewport = vp

    def set_media(self, media):
        if self.media != media:
            self.cdp("Emulation.setEmulatedMedia", {"media": media})
            self.media = media

    def navigate(self, url):
        """Load url; the problems of the load are kept for problems()."""
        from selenium.common.exceptions import TimeoutException
        self.loaded = []
        self.inspecting = []  # (from, to) in ms: when fonts_for had the inspector fetch the page
        self.page = url
        # log entries are stamped in ms of the same clock: older ones are the page before's
        self.since = int(time.time() * 1000)
        # On a loaded machine a navigation the page started itself (an arrow
        # key's) can still land after get() returns, or a load can pass the
        # limit: the page asked for, whole, before anything reads it.
        settled = ("return document.readyState === 'complete' && "
                   "location.href.split('#')[0] === arguments[0].split('#')[0]")
        for attempt in range(2):
            try:
                self.driver.get(url)
            except TimeoutException:
                pass
            end = time.time() + 15
            while time.time() < end:
                try:
                    if self.driver.execute_script(settled, url):
                        return True
                except Exception:  # noqa: BLE001  (a document being replaced)
                    pass
                time.sleep(0.1)
        self.loaded.append(("request", "the page did not finish loading in time"))
        return False

    def evaluate(self, script, *args):
        """Run script (a function body; `return` what you want, a promise is awaited)."""
        try:
            return self.driver.execute_script(script, *args)
        except self.JavascriptException as e:
            raise TestError("the test's own script failed: %s" % str(e.msg or e).strip()) from None

    def by_inspector(self, entry, url):
        """Is this log entry the inspector's own fetch of the page (see fonts_for)?"""
        t = entry.get("timestamp", 0)
        return url == self.page and any(a <= t <= (b if b is not None else t) for a, b in self.inspecting)

    def problems(self):
        """The console errors, exceptions and request failures since navigate()."""
        out = list(self.loaded)
        inspector = set()
        for e in self.driver.get_log("performance"):
            if e.get("timestamp", self.since) < self.since:
                continue
            m = json.loads(e["message"])["message"]
            method, p = m.get("method"), m.get("params", {})
            if method == "Network.requestWillBeSent":
                url = p["request"]["url"]
                self.urls[p["requestId"]] = url
                if self.by_inspector(e, url):
                    inspector.add(p["requestId"])
                    continue
                if urllib.parse.urlsplit(url).scheme not in LOCAL_SCHEMES:
                    out.append(("offline", "blocked a request that would leave the machine: %s" % url))
            elif method == "Network.loadingFailed":
                if p.get("requestId") in inspector:
                    continue  # the test's own fetch of the page, not the book's
                if p.get("blockedReason") == "inspector" or p.get("errorText") == "net::ERR_BLOCKED_BY_CLIENT":
                    continue  # refused by us: reported as "offline" already
                if urllib.parse.urlsplit(self.urls.get(p.get("requestId"), "")).scheme in BROWSER_OWN:
                    continue  # the browser's own new-tab page, cut short by the book's page: not the book's
                out.append(("request", "request failed (%s): %s" % (p.get("errorText"), self.urls.get(p["requestId"], "?"))))
            elif method == "Network.responseReceived":
                status = p["response"].get("status", 0)
                if status >= 400:
                    out.append(("request", "HTTP %d for %s" % (status, p["response"]["url"])))
        for e in self.driver.get_log("browser"):
            if e.get("timestamp", self.since) < self.since:
                continue
            if e.get("level") != "SEVERE" or e.get("source") == "network":
                continue  # a failed request: the performance log has it, with its reason
            # chromedriver writes "URL LINE:COL TEXT", a console message's text as a JSON string
            where, text = "", e.get("message", "")
            m = re.match(r"^(\S+) (\d+:\d+) (.*)$", text, re.S)
            if m:
                where, text = "%s:%s" % (m.group(1), m.group(2)), m.group(3)
                if text.startswith('"'):
                    try:
                        text = json.loads(text)
                    except ValueError:
                        pass
            text = text.split("\n")[0]
            if e.get("source") == "security" and self.by_inspector(e, self.page) and \
                    "Unsafe attempt to load URL %s from frame with URL %s" % (self.page, self.page) in text:
                continue  # the test's own fetch of the page (fonts_for), refused as a file: page must be
            if e.get("source") == "console-api":
                out.append(("console", "console error: %s%s" % (text, " (%s)" % where if where else "")))
            elif e.get("source") == "javascript":
                out.append(("console", "uncaught exception: %s (%s)" % (re.sub(r"^Uncaught ", "", text), where or "?")))
            else:
                out.append(("console", "console error (%s): %s %s" % (e.get("source"), text, where)))
        return out

    def screenshot(self, path):
        if not self.driver.get_screenshot_as_file(path):
            raise TestError("could not save the screenshot %s" % path)

    def fonts_for(self, selector):
        """The platform fonts Chromium used for the first element matching selector.
        Enabling the inspector's CSS domain makes some Chromium versions fetch the
        page again, which a file: page refuses ("Unsafe attempt to load URL"):
        problems() leaves out that fetch, made by the test, not the book."""
        self.inspecting.append((int(time.time() * 1000), None))
        self.cdp("DOM.enable")
        self.cdp("CSS.enable")
        try:
            root = self.cdp("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
            node = self.cdp("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
            if not node:
                return None
            return [f["familyName"] for f in self.cdp("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]]
        finally:
            self.cdp("CSS.disable")
            self.cdp("DOM.disable")
            self.inspecting[-1] = (self.inspecting[-1][0], int(time.time() * 1000) + 200)


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
      const text = short(h.textContent.replace(/#$/, ''), 300);  // whole: compared with book.json
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
      ({id: tr.id, english: short(tr.cells[0].textContent, 300), korean: short(tr.cells[1].textContent, 300),
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


MODEL_NAME = "book.json"


def read_model(html_dir):
    """The book model harness/workbook/book.py writes beside the HTML folder,
    build/book/<edition>/book.json: the chapters with their pages, titles,
    sections (id, number, title, level) and figures (id, number), and the
    glossary (term, korean, id), as the build numbered and wrote them. The
    site checks take these facts from it rather than work them out again."""
    path = os.path.join(os.path.dirname(os.path.abspath(html_dir)), MODEL_NAME)
    where = os.path.relpath(path, ROOT)
    try:
        with open(path, encoding="utf-8") as f:
            model = json.load(f)
    except FileNotFoundError:
        raise TestError("%s is missing: build the book (make book); harness/workbook/book.py writes it beside %s/"
                        % (where, os.path.basename(os.path.abspath(html_dir)))) from None
    except (OSError, ValueError) as e:
        raise TestError("%s cannot be read: %s" % (where, e)) from None
    try:
        for c in model["chapters"]:
            c["number"], c["html"], c["title"]
            for sec in c["sections"]:
                sec["id"], sec["number"], sec["title"], sec["level"]
            for fig in c["figures"]:
                fig["id"], fig["number"]
        for e in model["glossary"]:
            e["term"], e["korean"], e["id"]
    except (KeyError, TypeError) as e:
        raise TestError("%s lacks %s, which this test reads (book/README.md describes the model; "
                        "is it from an older harness/workbook/book.py? make book)" % (where, e)) from None
    return model


def heading_text(number, title):
    return ("%s %s" % (number, title) if number else title).strip()


def check_site(pages, model):
    """The book as a whole against its model (book.json): contents, chapter
    headings and contents, previous/next, glossary, figures."""
    out = []
    d = {p: v["desktop"] for p, v in pages.items()}
    chs = model["chapters"]
    order = ["index.html"] + [c["html"] for c in chs] + ["glossary.html"]
    if "index.html" in d:
        toc = set(d["index.html"]["toc"])
        text = " ".join(l["text"] for l in d["index.html"]["links"])
        for c in chs:
            page = c["html"]
            if page not in toc:
                out.append(("index.html", "toc", "the contents do not link to chapter %d (%s)" % (c["number"], page)))
            for sec in c["sections"]:
                if sec["level"] == 2 and "%s#%s" % (page, sec["id"]) not in toc:
                    out.append(("index.html", "toc", "the contents do not list %s#%s: %s"
                                % (page, sec["id"], heading_text(sec["number"], sec["title"]))))
            if c["title"] not in text:
                out.append(("index.html", "toc", "the contents do not show the title of chapter %d, %r" % (c["number"], c["title"])))
        for extra in ("glossary.html", "figures.html"):
            if extra not in toc:
                out.append(("index.html", "toc", "the contents do not link to %s" % extra))
    listed = set(d["figures.html"]["toc"]) if "figures.html" in d else None
    for c in chs:
        page = c["html"]
        if page not in d:
            continue
        heads = d[page]["headings"]
        by_id = {h["id"]: h for h in heads if h["id"]}
        own = set(d[page]["toc"])
        h1 = [h for h in heads if h["level"] == 1]
        want = heading_text(c["number"], c["title"])
        if not h1 or h1[0]["text"] != want:
            out.append((page, "toc", "the chapter's heading reads %r, not %r as book.json numbers it"
                        % (h1[0]["text"] if h1 else None, want)))
        known = set()
        for sec in c["sections"]:
            known.add(sec["id"])
            want = heading_text(sec["number"], sec["title"])
            h = by_id.get(sec["id"])
            if h is None:
                out.append((page, "toc", "the page has no section #%s, %s (book.json)" % (sec["id"], want)))
            elif h["text"] != want:
                out.append((page, "toc", "the section #%s reads %r, not %r as book.json numbers it" % (sec["id"], h["text"], want)))
            if sec["level"] in (2, 3) and "#" + sec["id"] not in own:
                out.append((page, "toc", "the chapter's own contents do not list %s (#%s)" % (want, sec["id"])))
        for h in heads:
            if h["level"] in (2, 3) and h["id"] and h["id"] not in known:
                out.append((page, "toc", "the section %r (#%s) is not in book.json, so no contents list it" % (h["text"], h["id"])))
        i = order.index(page)
        for rel, target in (("prev", order[i - 1]), ("next", order[i + 1])):
            if d[page]["pager"].get(rel) != target:
                out.append((page, "toc", "the %s link goes to %s, not %s" % (rel, d[page]["pager"].get(rel), target)))
        shown = {f["id"]: f for f in d[page]["figures"] if f["id"]}
        for f in c["figures"]:
            got = shown.pop(f["id"], None)
            if got is None:
                out.append((page, "figure", "the page has no figure #%s, Figure %s (book.json)" % (f["id"], f["number"])))
            elif not got["caption"].startswith("Figure %s " % f["number"]):
                out.append((page, "figure", "the figure #%s is captioned %r, not Figure %s as book.json numbers it"
                            % (f["id"], got["caption"][:60], f["number"])))
            if listed is not None and "%s#%s" % (page, f["id"]) not in listed:
                out.append(("figures.html", "toc", "the list of figures misses %s#%s: Figure %s" % (page, f["id"], f["number"])))
        for fid, f in sorted(shown.items()):
            out.append((page, "figure", "the figure #%s (%s) is not in book.json, so the list of figures misses it"
                        % (fid, f["caption"][:60])))
    if "glossary.html" in d:
        rows = {r["id"]: r for r in d["glossary.html"]["glossary"]}
        for e in model["glossary"]:
            r = rows.pop(e["id"], None)
            if r is None:
                out.append(("glossary.html", "toc", "the glossary has no row #%s for %r (book.json)" % (e["id"], e["term"])))
            elif r["english"] != e["term"] or r["korean"] != e["korean"] or r["lang"] != "ko":
                out.append(("glossary.html", "toc", "the glossary's row #%s shows %r, %r (lang=%s), not %r, %r in lang=ko"
                            % (e["id"], r["english"], r["korean"], r["lang"], e["term"], e["korean"])))
        for ident, r in sorted(rows.items()):
            out.append(("glossary.html", "toc", "the glossary's row #%s, %r, is not in book.json" % (ident, r["english"])))
    return out


def take_screenshot(b, shots_dir, page, anchor, vpname):
    """The page b shows, scrolled to #anchor as a reader's click on a link to it
    would (so :target shows), or at its top."""
    if anchor:
        if not b.evaluate("return !!document.getElementById(arguments[0])", anchor):
            log("note: no #%s in %s to take a screenshot of (harness/selftest/browser.py SCREENSHOTS)" % (anchor, page))
            return
        b.evaluate("location.hash = arguments[0]", "#" + anchor)
    elif b.evaluate("return location.hash"):
        b.evaluate("history.replaceState(null, '', location.pathname); scrollTo(0, 0)")
    b.evaluate("return document.fonts.ready.then(() => new Promise(r => requestAnimationFrame(() => r(1))))")
    b.screenshot(os.path.join(shots_dir, "%s-%s%s.png" % (vpname, page[:-5], "-" + re.sub(r"\W", "-", anchor) if anchor else "")))


def run_pages(html_dir, shots_dir=None, site=True, browser=None, phone=None, only=None):
    """Load every page; return (problems [(page, kind, message)], page data)."""
    html_dir = os.path.abspath(html_dir)
    if not os.path.exists(os.path.join(html_dir, "index.html")):
        raise TestError("%s has no index.html: build the book first (make book)" % os.path.relpath(html_dir, ROOT))
    names = sorted(n for n in os.listdir(html_dir) if n.endswith(".html") and (only is None or n in only))
    chapters = {c.number: c for c in course.chapters()}
    model = read_model(html_dir) if site else None
    own = browser is None
    b = browser or Browser()
    problems, pages = [], {}
    if shots_dir:
        if os.path.isdir(shots_dir):
            shutil.rmtree(shots_dir)
        os.makedirs(shots_dir)
    try:
        for vpname, vp in (("desktop", DESKTOP), ("phone", PHONE)):
            b.set_viewport(vp)
            for name in names:
                if vpname == "phone" and phone is not None and name not in phone:
                    continue
                b.navigate("file://" + urllib.parse.quote(os.path.join(html_dir, name)))
                n = chapter_of(name)
                data = b.evaluate("return (%s)(arguments[0])" % PAGE_JS,
                                  {"viewport": vpname, "screen": vp["width"], "chapter": n, "nn": "ch%02d" % n if n else ""})
                found = [tuple(p) for p in data.pop("problems")]
                found += reading.page_problems(b, name, vpname, html_dir, data)  # selftest/reading.py
                if vpname == "desktop":
                    found += check_callouts(name, data, chapters)
                    if model:  # the reader's way through the book: sidebar, pager, glossary links, contents
                        found += reader_static(b, name, model, chapters)
                    b.set_media("print")
                    found += [("print", m) for m in b.evaluate("return " + PRINT_JS.strip())]
                    b.set_media("")
                    if name == "glossary.html" and data["glossary"]:
                        fonts = b.fonts_for('table.glossary td[lang="ko"]') or []
                        if not any(HANGUL_FONT.search(f) for f in fonts):
                            found.append(("font", "the Korean terms are drawn with %s, which has no Hangul: "
                                                   "install fonts-noto-cjk, or name a Korean font in book.css"
                                          % (", ".join(fonts) or "no font")))
                # read last: what arrives while the checks run (late requests, errors) counts too
                found = b.problems() + found
                pages.setdefault(name, {})[vpname] = data
                seen = set()
                for kind, msg in found:
                    if (kind, msg) not in seen:
                        seen.add((kind, msg))
                        problems.append((name, kind, "[%s] %s" % (vpname, msg) if vpname == "phone" else msg))
                if shots_dir:  # the page is loaded at this width already: its screenshots now
                    for page, anchor, shot_vp in SCREENSHOTS:
                        if page == name and shot_vp == vpname:
                            take_screenshot(b, shots_dir, page, anchor, vpname)
        problems += resolve_links(pages, html_dir)
        problems += reading.site_problems(pages)  # one look for each kind of box
        if site:
            problems += check_site(pages, model)
            problems += reader_checks(b, html_dir, model, pages)  # the reader's way through the book
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


BREAKAGES.update(reading.BREAKAGES)  # figures, listings, boxes, maths: selftest/reading.py


def first_glossary_row(t, change):
    m = first_tag(t, r'<tr id="gl-[^"]*">.*?</tr>')
    return t[:m.start()] + change(m.group(0)) + t[m.end():]


# Defects only the book as a whole shows: name: (what is wrong, expected kind, the
# page broken, the change). The broken copy stands in for its page in the site
# check against book.json.
SITE_BREAKAGES = {
    "section-renumbered": ("a section numbered otherwise than book.json (and the PDF) says", "toc", "ch03.html",
                           lambda t: re.sub(r'(<span class="header-section-number">)3\.7(</span>)', r"\g<1>3.9\2", t, 1)),
    "chapter-toc-incomplete": ("a chapter's own contents without one of its sections", "toc", "ch03.html",
                               lambda t: re.sub(r'<li class="toc-level-3"><a href="#ch03-mul-layer">.*?</li>', "", t, 1)),
    "pager-wrong": ("a next link that skips a chapter", "toc", "ch03.html",
                    lambda t: t.replace('class="pager-next" rel="next" href="ch04.html"',
                                        'class="pager-next" rel="next" href="ch05.html"', 1)),
    "figure-renumbered": ("a figure numbered otherwise than book.json says", "figure", "ch03.html",
                          lambda t: t.replace('<span class="figure-number">Figure 3.2</span>',
                                              '<span class="figure-number">Figure 3.3</span>', 1)),
    "contents-incomplete": ("the book's contents without one section", "toc", "index.html",
                            lambda t: re.sub(r'<li class="toc-level-2"><a href="ch03.html#ch03-summary">.*?</li>', "", t, 1)),
    "glossary-row-missing": ("a glossary without one of its terms", "toc", "glossary.html",
                             lambda t: first_glossary_row(t, lambda row: "")),
    "glossary-wrong-korean": ("a glossary term with another Korean word", "toc", "glossary.html",
                              lambda t: first_glossary_row(t, lambda row: re.sub(r'(<td lang="ko">)[^<]*', r"\1틀린 말", row, 1))),
    "glossary-no-lang": ("a Korean term not marked lang=ko", "toc", "glossary.html",
                         lambda t: first_glossary_row(t, lambda row: row.replace('<td lang="ko">', "<td>", 1))),
}


def self_check(html_dir):
    """Break copies of ch03.html in every way the test looks for, and copies of
    ch03.html, index.html and glossary.html in every way the site check against
    book.json looks for; each must fail for its reason, and the intact pages
    beside them must pass."""
    model = read_model(html_dir)
    tmp = tempfile.mkdtemp(prefix="wb-browser-selfcheck.")
    failures = []
    try:
        site = os.path.join(tmp, "html")
        shutil.copytree(os.path.abspath(html_dir), site)
        shutil.copy(os.path.join(os.path.dirname(os.path.abspath(html_dir)), MODEL_NAME), tmp)  # for reading.py
        originals = {}
        for page in ["ch03.html"] + [b[2] for b in SITE_BREAKAGES.values()]:
            with open(os.path.join(site, page), encoding="utf-8") as f:
                originals[page] = f.read()
        made, made_site = {}, {}
        todo = [(name, what, kind, "ch03.html", change, made) for name, (what, kind, change) in BREAKAGES.items()]
        todo += [(name, what, kind, page, change, made_site) for name, (what, kind, page, change) in SITE_BREAKAGES.items()]
        for name, what, kind, page, change, into in todo:
            broken = change(originals[page])
            if broken == originals[page]:
                failures.append("%s: could not break %s that way (the page changed?)" % (name, page))
                continue
            copy = "%s-broken-%s.html" % (page[:-5], name)
            with open(os.path.join(site, copy), "w", encoding="utf-8") as f:
                f.write(broken)
            into[copy] = (name, what, kind, page)
        t0 = time.time()
        # at phone width only what can break there, and the page they were made from
        phone = {p for p, (_, _, kind, _) in made.items() if kind in ("layout",) + reading.PHONE_KINDS} | {"ch03.html"}
        # the intact pages they were made from, and the one a broken link points into
        problems, pages = run_pages(site, site=False, phone=phone,
                                    only=set(made) | set(made_site) | set(originals) | {"ch02.html"})
        by_page = {}
        for page, kind, msg in problems:
            by_page.setdefault(page, []).append((kind, msg))
        for page, found in sorted(by_page.items()):
            if page not in made and page not in made_site:
                failures.append("the intact page %s failed: %s" % (page, "; ".join("%s: %s" % f for f in found)))
        for page, (name, what, kind, _) in sorted(made.items()):
            found = by_page.get(page, [])
            hits = [m for k, m in found if k == kind]
            if hits:
                log("caught %-24s %-10s %s" % (name, kind, hits[0][:150]))
            else:
                failures.append("%s (%s) was not caught as %r; found: %s" % (name, what, kind, found or "nothing"))
        # the book as a whole: the intact pages pass; each broken copy, in its page's place, fails
        intact = {p: v for p, v in pages.items() if p not in made and p not in made_site}
        base = check_site(intact, model)
        for page, kind, msg in base:
            failures.append("the intact page %s failed the site check: %s: %s" % (page, kind, msg))
        for copy, (name, what, kind, page) in sorted(made_site.items()):
            found = [f for f in check_site(dict(intact, **{page: pages[copy]}), model) if f not in base]
            hits = [m for _, k, m in found if k == kind]
            if hits:
                log("caught %-24s %-10s %s" % (name, kind, hits[0][:150]))
            else:
                failures.append("%s (%s) was not caught as %r; found: %s" % (name, what, kind, found or "nothing"))
        log("self-check: %d broken copies of ch03.html, %d of pages in the site check against %s, %.1f s"
            % (len(made), len(made_site), MODEL_NAME, time.time() - t0))
        failures += reader_self_check(site, model, pages)  # the reader's way through the book
        failures += reading.self_check_instructor(run_pages, log, html_dir)  # solution marks (instructor edition)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return failures


# ==================================================================== the reader's way through the book
# (issue 12: the whole-book sidebar, previous/next at the top and the foot,
# the arrow keys, the search, the dark theme, glossary links, the contents
# page's guide; harness/workbook/navigation.py and book/assets/book.js make
# them). reader_checks runs after the page checks, in the same browser;
# reader_self_check breaks copies of ch03.html and index.html, one way each.

SEARCH_WORD = "sigmoid"  # ... finds chapter 4's sections about it

READER_PAGE_JS = r"""
(opts) => {
  const out = {problems: [], sidebar: null, pagers: {}, rels: {}, guide: []};
  const P = (kind, msg) => out.problems.push([kind, msg]);
  const short = s => (s || '').replace(/\s+/g, ' ').trim().slice(0, 60);
  const main = document.querySelector('main');
  const sb = document.getElementById('book-sidebar');
  if (sb) {
    const r = sb.getBoundingClientRect(), m = main ? main.getBoundingClientRect() : null;
    const st = getComputedStyle(sb);
    const cur = [...sb.querySelectorAll('.sidebar-chapters > li')].filter(li => li.querySelector('ul'));
    out.sidebar = {
      chapters: [...sb.querySelectorAll('.sidebar-chapter > a')].map(a => a.getAttribute('href')),
      links: [...sb.querySelectorAll('.sidebar-chapters > li > a')].map(a => a.getAttribute('href')),
      unfolded: cur.map(li => li.querySelector('a').getAttribute('href')),
      ariaCurrent: [...sb.querySelectorAll('a[aria-current="page"]')].map(a => a.getAttribute('href')),
      sections: cur.length ? [...cur[0].querySelectorAll('ul a')].map(a => a.getAttribute('href')) : [],
      shown: st.display !== 'none' && st.visibility !== 'hidden' && r.width > 100 && r.right > 0 && r.left < innerWidth,
      besideText: !m || r.right <= m.left + 1,
    };
  }
  for (const where of ['top', 'bottom']) {
    const nav = document.querySelector('nav.pager-' + where);
    if (!nav) continue;
    const get = rel => { const a = nav.querySelector(`a[rel=${rel}]`); return a ? a.getAttribute('href') : null; };
    const h1 = main && main.querySelector('h1');
    out.pagers[where] = {prev: get('prev'), next: get('next'),
      beforeTitle: !!h1 && !!(nav.compareDocumentPosition(h1) & Node.DOCUMENT_POSITION_FOLLOWING),
      afterText: !!main && !![...main.children].slice(-1)[0] && ([...main.children].slice(-1)[0] === nav)};
  }
  for (const rel of ['prev', 'next']) {
    const l = document.querySelector(`link[rel=${rel}]`);
    out.rels[rel] = l ? l.getAttribute('href') : null;
  }
  // glossary links: in the running text only, each term once, at its first use
  const links = [...(main ? main.querySelectorAll('a[href^="glossary.html#"]') : [])].filter(a => !a.closest('.intro'));
  const SKIP = 'h1, h2, h3, h4, h5, h6, code, pre, math, table, figcaption, nav, .callout-title, .listing, .program-output';
  const seen = new Map();
  for (const a of links) {
    const id = a.getAttribute('href').split('#')[1];
    const bad = a.closest(SKIP);
    if (bad) P('glossary', `the glossary link "${short(a.textContent)}" (#${id}) is inside <${bad.localName}>: terms are linked in the running text only`);
    if (seen.has(id)) P('glossary', `#${id} is linked twice on the page ("${short(seen.get(id))}" and "${short(a.textContent)}"): only its first use is`);
    else seen.set(id, a.textContent);
  }
  out.glossaryIds = [...seen.keys()];
  if (opts.chapter && main) {
    // the first use: no earlier mention of a linked term in the text the build links in
    const firsts = new Map(links.filter(a => !a.closest(SKIP)).map(a => [a, a.textContent.trim()]));
    const before = [];
    const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      const link = el.closest('a[href^="glossary.html#"]');
      if (link && firsts.has(link)) {
        const word = firsts.get(link).replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+');
        const m = new RegExp(`(^|[^\\w-])${word}(?![\\w-])`, 'i').exec(before.join(''));
        if (m) P('glossary', `"${short(firsts.get(link))}" is linked to the glossary, but the text uses it earlier, unlinked: "…${short(before.join('').slice(Math.max(0, m.index - 40), m.index + 40))}…"`);
        firsts.delete(link);
        continue;
      }
      if (!el.closest(SKIP) && !el.closest('a')) before.push(n.nodeValue);
    }
  }
  // the contents page: under each chapter, what it teaches and what the reader writes
  for (const li of document.querySelectorAll('.book-toc > li')) {
    const a = li.querySelector('a.toc-chapter');
    if (!a) continue;
    out.guide.push({href: a.getAttribute('href'), text: li.textContent.replace(/\s+/g, ' '),
                    codes: [...li.querySelectorAll('.toc-guide code')].map(c => c.textContent.trim())});
  }
  return out;
}
"""

CONTRAST_JS = r"""
(() => {
  const rgba = s => { const m = /rgba?\(([^)]+)\)/.exec(s || ''); if (!m) return null;
    const v = m[1].split(/[ ,/]+/).filter(Boolean).map(Number); return [v[0], v[1], v[2], v.length > 3 ? v[3] : 1]; };
  const over = (top, under) => top.slice(0, 3).map((c, i) => c * top[3] + under[i] * (1 - top[3])).concat([1]);
  const canvas = () => { for (const e of [document.body, document.documentElement]) {
      const c = rgba(getComputedStyle(e).backgroundColor); if (c && c[3] > 0) return c; }
    return getComputedStyle(document.documentElement).colorScheme === 'dark' ? [18, 18, 18, 1] : [255, 255, 255, 1]; };
  const bgOf = el => { const layers = [];
    for (let e = el; e; e = e.parentElement) { const c = rgba(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; } }
    let bg = layers.length && layers[layers.length - 1][3] >= 1 ? layers.pop() : canvas();
    while (layers.length) bg = over(layers.pop(), bg);
    return bg; };
  const lum = c => { const f = x => { x /= 255; return x <= 0.04045 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  const worst = {};
  const look = (what, el) => { const bg = bgOf(el); const fg = over(rgba(getComputedStyle(el).color) || [0, 0, 0, 1], bg);
    const r = ratio(fg, bg); if (!worst[what] || r < worst[what].ratio)
      worst[what] = {ratio: Math.round(r * 100) / 100, text: el.textContent.trim().slice(0, 30), cls: el.className || el.localName}; };
  const body = document.body;
  look('text', document.querySelector('main p') || body);
  for (const s of document.querySelectorAll('pre.sourceCode code, pre.sourceCode code span[class]')) if (s.textContent.trim()) look('code', s);
  for (const s of document.querySelectorAll(':not(pre) > code')) look('inline code', s);
  for (const m of [...document.querySelectorAll('math')].slice(0, 20)) look('maths', m);
  for (const s of document.querySelectorAll('.program-output pre')) look('program output', s);
  const own = e => [...e.childNodes].some(n => n.nodeType === 3 && n.nodeValue.trim());
  for (const s of document.querySelectorAll('.listing-caption, .listing-caption *, figcaption, figcaption *, .callout-title, .callout-title *'))
    if (own(s)) look('captions and titles', s);
  const figs = [...document.querySelectorAll('main figure img')].map(i => Math.round(lum(bgOf(i)) * 100) / 100);
  return {theme: document.documentElement.getAttribute('data-theme'), stored: (() => { try { return localStorage.getItem('wb-theme'); } catch (e) { return 'n/a'; } })(),
          body: Math.round(lum(bgOf(body)) * 1000) / 1000, worst, figures: figs};
})()
"""

PHONE_JS = r"""
(() => {
  const sb = document.getElementById('book-sidebar');
  const r = sb ? sb.getBoundingClientRect() : null, st = sb ? getComputedStyle(sb) : null;
  const btn = document.querySelector('.menu-toggle');
  const main = document.querySelector('main');
  const p = main && [...main.querySelectorAll('p')].find(p => !p.closest('nav, .callout, figure, header'));
  const cur = sb && sb.querySelector('a[aria-current="page"]');
  const cr = cur && cur.getBoundingClientRect();
  return {shown: !!sb && st.display !== 'none' && st.visibility !== 'hidden' && r.width > 0 && r.right > 1 && r.left < innerWidth - 1,
          cover: r ? Math.round(Math.max(0, Math.min(r.right, innerWidth) - Math.max(r.left, 0)) / innerWidth * 100) : 0,
          menu: !!btn && btn.getBoundingClientRect().width > 0 && getComputedStyle(btn).visibility !== 'hidden',
          textTop: p ? Math.round(p.getBoundingClientRect().top) : null,
          currentVisible: !!cr && cr.width > 0 && cr.top >= 0 && cr.bottom <= innerHeight && cr.left >= 0 && cr.right <= innerWidth,
          height: innerHeight};
})()
"""


def reader_order(model):
    """The pages in reading order, as previous/next and the arrow keys walk them."""
    return ["index.html"] + [c["html"] for c in model["chapters"]] + ["glossary.html", "figures.html"]


def wait_for(b, script, timeout=3.0, *args):
    """Poll script (returns a value) until it is truthy or timeout seconds pass; its last value."""
    end = time.time() + timeout
    while True:
        v = b.evaluate(script, *args)
        if v or time.time() > end:
            return v
        time.sleep(0.05)


def reader_static(b, stands_for, model, chapters):
    """A page at 1280 px: its sidebar, previous/next, glossary links, (index) guide."""
    out = []
    n = chapter_of(stands_for)
    d = b.evaluate("return (%s)(arguments[0])" % READER_PAGE_JS, {"chapter": n})
    out += [tuple(p) for p in d["problems"]]
    chs = model["chapters"]
    sb = d["sidebar"]
    if sb is None:
        out.append(("sidebar", "no whole-book sidebar (nav#book-sidebar with every chapter)"))
    else:
        want = [c["html"] for c in chs]
        if sb["chapters"] != want:
            missing = [p for p in want if p not in sb["chapters"]]
            out.append(("sidebar", "the sidebar lists %s, not every chapter in order (%s)%s"
                        % (sb["chapters"], ", ".join(want), "; missing %s" % ", ".join(missing) if missing else "")))
        for extra in ("index.html", "glossary.html", "figures.html"):
            if extra not in sb["links"]:
                out.append(("sidebar", "the sidebar does not link to %s" % extra))
        if not sb["shown"] or not sb["besideText"]:
            out.append(("sidebar", "at 1280 px the sidebar is %s" % ("not shown" if not sb["shown"] else "over the text, not beside it")))
        if stands_for in sb["links"] and stands_for not in sb["ariaCurrent"]:
            out.append(("sidebar", "the sidebar does not mark this page (%s) as the current one (aria-current)" % stands_for))
        if n:
            c = next(c for c in chs if c["number"] == n)
            if sb["unfolded"] != [stands_for]:
                out.append(("sidebar", "the sidebar unfolds %s, not this chapter alone (%s)" % (sb["unfolded"] or "nothing", stands_for)))
            want_secs = ["#" + s["id"] for s in c["sections"] if s["level"] in (2, 3)]
            if sb["unfolded"] == [stands_for] and sb["sections"] != want_secs:
                miss = [s for s in want_secs if s not in sb["sections"]]
                out.append(("sidebar", "the current chapter's sections in the sidebar are not those of book.json%s"
                            % (": missing %s" % ", ".join(miss) if miss else " (order)")))
        elif sb["unfolded"]:
            out.append(("sidebar", "the sidebar unfolds %s on a page that is no chapter" % sb["unfolded"]))
    order = reader_order(model)
    if stands_for in order:
        i = order.index(stands_for)
        want = {"prev": order[i - 1] if i > 0 else None, "next": order[i + 1] if i + 1 < len(order) else None}
        if d["rels"] != want:
            out.append(("pager", "<link rel=prev/next> go to %s, not %s" % (d["rels"], want)))
        for where in ("top", "bottom"):
            pg = d["pagers"].get(where)
            if pg is None:
                out.append(("pager", "no previous/next links at the %s of the page (nav.pager-%s)" % (where, where)))
                continue
            got = {"prev": pg["prev"], "next": pg["next"]}
            if got != want:
                out.append(("pager", "the previous/next links at the %s go to %s, not %s" % (where, got, want)))
            if where == "top" and not pg["beforeTitle"]:
                out.append(("pager", "the previous/next links at the top come after the page's title"))
            if where == "bottom" and not pg["afterText"]:
                out.append(("pager", "the previous/next links at the foot are not the last thing of the text"))
    if n:
        if not d["glossaryIds"]:
            out.append(("glossary", "no term of the glossary is linked in chapter %d" % n))
        known = {e["id"] for e in model["glossary"]}
        for ident in d["glossaryIds"]:
            if ident not in known:
                out.append(("glossary", "a link to glossary.html#%s, which is no glossary term" % ident))
    s = b.evaluate("return " + CONTRAST_JS.strip())  # the light theme, as the page is loaded
    for what, w in s["worst"].items():
        if w["ratio"] < 4.5:
            out.append(("theme", "[%s] %s has a contrast of %.2f against its background (at least 4.5): %s %r"
                        % (s["theme"], what, w["ratio"], w["cls"], w["text"])))
    if stands_for == "index.html":
        guide = {g["href"]: g for g in d["guide"]}
        for c in chs:
            g = guide.get(c["html"])
            ch = chapters.get(c["number"])
            if g is None or ch is None:
                continue  # the contents check (toc) reports a missing chapter
            teaches = getattr(ch, "teaches", None)
            if teaches and " ".join(teaches.replace("`", "").split()) not in g["text"]:
                out.append(("landing", "the contents do not say what chapter %d teaches (course.toml's teaches: %r)"
                            % (c["number"], teaches[:60])))
            funcs = set()
            for f in ch.files:
                funcs |= stub_functions(os.path.join(ROOT, "exercises", ch.nn, f))
            for f in ch.functions:
                if not f.given and f.name in funcs and f.name not in g["codes"]:
                    out.append(("landing", "the contents do not say that chapter %d's reader writes %s" % (c["number"], f.name)))
    return out


def reader_phone(b, url):
    """At 390 px the sidebar waits behind its button: closed, the text comes first."""
    out = []
    b.set_viewport(PHONE)
    b.navigate(url)
    # a loaded machine may take longer than the page-load limit: the page, whole, first
    wait_for(b, "return document.readyState === 'complete' && !!document.querySelector('main p')", 15.0)
    s = b.evaluate("return " + PHONE_JS.strip())
    if s["shown"]:
        out.append(("sidebar", "[phone] the sidebar covers %d%% of the screen before anyone opens it" % s["cover"]))
    if s["textTop"] is None or s["textTop"] > s["height"]:
        out.append(("sidebar", "[phone] the text starts at %s px, below the first screen (%d px)" % (s["textTop"], s["height"])))
    if not s["menu"]:
        out.append(("sidebar", "[phone] no button opens the sidebar (.menu-toggle)"))
    else:
        from selenium.common.exceptions import WebDriverException
        try:
            b.driver.find_element("css selector", ".menu-toggle").click()
        except WebDriverException as e:
            out.append(("sidebar", "[phone] the Chapters button cannot be clicked: %s" % str(e.msg or e).split("\n")[0][:150]))
            b.set_viewport(DESKTOP)
            return out
        s = wait_for(b, "const s = (%s); return s.shown && s.currentVisible ? s : null" % PHONE_JS.strip(), 1.5) \
            or b.evaluate("return " + PHONE_JS.strip())
        if not s["shown"]:
            out.append(("sidebar", "[phone] the Chapters button does not open the sidebar"))
        elif not s["currentVisible"]:
            out.append(("sidebar", "[phone] the open sidebar does not show the current page's entry"))
        else:
            from selenium.webdriver.common.action_chains import ActionChains
            from selenium.webdriver.common.keys import Keys
            ActionChains(b.driver).send_keys(Keys.ESCAPE).perform()
            if not wait_for(b, "return !(%s).shown" % PHONE_JS.strip(), 1.5):
                out.append(("sidebar", "[phone] Escape does not close the sidebar"))
    b.set_viewport(DESKTOP)
    return out


def reader_keys(b, url, model, stands_for):
    """Left and right go to the previous and next chapter; not with a modifier,
    not while typing in the search box."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys
    out = []
    order = reader_order(model)
    i = order.index(stands_for)
    here = "return location.pathname.split('/').pop()"
    b.navigate(url)  # right to the next page, then left from there back to this one
    # keys only once the page listens for them; a page under load may take seconds to go
    listening = "return document.documentElement.getAttribute('data-keys') === 'ready'"
    for key, name, target in ((Keys.ARROW_RIGHT, "right", order[i + 1]), (Keys.ARROW_LEFT, "left", stands_for)):
        wait_for(b, listening, 10.0)
        ActionChains(b.driver).send_keys(key).perform()
        got = wait_for(b, "const p = location.pathname.split('/').pop(); return p === arguments[0] ? p : null", 6.0, target)
        if not got:
            return out + [("keys", "the %s arrow key does not go to %s (the page stays at %s)" % (name, target, b.evaluate(here)))]
        b.evaluate("return document.readyState === 'complete' || new Promise(r => addEventListener('load', r))")
    start = os.path.basename(urllib.parse.urlsplit(url).path)
    b.navigate(url)
    wait_for(b, listening, 10.0)
    ActionChains(b.driver).key_down(Keys.SHIFT).send_keys(Keys.ARROW_RIGHT).key_up(Keys.SHIFT).perform()
    time.sleep(0.25)
    if b.evaluate(here) != start:
        out.append(("keys", "shift + right arrow leaves the page (%s); with a modifier the key is the browser's" % b.evaluate(here)))
        b.navigate(url)
    box = b.driver.find_elements("css selector", "#search-input")
    if box:
        b.evaluate("document.getElementById('search-input').focus()")
        ActionChains(b.driver).send_keys("ab").send_keys(Keys.ARROW_RIGHT).send_keys(Keys.ARROW_LEFT).perform()
        time.sleep(0.25)
        if b.evaluate(here) != start:
            out.append(("keys", "an arrow key typed in the search box leaves the page (for %s)" % b.evaluate(here)))
    return out


def reader_search(b, url, model, pages, html_dir):
    """Typing SEARCH_WORD in the search box lists chapter 4's sections about it, first."""
    out = []
    b.navigate(url)
    box = b.driver.find_elements("css selector", "#search-input")
    if not box:
        return [("search", "no search box (#search-input)")]
    box[0].click()
    box[0].send_keys(SEARCH_WORD)
    got = wait_for(b, "const r = document.getElementById('search-results');"
                      "const a = [...r.querySelectorAll('a')].map(x => [x.getAttribute('href'), x.textContent]);"
                      "return a.length || r.textContent.trim() ? {hits: a} : null", 5.0)
    hits = got["hits"] if got else []
    if not hits:
        msg = b.evaluate("const r = document.getElementById('search-results'); return r ? r.textContent : ''")
        return [("search", "searching for %r finds nothing%s" % (SEARCH_WORD, ": %s" % msg.strip()[:150] if msg.strip() else ""))]
    ch4 = next((c for c in model["chapters"] if c["number"] == 4), None)
    if ch4 is None:
        return out
    hrefs = [h for h, _ in hits]
    if not hrefs[0].startswith(ch4["html"]):
        out.append(("search", "the first result for %r is %s, not a section of chapter 4" % (SEARCH_WORD, hrefs[0])))
    for s in ch4["sections"]:
        if SEARCH_WORD in s["title"].lower() and "%s#%s" % (ch4["html"], s["id"]) not in hrefs:
            out.append(("search", "searching for %r does not find section %s %s (%s#%s)"
                        % (SEARCH_WORD, s["number"], s["title"], ch4["html"], s["id"])))
    for h in hrefs:
        page, _, frag = h.partition("#")
        if not os.path.exists(os.path.join(html_dir, page)):
            out.append(("search", "a result links to %s, which is no page of the book" % h))
        elif frag and page in pages and frag not in pages[page]["desktop"]["ids"]:
            out.append(("search", "a result links to %s, which has no #%s" % (page, frag)))
    return out


def reader_theme(b, url):
    """Dark when the system asks for it: a dark page, code and maths with
    contrast, figures on a light plate; the toggle switches and is remembered."""
    out = []
    contrast = "return " + CONTRAST_JS.strip()

    def look(theme):
        s = b.evaluate(contrast)
        for what, w in s["worst"].items():
            if w["ratio"] < 4.5:
                out.append(("theme", "[%s] %s has a contrast of %.2f against its background (at least 4.5): %s %r"
                            % (theme, what, w["ratio"], w["cls"], w["text"])))
        return s

    def emulate(value):
        b.cdp("Emulation.setEmulatedMedia", {"media": "", "features": [{"name": "prefers-color-scheme", "value": value}]})
        b.media = ""
    try:
        b.evaluate("try { localStorage.removeItem('wb-theme') } catch (e) {}")  # (file: pages share it)
        emulate("light")
        b.navigate(url)
        s = look("light")
        if s["body"] < 0.5:
            out.append(("theme", "with a light system theme the page is dark (background luminance %.2f)" % s["body"]))
        emulate("dark")
        b.navigate(url)
        s = look("dark")
        if s["theme"] != "dark" or s["body"] > 0.05:
            out.append(("theme", "with a dark system theme the page stays light (data-theme=%s, background luminance %.2f)"
                        % (s["theme"], s["body"])))
        dark_figs = [x for x in s["figures"] if x < 0.7]
        if dark_figs:
            out.append(("theme", "[dark] %d figures are drawn on a dark background (luminance %s); their ink is dark: "
                                 "give them a light plate" % (len(dark_figs), dark_figs[0])))
        if out:
            return out  # the toggle is tried on a page that passes
        toggle = b.driver.find_elements("css selector", ".theme-toggle")
        if not toggle:
            out.append(("theme", "no theme toggle (.theme-toggle)"))
            return out
        toggle[0].click()
        s = b.evaluate(contrast)
        if s["theme"] != "light" or s["body"] < 0.5:
            out.append(("theme", "the theme toggle does not switch the dark page to light (data-theme=%s)" % s["theme"]))
        else:
            b.navigate(url)
            s = b.evaluate(contrast)
            if s["theme"] != "light" or s["stored"] != "light":
                out.append(("theme", "the light theme picked with the toggle is forgotten on the next page (data-theme=%s, "
                                     "localStorage wb-theme=%s)" % (s["theme"], s["stored"])))
            b.driver.find_element("css selector", ".theme-toggle").click()
            s = b.evaluate(contrast)
            if s["theme"] != "dark" or s["stored"] is not None:
                out.append(("theme", "toggled back to the system's dark theme, the page shows %s and keeps wb-theme=%s "
                                     "(it should follow the system again)" % (s["theme"], s["stored"])))
    finally:
        b.evaluate("try { localStorage.removeItem('wb-theme') } catch (e) {}")
        b.cdp("Emulation.setEmulatedMedia", {"media": "", "features": []})
        b.media = ""
    return out


READER_GROUPS = ("static", "phone", "keys", "search", "theme")


def reader_checks(b, html_dir, model, pages, targets=None):
    """The reader's way through the book, what takes a reader's hands: the
    phone's drawer, the keys, the search and the theme. targets: [(file, the
    page it stands for, groups)]; by default chapter 3 (or the first) in the
    student edition (book.js and the CSS are the same files in both; run_pages
    has each page's static checks, reader_static, in both)."""
    html_dir = os.path.abspath(html_dir)
    chapters = {c.number: c for c in course.chapters()}
    if targets is None:
        chs = [c["html"] for c in model["chapters"] if c["html"] in pages]
        busy = "ch03.html" if "ch03.html" in chs else (chs[0] if chs else None)
        targets = [(busy, busy, ("phone", "keys", "search", "theme"))] if busy and model.get("edition") != "instructor" else []
    out = []
    b.set_viewport(DESKTOP)
    for name, stands_for, groups in targets:
        url = "file://" + urllib.parse.quote(os.path.join(html_dir, name))
        found = []
        for g in groups:
            if g == "static":
                b.navigate(url)
                found += reader_static(b, stands_for, model, chapters)
            elif g == "phone":
                found += reader_phone(b, url)
            elif g == "keys":
                found += reader_keys(b, url, model, stands_for)
            elif g == "search":
                found += reader_search(b, url, model, pages, html_dir)
            elif g == "theme":
                found += reader_theme(b, url)
            found += [(k, "%s: %s" % (g, m)) for k, m in b.problems() if k in ("console", "request")]
        seen = set()
        for kind, msg in found:
            if (kind, msg) not in seen:
                seen.add((kind, msg))
                out.append((name, kind, msg))
    return out


def unwrap_glossary_links(t):
    return re.sub(r'<a href="glossary\.html#gl-[^"]*"[^>]*>(.*?)</a>', r"\1", t)


def first_glossary_link(t):
    m = first_tag(t, r'<a href="(glossary\.html#gl-[^"]*)"[^>]*>(.*?)</a>')
    return m.group(1), m.group(2)


# name: (what is wrong, expected kind, words its message must have, page
# broken, the change, groups to run, a broken copy of book.js it loads
# instead, as (find, replace) or None)
READER_BREAKAGES = {
    "sidebar-missing-chapter": ("a sidebar without chapter 5", "sidebar", 'not every chapter', "ch03.html",
                                lambda t: re.sub(r'<li class="sidebar-chapter"><a href="ch05\.html">.*?</li>', "", t, 1),
                                ("static",), None),
    "sidebar-folded": ("a sidebar that does not unfold the current chapter", "sidebar",
                       'unfolds nothing', "ch03.html",
                       lambda t: re.sub(r'<ul class="page-toc"[^>]*>.*?</ul>', "", t, 1, re.S), ("static",), None),
    "sidebar-phone-open": ("a phone whose screen the sidebar fills before it is asked for", "sidebar",
                           'before anyone opens it', "ch03.html",
                           lambda t: t.replace("</head>", "<style>.book-sidebar{transform:none!important;"
                                                          "visibility:visible!important;transition:none!important}</style>\n</head>", 1),
                           ("phone",), None),
    "sidebar-no-button": ("a phone with no button to open the sidebar", "sidebar",
                          'no button opens the sidebar', "ch03.html",
                          lambda t: re.sub(r'<button class="menu-toggle".*?</button>', "", t, 1, re.S), ("phone",), None),
    "pager-no-top": ("previous/next only at the foot of the page", "pager", 'at the top of the page', "ch03.html",
                     lambda t: re.sub(r'<nav class="pager pager-top".*?</nav>', "", t, 1, re.S), ("static",), None),
    "pager-top-wrong": ("a top next link that skips a chapter", "pager", 'links at the top go to', "ch03.html",
                        lambda t: re.sub(r'(<nav class="pager pager-top".*?rel="next" href=")ch04\.html', r"\1ch05.html", t, 1, re.S),
                        ("static",), None),
    "keys-dead": ("arrow keys that do nothing", "keys", 'arrow key does not go to', "ch03.html",
                  lambda t: t.replace("</head>", "<script>addEventListener('keydown', e => e.stopPropagation(), true)</script>\n</head>", 1),
                  ("keys",), None),
    "keys-while-typing": ("arrow keys that turn the page while the reader types a search", "keys",
                          'typed in the search box', "ch03.html",
                          None, ("keys",), ("if (typing(e.target)) return;", "")),
    "search-no-chapter-4": ("a search index without chapter 4", "search", 'chapter 4', "ch03.html", None, ("search",),
                            ("'search-index.js'", "'search-index-broken.js'")),
    "search-no-lunr": ("a search that cannot load lunr.js", "search",
                       'could not load', "ch03.html", None, ("search",),
                       ("'lunr.min.js'", "'no-such-lunr.min.js'")),
    "theme-no-dark": ("a page that stays light when the system is dark", "theme", 'stays light', "ch03.html",
                      lambda t: t.replace('<link rel="stylesheet" href="navigation.css">\n', "", 1), ("theme",), None),
    "theme-dark-code": ("dark code colours not loaded: light-theme tokens on a dark block", "theme",
                        '[dark] code has a contrast', "ch03.html",
                        lambda t: t.replace('<link rel="stylesheet" href="highlight-dark.css">\n', "", 1), ("theme",), None),
    "theme-figure-plate": ("figures with dark ink on the dark page", "theme", 'light plate', "ch03.html",
                           lambda t: t.replace("</head>", "<style>figure img{background:none!important}</style>\n</head>", 1),
                           ("theme",), None),
    "theme-toggle-dead": ("a theme toggle that does nothing", "theme", 'does not switch', "ch03.html",
                          lambda t: t.replace("</head>", "<script>addEventListener('click', e => { if (e.target.closest"
                                                         "('.theme-toggle')) e.stopPropagation(); }, true)</script>\n</head>", 1),
                          ("theme",), None),
    "theme-forgotten": ("a theme toggle whose choice is not kept", "theme",
                        'forgotten', "ch03.html", None, ("theme",),
                        ("try { return localStorage.getItem(KEY); } catch (e) { return memo; }", "return memo;")),
    "glossary-none": ("a chapter without glossary links", "glossary",
                      'no term of the glossary', "ch03.html", unwrap_glossary_links, ("static",), None),
    "glossary-twice": ("a term linked twice in a chapter", "glossary", 'linked twice', "ch03.html",
                       lambda t: t.replace("</main>", '<p>Once more: <a href="%s">%s</a>.</p>\n</main>' % first_glossary_link(t), 1),
                       ("static",), None),
    "glossary-not-first": ("a term linked after its first use", "glossary", 'earlier, unlinked', "ch03.html",
                           lambda t: re.sub(r"(<h1[^>]*>.*?</h1>)", lambda m: m.group(1) + "\n<p>A word first: %s.</p>"
                                            % first_glossary_link(t)[1], t, 1, re.S), ("static",), None),
    "glossary-in-heading": ("a glossary link in a heading", "glossary", 'inside <h2>', "ch03.html",
                            lambda t: re.sub(r"(<h2[^>]*>)", lambda m: m.group(1) + '<a href="%s">%s</a> ' % first_glossary_link(t),
                                             t, 1), ("static",), None),
    "landing-no-function": ("a contents page that does not say a chapter's reader writes mul_backward", "landing",
                            'writes mul_backward', "index.html",
                            lambda t: re.sub(r"<code>mul_backward</code>( and)?", "", t, 1), ("static",), None),
    "landing-no-teaches": ("a contents page without what chapter 3 teaches", "landing", 'teaches', "index.html",
                           lambda t: re.sub(r'(<a class="toc-chapter" href="ch03\.html">.*?)<p class="toc-teaches">.*?</p>',
                                            r"\1", t, 1, re.S), ("static",), None),
}


def reader_self_check(site, model, pages):
    """Each of READER_BREAKAGES, on a copy in site (the self-check's copy of
    the book), must be caught as its kind; the intact ch03.html and index.html
    must pass every check."""
    failures = []
    with open(os.path.join(site, "book.js"), encoding="utf-8") as f:
        js = f.read()
    with open(os.path.join(site, "search-index.js"), encoding="utf-8") as f:
        index = f.read()
    m = re.search(r"(?s)^(.*?=\s*)(\[.*\])(;\s*)$", index)
    docs = json.loads(m.group(2)) if m else []
    kept = [d for d in docs if not d.get("u", "").startswith("ch04.html")]
    if len(kept) == len(docs):
        failures.append("search-no-chapter-4: search-index.js has no chapter 4 to leave out (its format changed?)")
    with open(os.path.join(site, "search-index-broken.js"), "w", encoding="utf-8") as f:
        f.write(m.group(1) + json.dumps(kept) + m.group(3) if m else index)
    targets, made = [("ch03.html", "ch03.html", tuple(READER_GROUPS)), ("index.html", "index.html", ("static",))], {}
    for name, (what, kind, words, page, change, groups, js_change) in READER_BREAKAGES.items():
        with open(os.path.join(site, page), encoding="utf-8") as f:
            text = f.read()
        broken = change(text) if change else text
        if js_change:
            find, replace = js_change
            if find not in js:
                failures.append("%s: book.js has no %r to break (it changed?)" % (name, find))
                continue
            jsname = "book-broken-%s.js" % name
            with open(os.path.join(site, jsname), "w", encoding="utf-8") as f:
                f.write(js.replace(find, replace, 1))
            broken = broken.replace('<script src="book.js"></script>', '<script src="%s"></script>' % jsname, 1)
        if broken == text:
            failures.append("%s: could not break %s that way (the page changed?)" % (name, page))
            continue
        copy = "%s-broken-%s.html" % (page[:-5], name)
        with open(os.path.join(site, copy), "w", encoding="utf-8") as f:
            f.write(broken)
        made[copy] = (name, what, kind, words)
        targets.append((copy, page, groups))
    t0 = time.time()
    b = Browser()
    try:
        problems = reader_checks(b, site, model, pages, targets)
    finally:
        b.close()
    by_page = {}
    for page, kind, msg in problems:
        by_page.setdefault(page, []).append((kind, msg))
    for page in ("ch03.html", "index.html"):
        for kind, msg in by_page.get(page, []):
            failures.append("the intact page %s failed the reader's checks: %s: %s" % (page, kind, msg))
    for copy, (name, what, kind, words) in sorted(made.items()):
        hits = [m for k, m in by_page.get(copy, []) if k == kind and words in m]
        if hits:
            log("caught %-24s %-10s %s" % (name, kind, hits[0][:150]))
        else:
            failures.append("%s (%s) was not caught as %r with %r; found: %s"
                            % (name, what, kind, words, by_page.get(copy) or "nothing"))
    log("self-check: %d broken copies for the reader's way through the book (sidebar, pager, keys, search, theme, "
        "glossary links, contents), %.1f s" % (len(made), time.time() - t0))
    return failures

# ==================================================================== end of the reader's way through the book


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
    except TestError as e:
        print("browser: error: %s" % e, file=sys.stderr)
        return 2
    except Exception as e:
        if not type(e).__module__.startswith("selenium."):
            raise
        # chromedriver or Chromium gave up (a crash, a hang): not a finding about the book
        print("browser: error: the browser failed: %s: %s" % (type(e).__name__, str(getattr(e, "msg", "") or e).strip()),
              file=sys.stderr)
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
