# network.gp: the two-layer network as train_fashion built it, from its --data
# file (the sizes: inputs, hidden units, classes, batch). The layers from top
# to bottom; black arrows down: the arrays forward, with their shapes; dark red
# arrows up: the gradients of the loss backward; beside each Affine layer the
# gradients its backward leaves behind.
eval figure(0.56)

stats data index "network" using 1 nooutput
D = int(STATS_min)
stats data index "network" using 2 nooutput
H = int(STATS_min)
stats data index "network" using 3 nooutput
C = int(STATS_min)
stats data index "network" using 4 nooutput
N = int(STATS_min)
shape(rows, cols) = sprintf("%d × %d", rows, cols)

set print alt
print sprintf("The network's layers from top to bottom. A batch of %d images, x, %s, goes into Affine (W1 %s, b1 %d), which gives a1, %s; ReLU gives h1, %s; Affine (W2 %s, b2 %d) gives the scores, %s; Softmax-with-Loss compares them with the %d labels t and gives the loss L. Backward, red arrows carry the gradients up: 1, dscores, dh1, da1; the Affine layers leave dW2, db2 and dW1, db1 behind, shaped as their parameters.", N, shape(N, D), shape(D, H), H, shape(N, H), shape(N, H), shape(H, C), C, shape(N, C), N)
unset print

# the drawing, in pixels of the 700-pixel-wide SVG (y down)
W = 700.0; Ht = W * 0.56
unset border; unset tics; unset grid; unset key
set lmargin 0; set rmargin 0; set tmargin 0; set bmargin 0
set xrange [0:W]
set yrange [Ht:0]
cx = 250; bw = 200; dy = 70; y0 = 24
y(k) = y0 + k * dy
half(k) = (k == 1 || k == 3) ? 20 : (k == 0 || k == 5) ? 9 : 15   # half a box's height
ink = "#222222"; red = "#a50f15"   # red: the gradients, as in the book's graphs

params1 = sprintf("W1 %s,  b1 %d", shape(D, H), H)
params2 = sprintf("W2 %s,  b2 %d", shape(H, C), C)

do for [k = 0:5] {
  if (k >= 1 && k <= 4) {
    set object (k + 1) rectangle from cx - bw / 2, y(k) - half(k) to cx + bw / 2, y(k) + half(k) \
      fc rgb "#f4f7fb" fs solid border lc rgb "#445566" lw 1.2
  }
}
set label 1 "images" at cx, y(0) center font fs(14) textcolor rgb ink
set label 2 "Affine" at cx, y(1) - 7 center font fs(14) textcolor rgb ink
set label 3 params1 at cx, y(1) + 10 center font fs(13) textcolor rgb ink
set label 4 "ReLU" at cx, y(2) center font fs(14) textcolor rgb ink
set label 5 "Affine" at cx, y(3) - 7 center font fs(14) textcolor rgb ink
set label 6 params2 at cx, y(3) + 10 center font fs(13) textcolor rgb ink
set label 7 "Softmax-with-Loss" at cx, y(4) center font fs(14) textcolor rgb ink
set label 8 "L" at cx, y(5) center font fs(14) textcolor rgb ink

# between level k and k + 1: the array forward, its gradient backward
array forward[5] = ["x  " . shape(N, D), "a1  " . shape(N, H), "h1  " . shape(N, H), "scores  " . shape(N, C), "loss"]
array backward[5] = ["", "da1", "dh1", "dscores", "1"]
do for [k = 0:4] {
  top = y(k) + half(k) + 2; bottom = y(k + 1) - half(k + 1) - 2; mid = (top + bottom) / 2
  set arrow (10 + k) from cx - 12, top to cx - 12, bottom lc rgb ink lw 1.3 head size 7, 25 filled
  set label (20 + k) forward[k + 1] at cx - 24, mid right font fs(14) textcolor rgb ink
  if (k > 0) {
    set arrow (30 + k) from cx + 12, bottom to cx + 12, top lc rgb red lw 1.3 head size 7, 25 filled
    set label (40 + k) backward[k + 1] at cx + 24, mid left font fs(14) textcolor rgb red
  }
}
# what the Affine layers' backward leaves behind, shaped as their parameters
set label 50 sprintf("→ dW1 %s,  db1 %d", shape(D, H), H) at cx + bw / 2 + 12, y(1) left font fs(13) textcolor rgb red
set label 51 sprintf("→ dW2 %s,  db2 %d", shape(H, C), C) at cx + bw / 2 + 12, y(3) left font fs(13) textcolor rgb red
# the labels come in from the side
set arrow 60 from cx + bw / 2 + 110, y(4) to cx + bw / 2 + 2, y(4) lc rgb ink lw 1.3 head size 7, 25 filled
set label 61 sprintf("t  %d labels", N) at cx + bw / 2 + 56, y(4) - 9 center font fs(14) textcolor rgb ink
# the key
set label 70 "↓ forward: the array and its shape" at W - 12, y(5) - 18 right font fs(13) textcolor rgb ink
set label 71 "↑ backward: the gradient of L" at W - 12, y(5) right font fs(13) textcolor rgb red
plot 1/0
