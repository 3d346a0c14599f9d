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
  for _, k in ipairs({"data-number", "data-graph", "data-local", "data-file", "data-snippet", "data-run", "data-kind"}) do
    el.attributes[k] = nil
  end
end

local function verbatim(text)
  -- wbVerbatim (fvextra, breaks long lines; preamble.tex) ends at the first
  -- "\end{wbVerbatim}", which no program prints.
  return "\\begin{wbVerbatim}\n" .. text .. "\n\\end{wbVerbatim}"
end

---------------------------------------------------------------- HTML

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
  if el.classes:includes("listing") or el.classes:includes("program-output") then
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
    local target = el.identifier ~= "" and ("\\hypertarget{" .. el.identifier .. "}{}") or ""
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
    {Str = latex_str, Image = latex_image, Header = latex_header, Code = latex_code},
    {Div = latex_div},
    {CodeBlock = latex_codeblock},
  }
end
return {}
