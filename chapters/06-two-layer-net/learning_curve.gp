# learning_curve.gp: the training run of train_fashion, from its --data file:
# left the loss of every batch, right the accuracy before training and after
# each epoch. (harness/src/figure.gp sets the terminal, colours and data.)
eval figure(0.47)

stats data index "loss" using 2 nooutput
iterations = STATS_records
stats data index "loss" using 2 every ::0::0 nooutput
first_loss = STATS_min
stats data index "loss" using 2 every ::(iterations - 50) nooutput
last_loss = STATS_mean
stats data index "accuracy" using 1 nooutput
epochs = STATS_records

set multiplot layout 1, 2
set title "loss of each batch of 100"
set xlabel "iteration"
set xrange [0:iterations]
set xtics 600
set yrange [0:*]
set key top right opaque
plot data index "loss" using 1:2 with lines ls 3 title "one batch", \
     '' index "loss" using (50 * floor(($1 - 1) / 50) + 25):2 smooth unique with lines ls 1 title "mean of 50"

set title "accuracy after each epoch"
set xlabel "epoch"
set xrange [0:epochs - 1]
set xtics 1
set yrange [0:100]
set format y "%g%%"
set key bottom right noopaque samplen 2
plot data index "accuracy" using 1:3 with linespoints ls 1 title "training", \
     '' index "accuracy" using 1:4 with linespoints ls 2 title "test"
unset multiplot

# the text alternative: the numbers the two plots show
train = ""; test = ""
do for [k = 0:epochs - 1] {
  stats data index "accuracy" using 3 every ::k::k nooutput
  train = train . (k ? ", " : "") . pct2(STATS_min)
  stats data index "accuracy" using 4 every ::k::k nooutput
  test = test . (k ? ", " : "") . pct2(STATS_min)
}
set print alt
print sprintf("Two plots of the training run. Left: the loss of each batch over %d iterations, from %.2f at the first to about %.2f over the last 50. Right: accuracy before training and after epochs 1 to %d, on the training images %s, on the test images %s.", iterations, first_loss, last_loss, epochs - 1, train, test)
unset print
