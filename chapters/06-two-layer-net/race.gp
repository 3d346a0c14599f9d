# race.gp: gradient_race's measurements, from its --data file. Left: the time
# for one gradient of every parameter, by central differences and by
# backprop (a logarithmic scale: each grid line is 10 times the one below).
# Right: how many times longer the numerical gradient takes.
eval figure(0.47)

# the numbers, and the text alternative that lists them
stats data index "race" using 2 nooutput
sizes = STATS_records
stats data index "race" using 2 every ::0::0 nooutput
p_first = STATS_min
stats data index "race" using 2 every ::(sizes - 1) nooutput
p_last = STATS_min
rows = ""
stats data index "race" using (rows = rows . (rows eq "" ? "" : "; ") . \
      sprintf("%d parameters: %s and %s, %.0f times", $2, duration($3), duration($4), $5), 0) nooutput
set print alt
print sprintf("Two plots of one gradient's cost for networks from %d to %d parameters. Left, on a logarithmic time scale: numerical differentiation in orange, far above backpropagation in blue, and the gap widening. Right: the ratio of the two growing with the number of parameters. The measurements, numerical and backprop: %s.", p_first, p_last, rows)
unset print

set multiplot layout 1, 2
set title "time for one gradient"
set xlabel "parameters"
set xrange [0:*]
set xtics 2000
set logscale y
set format y "%.0s %cs"
set key right center samplen 2
plot data index "race" using 2:3 with linespoints ls 2 title "numerical", \
     '' index "race" using 2:4 with linespoints ls 1 title "backprop"

set title "numerical ÷ backprop"
unset logscale y
set format y "%g"
set yrange [0:*]
set offsets 0, 0, graph 0.12, 0   # room above the highest point for its number
set key off
plot data index "race" using 2:5 with linespoints ls 2, \
     '' index "race" using 2:5:(sprintf("%.0f", $5)) with labels offset 0, 1 font fs(13)
unset multiplot
