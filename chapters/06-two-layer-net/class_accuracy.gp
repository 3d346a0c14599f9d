# class_accuracy.gp: train_fashion's test accuracy of each class, from its
# --data file, as bars; the dashed line is the accuracy over all classes.
eval figure(0.48)

# the numbers, and the text alternative that lists them (before any range is set:
# stats reads only the points inside the ranges)
stats data index "accuracy" using 4 nooutput
stats data index "accuracy" using 4 every ::(STATS_records - 1) nooutput
overall = STATS_min
list = ""
stats data index "classes" using (list = list . (list eq "" ? "" : ", ") . strcol(2) . " " . pct($3), $3) nooutput
set print alt
print sprintf("A bar for each class: the share of its test images the trained network classifies right, against %s over all classes: %s.", pct(overall), list)
unset print

set xrange [0:100]
set format x "%g%%"
set yrange [9.6:-0.6]
set ytics scale 0
set grid x noy
set border 1
set lmargin 13
set rmargin 3
set title "test accuracy of each class" offset 0, 1
set arrow from overall, graph 0 to overall, graph 1 nohead dt 2 lw 1.5 lc rgb "#333333" back
set label sprintf("all classes %s", pct(overall)) at overall, graph 1.04 center font fs(13) textcolor rgb "#333333"
plot data index "classes" using ($3 / 2):1:($3 / 2):(0.34):ytic(2) with boxxyerror fs solid 0.9 noborder lc rgb blue, \
     '' index "classes" using 3:1:(pct($3)) with labels left offset 0.3, 0 font fs(13) textcolor rgb "#222222"
