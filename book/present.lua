--[[ present.lua: turn the pieces harness/workbook/weave.py made into HTML or LaTeX.

Presentation only: harness/workbook/weave.py (Python) has resolved code, output, figures
and callouts, and harness/workbook/book.py cross references and image paths, before
pandoc runs this filter on the woven JSON with -t html5 or -t latex.

  Div.callout (.exercise .tryit .note .solution)  HTML: styled by book.css
                                                  LaTeX: \begin{wbexercise}{Exercise 3.1} ... (preamble.tex)
  Div.listing (caption + code)                    LaTeX: \wbcodetitle{path} before the code box
  Div.program-output                              LaTeX: Verbatim (breaklines) in a wboutput box
  figure images with data-number                  HTML: caption starts "Figure 3.1"
  headers                                         HTML: a "#" link to the section's anchor
  plain (not highlighted) code blocks             LaTeX: Verbatim (breaklines) in the code box
  Unicode math symbols in prose                   LaTeX: set in the math font (the text font lacks them)
  inline code holding a /                         LaTeX: may break after each /, never hyphenated
  headings                                        LaTeX: link targets that stay with their heading
                                                  (chapters: \clearpage first; sections: \wbanchor{id})
]]

local stringify = pandoc.utils.stringify
local html = FORMAT:match("html") ~= nil
local latex = FORMAT:match("latex") ~= nil

local highlighted = {}

local function attr(id, classes, kv)
  return pandoc.Attr(id or "", classes or {}, kv or {})
end

local function latex_escape(s)
  return (s:gsub("[\\{}_%%#&%$%^~]", function(c)
    if c == "\\" then return "\\textbackslash{}" end
    if c == "^" then return "\\textasciicircum{}" end
    if c == "~" then return "\\textasciitilde{}" end
    return "\\" .. c
  end))
end

local function strip_data(el)
  for _, k in ipairs({"data-number", "data-graph", "data-local", "data-file", "data-snippet", "data-run", "data-kind",
                      "data-where", "data-full", "data-solution", "data-exercise", "data-exercise-id"}) do
    el.attributes[k] = nil
  end
end

local function verbatim(text)
  -- wbVerbatim (fvextra, breaks long lines; preamble.tex) ends at the first
  -- "\end{wbVerbatim}", which no program prints.
  return "\\begin{wbVerbatim}\n" .. text .. "\n\\end{wbVerbatim}"
end

-- What a listing's title bar says beside its file: which listing, what part of
-- the file, and for the code of an exercise whose it is (harness/workbook/weave.py).
local function listing_badge(el)
  local edition, ex = el.attributes["data-solution"], el.attributes["data-exercise"]
  if not edition then return nil end
  local of = ex and (" of exercise " .. ex) or ""
  if edition == "instructor" then
    return "Reference solution" .. of, "solution"
  end
  return "Stub" .. of .. ": you write this", "stub"
end

---------------------------------------------------------------- HTML

local function html_listing(el)
  local cap = el.content[1]
  if not (cap and cap.t == "Div" and cap.classes:includes("listing-caption")) then return end
  local number, where, full = el.attributes["data-number"], el.attributes["data-where"], el.attributes["data-full"]
  local badge, kind = listing_badge(el)
  local out = pandoc.List()
  if number then
    out:insert(pandoc.Span({pandoc.Str("Listing " .. number)}, attr("", {"listing-number"})))
    out:insert(pandoc.Space())
  end
  out:extend(cap.content[1].content)
  if where then
    out:insert(pandoc.Space())
    out:insert(pandoc.Span({pandoc.Str(where)}, attr("", {"listing-where"})))
  end
  if full then
    out:insert(pandoc.Space())
    out:insert(pandoc.Link({pandoc.Str("whole file")}, full, "", attr("", {"listing-full"})))
  end
  if badge then
    local id = el.attributes["data-exercise-id"]
    local text = {pandoc.Str(badge)}
    out:insert(pandoc.Space())
    if id and id ~= "" then
      out:insert(pandoc.Link(text, "#" .. id, "", attr("", {"listing-badge", "badge-" .. kind})))
    else
      out:insert(pandoc.Span(text, attr("", {"listing-badge", "badge-" .. kind})))
    end
    el.classes:insert("listing-" .. kind)
  end
  cap.content = {pandoc.Plain(out)}
end

local function html_image(el)
  local number = el.attributes["data-number"]
  strip_data(el)
  if number and el.title:match("^fig:") then
    local label = pandoc.Span({pandoc.Str("Figure"), pandoc.Space(), pandoc.Str(number)}, attr("", {"figure-number"}))
    local caption = pandoc.List({label, pandoc.Space()})
    caption:extend(el.caption)
    el.caption = caption
  end
  return el
end

local function html_header(el)
  if el.identifier ~= "" and el.level >= 2 then
    el.content:insert(pandoc.Link({pandoc.Str("#")}, "#" .. el.identifier, "",
      attr("", {"header-anchor"}, {{"aria-label", "link to this section"}})))
  end
  return el
end

local function html_div(el)
  if el.classes:includes("callout") then
    local kind = el.attributes["data-kind"]
    strip_data(el)
    el.attributes["role"] = (kind == "note") and "note" or "region"
    return el
  end
  if el.classes:includes("listing") then
    html_listing(el)
    strip_data(el)
    return el
  end
  if el.classes:includes("program-output") then
    strip_data(el)
    return el
  end
end

---------------------------------------------------------------- LaTeX

-- Characters Latin Modern Roman lacks: superscripts and subscripts as
-- \textsuperscript / \textsubscript, symbols in the math font.
-- (harness/workbook/book.py's latex_text does the same for the glossary.)
local SCRIPT = {}
do
  local sup, sup_to = {"⁰","¹","²","³","⁴","⁵","⁶","⁷","⁸","⁹","⁺","⁻","ⁿ","ⁱ","ᵀ"},
                      {"0","1","2","3","4","5","6","7","8","9","+","\\ensuremath{-}","n","i","T"}
  local sub, sub_to = {"₀","₁","₂","₃","₄","₅","₆","₇","₈","₉","₊","₋","ᵢ","ⱼ","ₙ"},
                      {"0","1","2","3","4","5","6","7","8","9","+","\\ensuremath{-}","i","j","n"}
  for i, c in ipairs(sup) do SCRIPT[c] = "\\textsuperscript{" .. sup_to[i] .. "}" end
  for i, c in ipairs(sub) do SCRIPT[c] = "\\textsubscript{" .. sub_to[i] .. "}" end
end

local function needs_math(cp)
  return (cp >= 0x0370 and cp <= 0x03FF) or (cp >= 0x2100 and cp <= 0x214F)
      or (cp >= 0x2190 and cp <= 0x22FF) or (cp >= 0x27C0 and cp <= 0x27EF)
      or (cp >= 0x2980 and cp <= 0x29FF)
end

-- Technical symbols, boxes, shapes, dingbats (✓ ✗ ★): DejaVu Sans has them.
local function needs_symbol_font(cp)
  return (cp >= 0x2300 and cp <= 0x23FF) or (cp >= 0x2460 and cp <= 0x27BF)
      or (cp >= 0x2B00 and cp <= 0x2BFF)
end

local function latex_str(el)
  local text = el.text
  local plain = true
  for _, cp in utf8.codes(text) do
    if needs_math(cp) or needs_symbol_font(cp) or SCRIPT[utf8.char(cp)] then plain = false break end
  end
  if plain then return nil end
  local out, buf = pandoc.List(), {}
  local function flush()
    if #buf > 0 then out:insert(pandoc.Str(table.concat(buf))) buf = {} end
  end
  for _, cp in utf8.codes(text) do
    local ch = utf8.char(cp)
    if SCRIPT[ch] then
      flush()
      out:insert(pandoc.RawInline("latex", "\\texorpdfstring{" .. SCRIPT[ch] .. "}{" .. ch .. "}"))
    elseif needs_math(cp) then
      flush()
      out:insert(pandoc.RawInline("latex", "\\texorpdfstring{\\ensuremath{" .. ch .. "}}{" .. ch .. "}"))
    elseif needs_symbol_font(cp) then
      flush()
      out:insert(pandoc.RawInline("latex", "\\texorpdfstring{{\\wbsymbols " .. ch .. "}}{" .. ch .. "}"))
    else
      table.insert(buf, ch)
    end
  end
  flush()
  return out
end

-- Inline code with a path: the mono font never hyphenates (build.py), so let
-- the line break after a "/" instead of running a long path into the margin.
local function latex_code(el)
  if not el.text:find("/", 1, true) or el.text:find("[^%w%p ]") then return nil end
  local out = el.text:gsub("[\\{}_%%#&%$%^~ %-/]", function(c)
    if c == "\\" then return "\\textbackslash{}" end
    if c == "^" then return "\\textasciicircum{}" end
    if c == "~" then return "\\textasciitilde{}" end
    if c == " " then return "\\ " end
    if c == "-" then return "-{}" end
    if c == "/" then return "/\\allowbreak{}" end
    return "\\" .. c
  end)
  return pandoc.RawInline("latex", "\\texttt{" .. out .. "}")
end

local CALLOUT_ENV = {exercise = "wbexercise", tryit = "wbtryit", note = "wbnote", solution = "wbsolution"}

local function latex_div(el)
  if el.classes:includes("callout") then
    local kind = el.attributes["data-kind"] or "note"
    local env = CALLOUT_ENV[kind] or "wbnote"
    local blocks = pandoc.List()
    local title = pandoc.List()
    for i, b in ipairs(el.content) do
      if i == 1 and b.t == "Div" and b.classes:includes("callout-title") then
        title = b.content[1].content
      else
        blocks:insert(b)
      end
    end
    local open = pandoc.List({pandoc.RawInline("latex", "\\begin{" .. env .. "}{")})
    if el.identifier ~= "" then
      -- the link target inside the title, raised above it (preamble.tex)
      open:insert(pandoc.RawInline("latex", "\\wbtarget{" .. el.identifier .. "}\\label{" .. el.identifier .. "}"))
    end
    open:extend(title)
    open:insert(pandoc.RawInline("latex", "}"))
    local out = pandoc.List({pandoc.Plain(open)})
    out:extend(blocks)
    out:insert(pandoc.RawBlock("latex", "\\end{" .. env .. "}"))
    return out
  end
  if el.classes:includes("listing") then
    local out = pandoc.List()
    local path = el.attributes["data-file"] or ""
    -- the link target goes into the title bar (preamble.tex), never left at the
    -- foot of the page before a box that moved to the next
    local target = el.identifier ~= "" and ("\\wbcodetarget{" .. el.identifier .. "}") or ""
    local number, where = el.attributes["data-number"], el.attributes["data-where"]
    local badge, kind = listing_badge(el)
    if number then  -- preamble.tex: the number, what part of the file, and whose code, in the title bar
      target = target .. "\\wbcodeinfo{" .. latex_escape(number) .. "}{" .. latex_escape(where or "")
        .. "}{" .. latex_escape(badge or "") .. "}{" .. (kind or "") .. "}"
    end
    out:insert(pandoc.RawBlock("latex", target .. "\\wbcodetitle{" .. latex_escape(path) .. "}"))
    for _, b in ipairs(el.content) do
      if b.t == "CodeBlock" then out:insert(b) end
    end
    return out
  end
  if el.classes:includes("program-output") then
    local name = el.attributes["data-run"] or ""
    local text = ""
    for _, b in ipairs(el.content) do
      if b.t == "CodeBlock" then text = b.text end
    end
    local target = el.identifier ~= "" and ("\\hypertarget{" .. el.identifier .. "}{}") or ""
    return pandoc.RawBlock("latex", target .. "\\begin{wboutput}{" .. latex_escape("$ ./" .. name) .. "}\n"
      .. verbatim(text) .. "\n\\end{wboutput}")
  end
end

local function latex_codeblock(el)
  local lang = el.classes[1]
  if lang and highlighted[lang:lower()] then return nil end
  return pandoc.RawBlock("latex", "\\begin{wbplaincode}\n" .. verbatim(el.text) .. "\n\\end{wbplaincode}")
end

local function latex_image(el)
  strip_data(el)
  return el
end

-- pandoc writes \hypertarget{id}{\section{...}}: the link target goes on the
-- page before the heading whenever a page break falls between the two, and
-- links then land at the foot of that page. So a chapter starts its page first
-- (the target then tops it), and a section's target goes inside its title:
-- \wbanchor{id} before the heading, placed by the title's format (preamble.tex).
local function latex_header(el)
  if el.level == 1 then
    return {pandoc.RawBlock("latex", "\\clearpage"), el}
  end
  local id = el.identifier
  if el.level <= 4 and id ~= "" and id:match("^[%w:%-%.]+$") then
    el.identifier = ""
    return {pandoc.RawBlock("latex", "\\wbanchor{" .. id .. "}"), el}
  end
end

-- What stays together on a page (preamble.tex: \wbkeep, \wbitem): every listing,
-- program output, box and figure of the running text is a unit; a sentence
-- ending in a colon joins the unit (or list) it introduces. Units are
-- numbered through the book; harness/selftest/pdf.py reads "\wbkeep{n}{kind}{what}"
-- from book.tex and the positions LaTeX recorded for them from book.aux.
local keep_count, list_count = 0, 0

local function unit_kind(b)
  if not b then return nil end
  if b.t == "Div" then
    if b.classes:includes("listing") then return "listing" end
    if b.classes:includes("program-output") then return "output" end
    if b.classes:includes("callout") then return "box" end
  elseif b.t == "CodeBlock" then
    return "code"
  elseif b.t == "Para" and #b.content == 1 and b.content[1].t == "Image" then
    return "figure"
  elseif b.t == "Table" then
    return "table"
  end
  return nil
end

local function unit_what(b, kind)
  if kind == "listing" then
    return "Listing " .. (b.attributes["data-number"] or "?") .. " " .. (b.attributes["data-file"] or "")
  elseif kind == "output" then
    return "the output of " .. (b.attributes["data-run"] or "?")
  elseif kind == "box" then
    local first = b.content[1]
    local title = (first and first.t == "Div" and first.classes:includes("callout-title")) and stringify(first) or ""
    return "the " .. (b.attributes["data-kind"] or "") .. " box " .. title
  elseif kind == "figure" then
    return "the figure " .. stringify(b.content[1].caption):sub(1, 50)
  end
  if kind == "code" then return "the code block \"" .. (b.text:match("[^\n]*") or ""):sub(1, 40) .. "\"" end
  return "a " .. kind .. " " .. stringify(b):sub(1, 40)
end

local function ends_with_colon(b)
  return (b.t == "Para" or b.t == "Plain") and stringify(b):match(":%s*$") ~= nil
end

local function is_list(b)
  return b and (b.t == "BulletList" or b.t == "OrderedList")
end

-- What the look of a unit depends on besides its text: this filter and the
-- preamble. A change to either measures every unit again.
local keep_salt = nil
local function salt()
  if keep_salt == nil then
    keep_salt = ""
    local dir = (PANDOC_SCRIPT_FILE or ""):match("^(.*)[/\\]") or "."
    for _, path in ipairs({PANDOC_SCRIPT_FILE or "", dir .. "/latex/preamble.tex"}) do
      local f = io.open(path, "r")
      if f then keep_salt = keep_salt .. f:read("a") f:close() end
    end
  end
  return keep_salt
end

local function keep_label(blocks)
  -- the unit's number in the book and a hash of its text (and of how units are
  -- typeset): a unit that changes gets a new label, and its height is measured
  -- again (preamble.tex keeps each measured height under its label)
  keep_count = keep_count + 1
  local text = salt() .. pandoc.utils.stringify(pandoc.Pandoc(blocks))
  for _, b in ipairs(blocks) do
    if b.t == "CodeBlock" then text = text .. b.text end
  end
  return keep_count .. "x" .. pandoc.utils.sha1(text):sub(1, 8)
end

local function keep_units(doc)
  local out = pandoc.List()
  local blocks = doc.blocks
  local i = 1
  -- a unit right under a section heading takes the heading with it
  local function open_unit(blocks, kind, what)
    local heads = pandoc.List()
    while #out > 0 and out[#out].t == "Header" and out[#out].level >= 2 do
      heads:insert(1, out:remove())
    end
    local all = pandoc.List()  -- (pandoc.List(heads) would be heads itself)
    all:extend(heads)
    all:extend(blocks)
    local label = keep_label(all)
    out:insert(pandoc.RawBlock("latex", "\\wbkeep{" .. label .. "}{" .. kind .. "}{" .. latex_escape(what) .. "}"))
    out:extend(heads)
    return label
  end
  while i <= #blocks do
    local b = blocks[i]
    local nxt = blocks[i + 1]
    local kind = unit_kind(b)
    if ends_with_colon(b) and (unit_kind(nxt) or is_list(nxt)) then
      local what = "the lead-in \"" .. stringify(b):sub(-50) .. "\" and " ..
        (unit_kind(nxt) and unit_what(nxt, unit_kind(nxt)) or "its list")
      local label = open_unit({b, nxt}, "lead", what)
      out:insert(b)
      out:insert(pandoc.RawBlock("latex", "\\wbkeepnext"))
      out:insert(nxt)
      out:insert(pandoc.RawBlock("latex", "\\wbkeepend{" .. label .. "}"))
      i = i + 2
    elseif kind then
      local label = open_unit({b}, kind, unit_what(b, kind))
      out:insert(b)
      out:insert(pandoc.RawBlock("latex", "\\wbkeepend{" .. label .. "}"))
      i = i + 1
    else
      out:insert(b)
      i = i + 1
    end
  end
  doc.blocks = out
  return doc
end

-- Mark each item of a list (\wbitem) and keep its first two and its last two
-- items together (\wbitemkeep after the first and the last but one item).
local function latex_list(el)
  local items = el.t == "BulletList" and el.content or el.content
  local n = #items
  if n < 2 then return nil end
  list_count = list_count + 1
  for k, item in ipairs(items) do
    local first = item[1]
    local mark = {pandoc.RawInline("latex", "\\wbitemfree\\wbitem{" .. list_count .. "}{" .. k .. "}")}
    if first and (first.t == "Para" or first.t == "Plain") then
      local c = pandoc.List(mark)
      c:extend(first.content)
      first.content = c
    else
      table.insert(item, 1, pandoc.Plain(mark))
    end
    if k == 1 or k == n - 1 then
      local last = item[#item]
      if last and (last.t == "Para" or last.t == "Plain") then
        last.content:insert(pandoc.RawInline("latex", "\\wbitemkeep"))
      else
        table.insert(item, pandoc.RawBlock("latex", "\\wbitemkeep"))
      end
    end
  end
  return el
end

---------------------------------------------------------------- driver

local function read_meta(meta)
  local langs = meta["present-highlight-languages"]
  if langs then
    for w in stringify(langs):gmatch("%S+") do highlighted[w:lower()] = true end
  end
end

if html then
  return {
    {Image = html_image, Header = html_header},
    {Div = html_div},
  }
elseif latex then
  return {
    {Meta = read_meta},
    {Pandoc = keep_units},
    {BulletList = latex_list, OrderedList = latex_list},
    {Str = latex_str, Image = latex_image, Header = latex_header, Code = latex_code},
    {Div = latex_div},
    {CodeBlock = latex_codeblock},
  }
end
return {}
