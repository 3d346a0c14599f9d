--[[ weave.lua: resolve a chapter's references to code, output and figures.

Run by book/build.py, once per chapter, as  chapter.md --> pandoc JSON.
The result is the same for HTML and PDF; book/present.lua later turns the
format-neutral pieces made here into HTML or LaTeX.

What it resolves (see CONTRIBUTING.md, "References in Markdown"):

  ```{.c file="PATH" snippet="NAME"}```   python3 harness/source.py show PATH NAME --edition E
  ```{.output run="NAME"}```              build/examples/chNN/NAME.out
  ![caption](graph:NAME){#fig:id}         build/examples/chNN/NAME.svg (HTML) / .pdf (PDF)
  ![caption](picture.svg)                 a file next to chapter.md
  ::: exercise / ::: tryit / ::: note     callout boxes ("Exercise 3.1", "Try this", "Note")
  ::: solution                            instructor edition only ("Solution")

It never stops at the first problem: every unresolvable reference is
recorded in the metadata field `weave-errors` as "NEEDLE<TAB>MESSAGE", where
NEEDLE is text to look for in chapter.md so build.py can print a line number.

Metadata set by build.py (-M): weave-chapter (3), weave-nn (ch03),
weave-dir (chapters/03-add-mul-nodes), weave-edition (student|instructor),
weave-examples and weave-graphs (space-separated names from course.mk),
weave-build (build), weave-python (the Python interpreter to run).
]]

local stringify = pandoc.utils.stringify

local cfg = {}
local errors = {}
local figure_count = 0
local exercise_count = 0

local function fail(needle, message)
  table.insert(errors, (needle or "") .. "\t" .. message)
end

local function exists(path)
  local f = io.open(path, "rb")
  if f then f:close() return true end
  return false
end

local function read_file(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local text = f:read("a")
  f:close()
  return text
end

local function shell_quote(s)
  return "'" .. s:gsub("'", "'\\''") .. "'"
end

local function words(s)
  local set, list = {}, {}
  for w in (s or ""):gmatch("%S+") do set[w] = true; table.insert(list, w) end
  return set, list
end

-- Run a command, return (ok, combined stdout+stderr).
local function run(args)
  local quoted = {}
  for _, a in ipairs(args) do table.insert(quoted, shell_quote(a)) end
  local p = io.popen(table.concat(quoted, " ") .. " 2>&1", "r")
  local out = p:read("a")
  local ok = p:close()
  return ok == true, out
end

local function attr(id, classes, kv)
  return pandoc.Attr(id or "", classes or {}, kv or {})
end

-- Parse a short piece of Markdown (a title attribute) into inlines.
local function inlines_of(text)
  local doc = pandoc.read(text, "markdown")
  if #doc.blocks == 0 then return pandoc.List() end
  return doc.blocks[1].content
end

---------------------------------------------------------------- metadata

local function read_meta(meta)
  local function get(k) return meta[k] and stringify(meta[k]) or "" end
  cfg.chapter = get("weave-chapter")
  cfg.nn = get("weave-nn")
  cfg.dir = get("weave-dir")
  cfg.edition = get("weave-edition")
  cfg.build = get("weave-build")
  cfg.python = get("weave-python")
  if cfg.python == "" then cfg.python = "python3" end
  cfg.examples, cfg.example_list = words(get("weave-examples"))
  cfg.graphs, cfg.graph_list = words(get("weave-graphs"))
  cfg.examples_dir = cfg.build .. "/examples/" .. cfg.nn
end

local function manifest_hint(kind, list)
  if #list == 0 then
    return string.format("course.mk lists no %s for chapter %s (ch%s.%s)", kind, cfg.chapter, cfg.chapter, kind)
  end
  return string.format("course.mk lists ch%s.%s := %s", cfg.chapter, kind, table.concat(list, " "))
end

---------------------------------------------------------------- code blocks

local function source_listing(el)
  local file = el.attributes["file"]
  local snippet = el.attributes["snippet"]
  local needle = snippet and ('snippet="' .. snippet .. '"') or ('file="' .. file .. '"')
  if el.text:match("%S") then
    fail(needle .. "\31" .. el.text:match("[^\n]*"), string.format("the code block for %s%s must be empty: the book shows the code from the file, never a copy",
      file, snippet and (" snippet " .. snippet) or ""))
    return pandoc.Null()
  end
  if not exists(file) then
    fail(needle, "file " .. file .. " does not exist (paths are relative to the repository root)")
    return pandoc.Null()
  end
  local args = {cfg.python, "harness/source.py", "show", file}
  if snippet then table.insert(args, snippet) end
  table.insert(args, "--edition")
  table.insert(args, cfg.edition)
  local ok, out = run(args)
  if not ok then
    fail(needle, (out:gsub("^error: ", ""):gsub("%s+$", "")))
    return pandoc.Null()
  end
  -- The learner edits exercises/, so the student edition names that file.
  local shown = file
  if cfg.edition == "student" then shown = shown:gsub("^solutions/", "exercises/") end
  local lang = file:match("%.[ch]$") and "c" or nil
  local classes = {}
  for _, c in ipairs(el.classes) do table.insert(classes, c) end
  if lang and #classes == 0 then classes = {lang} end
  local kv = {{"data-file", shown}}
  if snippet then table.insert(kv, {"data-snippet", snippet}) end
  local code = pandoc.CodeBlock(out:gsub("\n+$", ""), attr("", classes))
  local caption = pandoc.Div({pandoc.Plain({pandoc.Code(shown)})}, attr("", {"listing-caption"}))
  return pandoc.Div({caption, code}, attr(el.identifier, {"listing"}, kv))
end

local function program_output(el)
  local name = el.attributes["run"]
  local needle = 'run="' .. name .. '"'
  if el.text:match("%S") then
    fail(needle .. "\31" .. el.text:match("[^\n]*"), "the output block for " .. name .. " must be empty: the build runs the program and inserts its output")
    return pandoc.Null()
  end
  if not cfg.examples[name] then
    fail(needle, string.format("run=%q: %s is not an example of chapter %s (%s)",
      name, name, cfg.chapter, manifest_hint("examples", cfg.example_list)))
    return pandoc.Null()
  end
  local path = cfg.examples_dir .. "/" .. name .. ".out"
  local text = read_file(path)
  if not text then
    fail(needle, string.format("run=%q: %s does not exist; build the examples first (`make examples`, or use `make book`)", name, path))
    return pandoc.Null()
  end
  text = text:gsub("\n+$", "")
  if text == "" then text = "(no output)" end
  local header = pandoc.Div({pandoc.Plain({pandoc.Code("$ ./" .. name)})}, attr("", {"program-output-header"}))
  local body = pandoc.CodeBlock(text, attr("", {"output"}))
  return pandoc.Div({header, body}, attr(el.identifier, {"program-output"}, {{"data-run", name}}))
end

local function CodeBlock(el)
  if el.attributes["file"] then return source_listing(el) end
  if el.classes:includes("output") then
    if not el.attributes["run"] then
      fail("{.output", "an {.output} block needs run=\"NAME\" naming one of the chapter's examples")
      return pandoc.Null()
    end
    return program_output(el)
  end
  if el.attributes["snippet"] then
    fail('snippet="' .. el.attributes["snippet"] .. '"', "a code block with snippet= also needs file=\"PATH\"")
    return pandoc.Null()
  end
  -- pandoc highlights "bash" but not "sh" or "shell"
  if el.classes[1] == "sh" or el.classes[1] == "shell" then
    el.classes[1] = "bash"
    return el
  end
  return nil
end

---------------------------------------------------------------- images

local function Image(el)
  local src = el.src
  local is_figure = el.title:match("^fig:") ~= nil
  local alt = stringify(el.caption)
  if alt:match("^%s*$") then
    fail("[](" .. src, "image " .. src .. " has no caption/alt text: write ![what it shows](" .. src .. ")")
  end
  if src:match("^graph:") then
    local name = src:sub(7)
    local needle = "graph:" .. name
    if not cfg.graphs[name] then
      fail(needle, string.format("graph:%s is not a graph of chapter %s (%s)", name, cfg.chapter, manifest_hint("graphs", cfg.graph_list)))
      return nil
    end
    local base = cfg.examples_dir .. "/" .. name
    for _, ext in ipairs({".svg", ".pdf"}) do
      if not exists(base .. ext) then
        fail(needle, string.format("graph:%s: %s does not exist; build the examples first (`make examples`, or use `make book`)", name, base .. ext))
      end
    end
    el.src = base
    el.attributes["data-graph"] = name
  elseif src:match("^%a[%w+.-]*:") then
    fail(src, "image " .. src .. ": the book is offline, so images must be files in the repository (or graph:NAME)")
    return nil
  else
    local path = cfg.dir .. "/" .. src
    if not exists(path) then
      fail(src, "image " .. src .. ": " .. path .. " does not exist (image paths are relative to the chapter's folder)")
      return nil
    end
    el.src = path
    el.attributes["data-local"] = src
  end
  el.attributes["alt"] = alt
  if is_figure then
    figure_count = figure_count + 1
    if el.identifier == "" then el.identifier = string.format("fig:%s-%d", cfg.nn, figure_count) end
    el.attributes["data-number"] = string.format("%s.%d", cfg.chapter, figure_count)
  end
  return el
end

---------------------------------------------------------------- callouts

local CALLOUTS = {exercise = "Exercise", tryit = "Try this", note = "Note", solution = "Solution"}

local function Div(el)
  local kind
  for _, c in ipairs(el.classes) do
    if CALLOUTS[c] then kind = c break end
  end
  if not kind then return nil end
  if kind == "solution" and cfg.edition ~= "instructor" then
    return pandoc.Null()
  end
  local title = pandoc.List({pandoc.Str(CALLOUTS[kind])})
  if kind == "tryit" then title = pandoc.List({pandoc.Str("Try"), pandoc.Space(), pandoc.Str("this")}) end
  if kind == "exercise" then
    exercise_count = exercise_count + 1
    local number = string.format("%s.%d", cfg.chapter, exercise_count)
    title:extend({pandoc.Space(), pandoc.Str(number)})
    el.attributes["data-number"] = number
    if el.identifier == "" then el.identifier = string.format("ex-%s-%d", cfg.chapter, exercise_count) end
  end
  local custom = el.attributes["title"]
  if custom and custom ~= "" then
    title:extend({pandoc.Str(":"), pandoc.Space()})
    title:extend(inlines_of(custom))
  end
  el.attributes["title"] = nil
  local head = pandoc.Div({pandoc.Plain(title)}, attr("", {"callout-title"}))
  el.content:insert(1, head)
  el.classes = pandoc.List({"callout", kind})
  el.attributes["data-kind"] = kind
  return el
end

---------------------------------------------------------------- driver

return {
  {Meta = function(meta) read_meta(meta) end},
  {CodeBlock = CodeBlock, Image = Image},
  {Div = Div},
  {Meta = function(meta)
    local list = {}
    for _, e in ipairs(errors) do table.insert(list, pandoc.MetaString(e)) end
    meta["weave-errors"] = pandoc.MetaList(list)
    return meta
  end},
}
