"""selftest.reading: the book's figures, listings, boxes and maths as a reader sees them (issue 12).

harness/selftest/browser.py calls these on every page it loads, at 1280 px and
at 390 px, in the same headless Chromium:

  legibility  every drawn graph's labels render at least as large as the
              book's small text (its captions): the smallest font size in the
              SVG, times the scale the page shows the image at; a graph opens
              full size (its image is a link to the SVG); its alt text says
              what it shows, not the caption again
  listing     no listing scrolls sideways on a desktop (a line too long for
              its column); every listing is numbered "Listing N.k" and names
              its file
  box         one look for each kind of box: every exercise, try-this, note
              and solution box of a kind has the same colours as the others
              (across the pages), every exercise box a title "Exercise N.k:
              ...", and every "Try this" section is one try-this box
  math        MathML spaced as TeX spaces it: a leading minus is a sign, not
              a subtraction ("f(−h)", "= −out²"), and a function name (exp,
              log) is not spaced as a binary operator ("1 + exp(−x)")
  solution    the instructor edition marks every listing of reference
              solution code ("Reference solution of exercise N.k", a frame of
              its own); the student edition marks the stubs instead

self_check_instructor() breaks a copy of the instructor edition's ch03.html
(the solution marks taken off) and expects the solution check to fail;
BREAKAGES (merged into browser.py's) break copies of the student ch03.html
in the other ways.
"""
import json
import os
import re
import shutil
import tempfile

SVG_FONT = re.compile(r'font-size="([\d.]+)"')
SVG_VIEWBOX = re.compile(r'<svg\b[^>]*\bviewBox="[\d.-]+ [\d.-]+ ([\d.]+) ([\d.]+)"')
TOLERANCE_PX = 0.1

PAGE_JS = r"""
(opts) => {
  const out = {problems: [], figures: [], boxes: []};
  const P = (kind, msg) => out.problems.push([kind, msg]);
  const short = (s, n) => { s = (s || '').replace(/\s+/g, ' ').trim(); return s.length > (n || 70) ? s.slice(0, n || 70) + '…' : s; };
  const main = document.querySelector('main');
  if (!main) return out;
  // figures: what the page shows each drawn graph at, measured
  for (const fig of main.querySelectorAll('figure')) {
    const img = fig.querySelector('img');
    if (!img || !/figures\/.*\.svg$/.test(img.getAttribute('src') || '')) continue;
    const cap = fig.querySelector('figcaption');
    const a = img.closest('a');
    out.figures.push({src: img.getAttribute('src'), shown: img.getBoundingClientRect().width,
                      natural: img.naturalWidth, alt: img.getAttribute('alt') || '',
                      caption: cap ? cap.textContent.replace(/^Figure \d+\.\d+\s*/, '').trim() : '',
                      number: cap ? (cap.textContent.match(/^Figure (\d+\.\d+)/) || [, '?'])[1] : '?',
                      link: a ? a.getAttribute('href') : null,
                      small: cap ? parseFloat(getComputedStyle(cap).fontSize) : 14});
  }
  if (opts.viewport !== 'desktop') return out;
  // listings: numbered, naming their file, never scrolling on a desktop
  for (const l of main.querySelectorAll('.listing')) {
    const cap = l.querySelector('.listing-caption');
    const text = cap ? short(cap.textContent, 200) : '';
    const pre = l.querySelector('pre');
    const what = text || short(pre && pre.textContent, 40);
    if (!/^(Listing \d+\.\d+|File)\s+\S/.test(text)) P('listing', `a listing without its number and file ("Listing N.k path"): "${what}"`);
    if (pre && pre.scrollWidth > pre.clientWidth + 1) {
      const lines = pre.textContent.split('\n');
      const longest = lines.reduce((a, b) => b.length > a.length ? b : a, '');
      const name = (text.match(/^(Listing \d+\.\d+|File)\s+\S+/) || [what])[0];
      P('listing', `${name} is wider than its column at ${innerWidth} px and scrolls sideways (its longest line, ${longest.length} characters: "${short(longest, 60)}")`);
    }
    out.listings = out.listings || [];
    out.listings.push({id: l.id, text, solution: l.classList.contains('listing-solution'), stub: l.classList.contains('listing-stub'),
                       badge: (l.querySelector('.listing-badge') || {}).textContent || '',
                       badgeShown: !!(l.querySelector('.listing-badge') && l.querySelector('.listing-badge').getClientRects().length),
                       frame: getComputedStyle(l.querySelector('div.sourceCode, pre') || l).borderTopColor});
  }
  // boxes: the look of each kind, for the comparison across pages
  for (const c of main.querySelectorAll('.callout')) {
    const s = getComputedStyle(c);
    const kind = ['exercise', 'tryit', 'note', 'solution'].find(k => c.classList.contains(k)) || 'other';
    const title = c.querySelector(':scope > .callout-title');
    out.boxes.push({kind, id: c.id, look: [s.backgroundColor, s.borderLeftColor, s.borderLeftWidth, s.borderLeftStyle].join(' '),
                    title: title ? short(title.textContent, 120) : ''});
    if (kind === 'exercise' && !(title && /^Exercise \d+\.\d+: \S/.test(title.textContent.trim())))
      P('box', `an exercise box without a title of the book's form ("Exercise N.k: Write ..."): "${short(title ? title.textContent : c.textContent, 60)}"`);
  }
  // a "Try this" section is one try-this box
  for (const h of main.querySelectorAll('h2')) {
    if (!/^(\d+(\.\d+)*\s+)?Try this\b/.test(h.textContent.trim())) continue;
    const after = [];  // what follows the heading, up to the next heading of its level (or the pager)
    for (let e = h.nextElementSibling; e && !e.matches('h1, h2, nav, .pager, footer'); e = e.nextElementSibling) after.push(e);
    if (h.parentElement.localName === 'section')
      for (const e of h.parentElement.children) if (e !== h && !e.matches('h2') && !after.includes(e)) after.push(e);
    const boxes = after.filter(e => e.matches('.callout.tryit'));
    if (boxes.length !== 1 || after[0] !== boxes[0])
      P('box', `the "Try this" section is not one try-this box under its heading: it holds ${after.map(e => e.localName + (e.className ? '.' + e.className.split(' ').join('.') : '')).join(', ') || 'nothing'}`);
  }
  // maths: a sign is a sign, a function name is not an operator
  const em = m => parseFloat(getComputedStyle(m).fontSize);
  const FUNCS = /^(exp|log|ln|sin|cos|tan|max|min|det|arg)$/;
  const isClosing = e => e && e.localName === 'mo' && /^[)\]}⟩|]$/.test(e.textContent.trim());
  for (const m of main.querySelectorAll('math')) {
    const tex = short((m.querySelector('annotation') || m).textContent, 60);
    for (const mo of m.querySelectorAll('mo')) {
      const t = mo.textContent.trim();
      if (FUNCS.test(t)) { P('math', `"${t}" is set as an operator, spaced like a + (pandoc's MathML): $${tex}$`); continue; }
      if (t !== '−' && t !== '-') continue;
      const prev = mo.previousElementSibling, next = mo.nextElementSibling;
      const sign = !prev || (prev.localName === 'mo' && !isClosing(prev));
      if (!sign || !next) continue;
      // before a big operator (−∑) TeX too puts a thin space: a sign is an ordinary atom
      const firstTok = next.matches('mo') ? next : next.querySelector('mi, mn, mo, mtext');
      if (firstTok && firstTok.localName === 'mo') continue;
      const gap = next.getBoundingClientRect().left - mo.getBoundingClientRect().right;
      if (gap > 0.12 * em(m)) P('math', `a minus sign is spaced as a subtraction (${(gap / em(m)).toFixed(2)} em before its operand): $${tex}$`);
    }
    for (const mi of m.querySelectorAll('mi')) {
      if (!FUNCS.test(mi.textContent.trim())) continue;
      let next = mi.nextElementSibling;
      while (next && next.localName === 'mo' && next.textContent === '\u2061') next = next.nextElementSibling;
      const first = next && (next.localName === 'mrow' ? next.firstElementChild : next);
      if (first && first.localName === 'mo' && /^[(\[]$/.test(first.textContent.trim())) {
        const gap = first.getBoundingClientRect().left - mi.getBoundingClientRect().right;
        if (gap > 0.12 * em(m)) P('math', `"${mi.textContent}" stands ${(gap / em(m)).toFixed(2)} em away from its bracket: $${tex}$`);
      }
    }
  }
  return out;
}
"""


def svg_font(path):
    """(smallest font-size, viewBox width) of an SVG, in its own units."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError:
        return None, None
    sizes = [float(s) for s in SVG_FONT.findall(text)]
    m = SVG_VIEWBOX.search(text)
    return (min(sizes) if sizes else None), (float(m.group(1)) if m else None)


def read_model(html_dir):
    path = os.path.join(os.path.dirname(os.path.abspath(html_dir)), "book.json")
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def page_problems(b, name, vpname, html_dir, data):
    """The checks above on the page b shows (name, at the viewport vpname).
    Keeps what the site check needs in data["reading"]."""
    r = b.evaluate("return (%s)(arguments[0])" % PAGE_JS, {"viewport": vpname})
    found = [tuple(p) for p in r.pop("problems")]
    data["reading"] = r
    for fig in r["figures"]:
        where = "Figure %s (%s)" % (fig["number"], fig["src"])
        size, width = svg_font(os.path.join(html_dir, fig["src"]))
        if size and width and fig["shown"]:
            px = size * fig["shown"] / width
            if px + TOLERANCE_PX < fig["small"]:
                found.append(("legibility", "%s: its smallest labels are %.1f px on screen, smaller than the book's "
                              "small text (%.1f px): the figure is shown at %d px of its %d" %
                              (where, px, fig["small"], fig["shown"], fig["natural"])))
        if vpname == "desktop":
            if fig["link"] != fig["src"]:
                found.append(("legibility", "%s does not open full size on a click or tap: its image is not a link "
                              "to %s" % (where, fig["src"])))
            alt = re.sub(r"\s+", " ", fig["alt"]).strip()
            if not alt or alt == re.sub(r"\s+", " ", fig["caption"]).strip():
                found.append(("legibility", "%s: the alt text repeats the caption; it should say what the figure "
                              "shows, the values a reader reads off it (figure.py's description)" % where))
    if vpname == "desktop" and r.get("listings") is not None:
        # a self-check's broken copy (ch03-broken-NAME.html) stands for its page
        found += solution_problems(re.sub(r"-broken-.*$", ".html", name), r["listings"], read_model(html_dir))
    return found


def solution_problems(name, listings, model):
    """Every listing of reference solution code marked as such (instructor), every
    stub as the learner's (student), as book.json says which they are."""
    out = []
    if not model:
        return out
    chap = next((c for c in model["chapters"] if c["html"] == name), None)
    if chap is None:
        return out
    shown = {l["id"]: l for l in listings if l["id"]}
    plain = [l["frame"] for l in listings if not l["solution"] and not l["stub"]]
    for l in chap["listings"]:
        if not l.get("solution"):
            continue
        got = shown.get(l.get("id"))
        what = "Listing %s (%s%s)" % (l.get("number"), l.get("shown_as"), ", " + l["snippet"] if l.get("snippet") else "")
        if got is None:
            out.append(("solution", "%s is not on the page" % what))
            continue
        if model["edition"] == "instructor":
            if not got["solution"] or "Reference solution" not in got["badge"] or not got["badgeShown"]:
                out.append(("solution", "%s shows reference solution code but is not marked as such (a visible "
                            "\"Reference solution\" in its title bar, class listing-solution)" % what))
            elif plain and got["frame"] in plain:
                out.append(("solution", "%s is marked, but framed like every other listing" % what))
        elif not got["stub"] or "Stub" not in got["badge"] or not got["badgeShown"]:
            out.append(("solution", "%s is the stub of an exercise but its title bar does not say so" % what))
    return out


def site_problems(pages):
    """One look for each kind of box across the pages: the look most boxes of
    a kind have is the book's; a page whose box differs is reported."""
    looks = {}
    for page, views in pages.items():
        r = views.get("desktop", {}).get("reading")
        for box in (r or {}).get("boxes", []):
            looks.setdefault(box["kind"], {}).setdefault(box["look"], []).append((page, box))
    out = []
    for kind, by_look in sorted(looks.items()):
        if len(by_look) < 2:
            continue
        book_look = max(by_look, key=lambda k: len(by_look[k]))
        for look, boxes in sorted(by_look.items()):
            if look == book_look:
                continue
            for page, box in boxes:
                out.append((page, "box", "the %s box %s looks unlike the book's other %s boxes (%s, not %s)"
                            % (kind, "#" + box["id"] if box["id"] else repr(box["title"]), kind, look, book_look)))
    return out


# ---------------------------------------------------------------- self-check (student ch03.html)

def _fig_shrunk(t):
    # the first figure squeezed to half its natural width: its labels shrink below the caption's size
    return re.sub(r'(<a class="figure-frame"[^>]*><img [^>]*?style=")width:(\d+)px;min-width:\d+px',
                  lambda m: "%swidth:%dpx;min-width:0" % (m.group(1), int(m.group(2)) // 2), t, count=1)


BREAKAGES = {
    "figure-too-small": ("a figure shown at half its size (labels under the caption's size)", "legibility", _fig_shrunk),
    "figure-no-link": ("a figure that does not open full size", "legibility",
                       lambda t: re.sub(r'<a class="figure-frame" href="[^"]*"', '<a class="figure-frame"', t, count=1)),
    "figure-alt-caption": ("a figure whose alt text is its caption again", "legibility",
                           lambda t: re.sub(r'(<img src="figures/ch03-buy_apple.svg"[^>]*?) alt="[^"]*"',
                                            r'\1 alt="Buying two apples with 10% tax. Black: the value flowing forward. Red: '
                                            r'the gradient of the price flowing back."', t, count=1)),
    "listing-too-wide": ("a listing line too long for the column", "listing",
                         lambda t: re.sub(r'(<span id="cb\d+-1">)', r'\1<span>/* %s */</span>' % ("x" * 70), t, count=1)),
    "listing-unnumbered": ("a listing without its number", "listing",
                           lambda t: re.sub(r'<span class="listing-number">Listing [\d.]+</span> ', "", t, count=1)),
    "box-other-look": ("a try-this box coloured unlike the others", "box",
                       lambda t: t.replace("</head>", "<style>.callout.tryit{background:#fde2e2}</style>\n</head>", 1)),
    "exercise-untitled": ("an exercise box whose title is only \"Exercise 3.1\"", "box",
                          lambda t: re.sub(r'(<div class="callout-title">\s*(?:<p>)?Exercise 3\.1)[^<]*(?:<code>[^<]*</code>[^<]*)*',
                                           r"\1", t, count=1)),
    "try-this-plain": ("a Try this section written as a plain list, not a box", "box",
                       lambda t: re.sub(r'<div class="callout tryit"[^>]*>', "<div>", t, count=1)),
    "math-spacing": ("pandoc's MathML as it comes: exp an operator, a minus spaced as subtraction", "math",
                     lambda t: t.replace("</main>", '<p><math display="inline"><mrow><mn>1</mn><mo>+</mo><mo>exp</mo>'
                                         '<mrow><mo stretchy="false" form="prefix">(</mo><mo>−</mo><mi>x</mi>'
                                         '<mo stretchy="false" form="postfix">)</mo></mrow></mrow></math></p></main>', 1)),
    "stub-unmarked": ("the stub of an exercise not marked as the learner's", "solution",
                      lambda t: re.sub(r'<a href="#ex-3-1" class="listing-badge badge-stub">[^<]*</a>', "", t, count=1)),
}
PHONE_KINDS = ("legibility",)  # broken copies of these kinds are loaded at 390 px too


def self_check_instructor(run_pages, log, student_html):
    """The instructor edition's ch03.html with its solution marks taken off
    must fail the solution check; the intact page must pass it. The edition
    is the one built beside student_html (build/book/instructor/html)."""
    html_dir = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(student_html))), "instructor", "html")
    if not os.path.exists(os.path.join(html_dir, "ch03.html")):
        return ["the instructor edition is not built (make book EDITION=instructor): its solution marks "
                "cannot be checked on a broken copy"]
    tmp = tempfile.mkdtemp(prefix="wb-reading-selfcheck.")
    failures = []
    try:
        site = os.path.join(tmp, "html")
        shutil.copytree(html_dir, site)
        shutil.copy(os.path.join(os.path.dirname(html_dir), "book.json"), os.path.join(tmp, "book.json"))
        with open(os.path.join(site, "ch03.html"), encoding="utf-8") as f:
            text = f.read()
        broken = re.sub(r' class="listing-badge badge-solution"', ' class="listing-note"', text)
        broken = broken.replace("listing-solution", "listing-plain")
        if broken == text:
            return ["could not take the solution marks off the instructor edition's ch03.html (the page changed?)"]
        # the broken copy stands in for ch03.html (book.json knows the page by that name)
        os.rename(os.path.join(site, "ch03.html"), os.path.join(site, "ch03-intact.html"))
        with open(os.path.join(site, "ch03.html"), "w", encoding="utf-8") as f:
            f.write(broken)
        problems, _ = run_pages(site, site=False, phone=set(), only={"ch03.html"})
        hits = [m for page, k, m in problems if k == "solution"]
        if hits:
            log("caught %-24s %-10s %s" % ("solution-unmarked", "solution", hits[0][:150]))
        else:
            failures.append("the instructor edition's solution listings with their marks taken off were not "
                            "caught; found: %s" % (problems or "nothing"))
        os.replace(os.path.join(site, "ch03-intact.html"), os.path.join(site, "ch03.html"))
        problems, _ = run_pages(site, site=False, phone=set(), only={"ch03.html"})
        bad = [p for p in problems if p[1] == "solution"]
        if bad:
            failures.append("the intact instructor ch03.html failed the solution check: %s" % bad)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return failures
