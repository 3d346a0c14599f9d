# predictions.gp: the first test images with the trained network's answers,
# from train_fashion's --data file. Under each image the class the network
# chose: in blue with ✓ when right; in orange with ✗, the image framed and
# the true class under it, when wrong.
columns = 7
cell_w = 41; cell_h = 47   # pixels of the 28 x 28 images, and the room around them
stats data index "predictions" using 1 nooutput
shown = STATS_records
rows = ceil(shown / real(columns))
side = 8   # room left and right for the labels of the outer columns
eval figure(rows * cell_h / real(columns * cell_w + 2 * side))

# the numbers, and the text alternative that lists the mistakes
wrong = 0; mistakes = ""
stats data index "predictions" using ($2 != $3 ? (wrong = wrong + 1, \
      mistakes = mistakes . (mistakes eq "" ? "" : "; ") . sprintf("image %d, %s, called %s", $1 + 1, strcol(4), strcol(5)), 0) : 0) nooutput
set print alt
print sprintf("The first %d test images, %d to a row, each with the class the trained network chose: %d right, in blue with a tick, and %d wrong, in orange with a cross, framed, the true class under it: %s.", shown, columns, shown - wrong, wrong, mistakes)
unset print

# image i's top left corner (x right, y down, in pixels)
left(i) = (int(i) % columns) * cell_w + (cell_w - 28) / 2.0
top(i) = int(int(i) / columns) * cell_h + 1
right_answer = 0x0072b2; wrong_answer = 0xd55e00

unset border; unset tics; unset grid; unset key; unset colorbox
set lmargin 0; set rmargin 0; set tmargin 0; set bmargin 0
set xrange [-side:columns * cell_w + side]
set yrange [rows * cell_h:0]
set palette defined (0 "white", 255 "black")   # ink dark on the page
set cbrange [0:255]
plot for [i = 0:shown - 1] data index "pixels" every ::(784 * i)::(784 * i + 783) \
       using (left($1) + $3 + 0.5):(top($1) + $2 + 0.5):4 with image, \
     data index "predictions" using ($2 == $3 ? NaN : left($1) + 14):(top($1) + 14):(15):(15) \
       with boxxyerror lc rgb orange lw 2 fs empty border lc rgb orange, \
     '' index "predictions" using (left($1) + 14):(top($1) + 33):(($2 == $3 ? "✓ " : "✗ ") . strcol(5)):($2 == $3 ? right_answer : wrong_answer) \
       with labels font fs(13) textcolor rgb variable, \
     '' index "predictions" using (left($1) + 14):(top($1) + 41):($2 == $3 ? "" : "is " . strcol(4)) \
       with labels font fs(13) textcolor rgb "#555555"
