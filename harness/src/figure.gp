# figure.gp: what every plot in the book shares. The Makefile loads it before
# the plot's own script, chapters/<dir>/<plot>.gp (course.toml: plots = [...]):
#
#   gnuplot -e "data='DATA'; format='svg'; output='OUT'; alt='ALT'" harness/src/figure.gp PLOT.gp
#
#   data    the file the example wrote with --data FILE: blocks that start with
#           a line "# name: columns", two blank lines apart; `index "name"`
#           selects one
#   format  svg (the HTML book) or pdf (the PDF book)
#   output  the figure's file
#   alt     the file for the figure's text alternative, which the plot writes
#           from the same data: what it shows, with the values (the book's alt text)
#
# A plot starts with `eval figure(RATIO)`: a figure as wide as the book's text
# and RATIO times as high; it ends with `set print alt; print TEXT; unset print`.
set encoding utf8
set minussign   # numbers with a true minus sign: −1, not -1
set micro       # "µs", not "us"
#
# Sizes are given for a figure 700 units wide (the HTML text's width in px) and
# scaled: the SVG is SVG_WIDTH px wide, so that its smallest text, 13 units, is
# 16 px, as large as the book's graphs' labels (the browser test wants at least
# the captions' 14.1 px, also on a phone, where a figure may shrink to 88%); the
# PDF is 15 cm wide, its text in the same proportion.
SVG_WIDTH = 860
PDF_PT = 15 / 2.54 * 72 / 700   # pt per unit in the PDF: 13 units are 7.9 pt (pdfcairo draws a font of n "pt" at 1.32 n pt: fontscale 0.76)
figure(ratio) = (format eq "svg") \
  ? sprintf("set terminal svg size %d,%d font 'DejaVu Sans,%g' linewidth 1.4 background '#ffffff'; set output '%s'", \
            SVG_WIDTH, int(SVG_WIDTH * ratio), 14 * SVG_WIDTH / 700.0, output) \
  : sprintf("set terminal pdfcairo size 15cm,%.2fcm font 'DejaVu Sans,%.1f' fontscale 0.76 linewidth 0.8; set output '%s'", \
            15 * ratio, 14 * PDF_PT, output)
# fs(units): a font of that size (13 and up): `set label ... font fs(13)`
fs(units) = (format eq "svg") ? sprintf(",%.1f", units * SVG_WIDTH / 700.0) : sprintf(",%.1f", units * PDF_PT)
# pct(v), pct2(v): 82.23 as "82.2%", "82.23%"
pct(v) = sprintf("%.1f%%", v)
pct2(v) = sprintf("%.2f%%", v)
# num(v): 3.14 as "3.1", 314.2 as "314"; duration(s): seconds as "1.2 s", "86 ms", "9.2 µs" (no 1e-05)
num(v) = sprintf(v >= 10 ? "%.0f" : "%.1f", v)
duration(s) = s >= 1 ? num(s) . " s" : s >= 1e-3 ? num(1e3 * s) . " ms" : num(1e6 * s) . " µs"

# Okabe-Ito colours: told apart by colour-blind readers, and on paper
blue = "#0072b2"; orange = "#d55e00"; green = "#009e73"; grey = "#888888"; light = "#c8c8c8"
set border 3 lc rgb "#555555"
set tics nomirror out scale 0.6 textcolor rgb "#222222"
set grid lc rgb "#e4e4e4" lt 1 lw 1
set key noautotitle nobox textcolor rgb "#222222"
set style line 1 lc rgb blue lw 2 pt 7 ps 0.7
set style line 2 lc rgb orange lw 2 pt 5 ps 0.7
set style line 3 lc rgb light lw 0.6
