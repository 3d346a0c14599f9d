/* test_ch01.c: grading chapter 1, the backward walk over a graph and the
 * central difference.
 *
 * The grader builds its graphs field by field, evaluates them with its own
 * forward (ref_eval), and gets the gradients it expects by central differences
 * of that forward: it never calls the learner's builders or graph_forward to
 * grade graph_backward.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "gradcheck.h"
#include "graph.h"
#include "numdiff.h"

/* ---- the grader's graphs and forward ------------------------------------------ */

static int ref_node(Graph *g, Op op, int a, int b, const char *name, double value)
{
    int k = g->count++;
    g->nodes[k] = (Node){op, a, b, name, value};
    return k;
}

static int ref_input(Graph *g, const char *name, double value) { return ref_node(g, OP_INPUT, -1, -1, name, value); }
static int ref_add(Graph *g, const char *name, int a, int b) { return ref_node(g, OP_ADD, a, b, name, 0.0); }
static int ref_mul(Graph *g, const char *name, int a, int b) { return ref_node(g, OP_MUL, a, b, name, 0.0); }

/* The grader's forward: value[k] for every node, front to back, with node
 * `pinned` held at `pin` whatever its inputs say (pinned = -1: none).
 * Inputs take their values from the graph.  Returns the output's value. */
static double ref_eval(const Graph *g, int pinned, double pin, double *value)
{
    for (int k = 0; k < g->count; k++) {
        const Node *node = &g->nodes[k];
        if (k == pinned)
            value[k] = pin;
        else if (node->op == OP_INPUT)
            value[k] = node->value;
        else if (node->op == OP_ADD)
            value[k] = value[node->a] + value[node->b];
        else
            value[k] = value[node->a] * value[node->b];
    }
    return value[g->count - 1];
}

/* Write the grader's forward values into the graph, as graph_forward would. */
static void ref_fill(Graph *g)
{
    double value[GRAPH_MAX_NODES];
    ref_eval(g, -1, 0.0, value);
    for (int k = 0; k < g->count; k++)
        g->nodes[k].value = value[k];
}

/* L(v) = dout * output, with node k pinned at v: its slope is grad[k]. */
typedef struct {
    const Graph *g;
    int k;
    double dout;
} Probe;

static double probe_loss(const double *v, void *ctx)
{
    const Probe *p = ctx;
    double value[GRAPH_MAX_NODES];
    return p->dout * ref_eval(p->g, p->k, v[0], value);
}

static void numeric_grads(const Graph *g, double dout, double *want)
{
    for (int k = 0; k < g->count; k++) {
        Probe p = {g, k, dout};
        double v[1] = {g->nodes[k].value};
        want[k] = gc_central_difference(probe_loss, v, 0, &p);
    }
}

/* ---- the mistakes the grader recognises --------------------------------------
 * ref_walk is the backward walk with chosen mistakes built in: what a learner's
 * graph_backward returns when it makes exactly those mistakes. */

enum {
    OVERWRITE = 1,       /* grad[a] = ... instead of += */
    FORWARD_ORDER = 2,   /* k = 0, 1, ... instead of count-1, ..., 0 */
    SEED_ONE = 4,        /* grad[out] = 1 instead of dout */
    NO_UPSTREAM = 8,     /* grad[a] += da, forgetting grad[k] */
    DOUT_EVERYWHERE = 16,/* grad[a] += dout * da */
    SWAPPED_LOCAL = 32,  /* grad[a] += grad[k] * db */
    SKIP_OUTPUT = 64,    /* the walk starts at count-2 */
    NOT_CLEARED = 128,   /* grad kept what it held (GC_STALE) instead of starting at 0 */
};

static void ref_walk(const Graph *g, double dout, int mistakes, double *grad)
{
    int n = g->count;
    for (int i = 0; i < n; i++)
        grad[i] = (mistakes & NOT_CLEARED) ? GC_STALE : 0.0;
    grad[n - 1] = (mistakes & SEED_ONE) ? 1.0 : dout;
    for (int step = 0; step < n; step++) {
        int k = (mistakes & FORWARD_ORDER) ? step : n - 1 - step;
        const Node *node = &g->nodes[k];
        if (node->op == OP_INPUT || (k == n - 1 && (mistakes & SKIP_OUTPUT)))
            continue;
        double va = g->nodes[node->a].value, vb = g->nodes[node->b].value;
        double da = node->op == OP_ADD ? 1.0 : vb, db = node->op == OP_ADD ? 1.0 : va;
        if (mistakes & SWAPPED_LOCAL) {
            double t = da;
            da = db;
            db = t;
        }
        double up = (mistakes & NO_UPSTREAM) ? 1.0 : (mistakes & DOUT_EVERYWHERE) ? dout : grad[k];
        if (mistakes & OVERWRITE) {
            grad[node->a] = up * da;
            grad[node->b] = up * db;
        } else {
            grad[node->a] += up * da;
            grad[node->b] += up * db;
        }
    }
}

static const struct {
    int mistakes;
    const char *why;
} MISTAKES[] = {
    {OVERWRITE, "a value read twice kept only one share of its gradient: add with +=, never assign with =, "
                "so the shares from every reader (or from both inputs of x * x) sum up"},
    {FORWARD_ORDER, "walked the nodes in forward order (first to last): a node's gradient is complete only "
                    "after every node that reads it has been visited, so walk from the last node to the first"},
    {SKIP_OUTPUT, "the walk skipped the output node: seeding grad[g->count - 1] is not visiting it; start the "
                  "walk at k = g->count - 1"},
    {SEED_ONE, "seeded the output with 1: seed it with dout (it is 1 only when the output is the final result)"},
    {NO_UPSTREAM, "sent only the local derivative back: multiply it by grad[k], the gradient that has arrived "
                  "at node k"},
    {DOUT_EVERYWHERE, "multiplied every local derivative by dout: use grad[k], the gradient that has arrived "
                      "at node k; dout is only the seed at the output"},
    {SWAPPED_LOCAL, "the local derivatives went to the wrong inputs: da belongs to grad[a] and db to grad[b]"},
};
#define NMISTAKES (sizeof MISTAKES / sizeof MISTAKES[0])

/* ---- grading one call of graph_backward -------------------------------------- */

/* What fills nodes[count .. GRAPH_MAX_NODES - 1]: a mul node reading node 0.
 * The Graph struct holds GRAPH_MAX_NODES nodes by design, so a walk that
 * starts one node too far (k = g->count) reads no memory past the struct; it
 * finds this node, which sends grad[g->count] back, one element past the end
 * of grad, where the sanitizer stops it. */
static void poison_unused_nodes(Graph *g)
{
    for (int k = g->count; k < GRAPH_MAX_NODES; k++)
        g->nodes[k] = (Node){OP_MUL, 0, 0, "(not a node)", 0.0};
}

/* "grad[0] (apple), grad[1] (apple count), ...": each element's name in a message. */
static void grad_names(const Graph *g, int with_node_names, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int k = 0; k < g->count && used < size; k++) {
        if (with_node_names)
            used += (size_t)snprintf(buf + used, size - used, "%sgrad[%d] (%s)", k ? ", " : "", k,
                                     g->nodes[k].name);
        else
            used += (size_t)snprintf(buf + used, size - used, "%sgrad[%d]", k ? ", " : "", k);
    }
}

static void check_backward(Graph *g, double dout, int with_node_names, const char *where)
{
    ref_fill(g);
    poison_unused_nodes(g);
    Graph before;
    memcpy(&before, g, sizeof before);
    size_t n = (size_t)g->count;
    /* exactly g->count slots, each holding GC_STALE: the walk must clear them first */
    double *grad = gc_array_fill("grad", n, 1, GC_STALE), want[GRAPH_MAX_NODES];
    graph_backward(g, dout, grad);
    gc_expect_unchanged("graph_backward", "the graph", &before, g, sizeof *g);

    numeric_grads(g, dout, want);
    double not_cleared[GRAPH_MAX_NODES];
    ref_walk(g, dout, NOT_CLEARED, not_cleared);
    int matches = 1;
    for (size_t i = 0; i < n; i++)
        if (fabs(grad[i] - not_cleared[i]) > 1e-7 + 1e-6 * fabs(not_cleared[i]))
            matches = 0;
    if (matches) { /* before gradcheck.c's "never written": the fix is to clear, not to write more */
        size_t k = 0;
        while (k + 1 < n && fabs(grad[k] - want[k]) <= 1e-7 + 1e-6 * fabs(want[k]))
            k++;
        cr_assert_fail("graph_backward: grad[%zu] (node '%s') is wrong %s\n"
                       "  yours: grad[%zu] = %.8g\n"
                       "  numeric (central difference of the grader's forward): grad[%zu] = %.8g\n"
                       "  likely cause: grad was not cleared before the walk: the grader handed it over holding "
                       "%g in every slot, and your walk added onto that and passed it on to the nodes further "
                       "back. Set every grad[i] to 0 before the walk, then seed grad[g->count - 1] = dout",
                       k, g->nodes[k].name, where, k, grad[k], k, want[k], GC_STALE);
    }

    double guess_values[NMISTAKES][GRAPH_MAX_NODES];
    gc_guess guesses[NMISTAKES];
    for (size_t m = 0; m < NMISTAKES; m++) {
        ref_walk(g, dout, MISTAKES[m].mistakes, guess_values[m]);
        guesses[m] = (gc_guess){guess_values[m], MISTAKES[m].why};
    }
    char names[GRAPH_MAX_NODES * 40];
    grad_names(g, with_node_names, names, sizeof names);
    gc_expect_gradient("graph_backward", names, where, grad, want, n, guesses, NMISTAKES);
}

/* ---- the book's graphs ---------------------------------------------------------- */

static void apple_graph(Graph *g)
{
    g->count = 0;
    int apple = ref_input(g, "apple", 100), count = ref_input(g, "apple count", 2);
    int tax = ref_input(g, "tax", 1.1);
    int apple_price = ref_mul(g, "apple price", apple, count);
    ref_mul(g, "price", apple_price, tax);
}

static void fruit_graph(Graph *g)
{
    g->count = 0;
    int apple = ref_input(g, "apple", 100), apple_count = ref_input(g, "apple count", 2);
    int orange = ref_input(g, "orange", 150), orange_count = ref_input(g, "orange count", 3);
    int tax = ref_input(g, "tax", 1.1);
    int apple_price = ref_mul(g, "apple price", apple, apple_count);
    int orange_price = ref_mul(g, "orange price", orange, orange_count);
    int fruit = ref_add(g, "fruit price", apple_price, orange_price);
    ref_mul(g, "price", fruit, tax);
}

/* ---- given code, checked against the grader's forward ----------------------------- */

/* "nodes[0].value (apple), nodes[1].value (apple count), ..." */
static void value_names(const Graph *g, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int k = 0; k < g->count && used < size; k++)
        used += (size_t)snprintf(buf + used, size - used, "%snodes[%d].value (%s)", k ? ", " : "", k,
                                 g->nodes[k].name);
}

/* Runs the learner's graph_forward on `mine` and compares every node's value
 * and the returned price with the grader's forward on the same graph. */
static void check_forward(Graph *mine, const Graph *want, const char *where)
{
    double price = graph_forward(mine);
    double value[GRAPH_MAX_NODES], got[GRAPH_MAX_NODES];
    double want_price = ref_eval(want, -1, 0.0, value);
    for (int k = 0; k < want->count; k++)
        got[k] = mine->nodes[k].value;
    char names[GRAPH_MAX_NODES * 48];
    value_names(want, names, sizeof names);
    gc_expect_value("graph_forward", "the returned price", where, &price, &want_price, 1, NULL, 0);
    gc_expect_value("graph_forward", names, where, got, value, (size_t)want->count, NULL, 0);
}

GRADED(ch01, graph_forward_book, "graph_input/graph_mul/graph_add build the book's graphs; graph_forward evaluates them")
{
    Graph mine, want;
    graph_init(&mine);
    int apple = graph_input(&mine, "apple", 100), count = graph_input(&mine, "apple count", 2);
    int tax = graph_input(&mine, "tax", 1.1);
    int apple_price = graph_mul(&mine, "apple price", apple, count);
    graph_mul(&mine, "price", apple_price, tax);
    apple_graph(&want);
    cr_assert_eq(mine.count, want.count, "graph_mul: the apple graph has %d nodes, expected %d", mine.count,
                 want.count);
    for (int k = 0; k < want.count; k++)
        cr_assert(mine.nodes[k].op == want.nodes[k].op && mine.nodes[k].a == want.nodes[k].a &&
                      mine.nodes[k].b == want.nodes[k].b,
                  "graph_input/graph_mul: node %d ('%s') of the apple graph is not wired as expected", k,
                  want.nodes[k].name);
    check_forward(&mine, &want, "on the apple graph");

    fruit_graph(&want);
    Graph fruit = want;
    for (int k = 0; k < fruit.count; k++)
        if (fruit.nodes[k].op != OP_INPUT)
            fruit.nodes[k].value = GC_UNSET;
    check_forward(&fruit, &want, "on the apples-and-oranges graph");
}

GRADED(ch01, graph_local_grads, "graph_local_grads: 1 and 1 for an add node, b's and a's values for a mul node, 0 for an input")
{
    Graph g;
    fruit_graph(&g);
    ref_fill(&g);
    for (int k = 0; k < g.count; k++) {
        const Node *node = &g.nodes[k];
        double *da = gc_array_fill("da", 1, 1, GC_STALE), *db = gc_array_fill("db", 1, 1, GC_STALE);
        graph_local_grads(&g, k, da, db);
        double got[2] = {*da, *db}, want[2] = {0.0, 0.0};
        char where[160];
        if (node->op == OP_INPUT) {
            snprintf(where, sizeof where, "at node %d ('%s', an input), on the apples-and-oranges graph", k,
                     node->name);
        } else {
            double va = g.nodes[node->a].value, vb = g.nodes[node->b].value;
            want[0] = node->op == OP_ADD ? 1.0 : vb;
            want[1] = node->op == OP_ADD ? 1.0 : va;
            snprintf(where, sizeof where, "at node %d ('%s' = %s %c %s = %g %c %g), on the apples-and-oranges "
                     "graph", k, node->name, g.nodes[node->a].name, node->op == OP_ADD ? '+' : 'x',
                     g.nodes[node->b].name, va, node->op == OP_ADD ? '+' : 'x', vb);
        }
        gc_expect_value("graph_local_grads", "da, db", where, got, want, 2, NULL, 0);
    }
}

/* ---- random graphs ------------------------------------------------------------ */

static char random_names[GRAPH_MAX_NODES][8];

/* 2-4 inputs and 3-7 operations, each reading two random earlier nodes (possibly
 * the same one twice). A mul is turned into an add when it would make the
 * output a polynomial of degree above 8, so central differences stay accurate. */
static void random_graph(Graph *g)
{
    int degree[GRAPH_MAX_NODES];
    g->count = 0;
    int inputs = 2 + (int)gc_uniform(0, 3), ops = 3 + (int)gc_uniform(0, 5);
    for (int i = 0; i < inputs; i++) {
        snprintf(random_names[g->count], sizeof random_names[0], "n%d", g->count);
        degree[g->count] = 1;
        ref_input(g, random_names[g->count], gc_away_from_zero(0.3, 1.5));
    }
    for (int i = 0; i < ops; i++) {
        int k = g->count;
        int a = (int)gc_uniform(0, k), b = (int)gc_uniform(0, k);
        snprintf(random_names[k], sizeof random_names[0], "n%d", k);
        if (gc_uniform(0, 1) < 0.5 && degree[a] + degree[b] <= 8) {
            degree[k] = degree[a] + degree[b];
            ref_mul(g, random_names[k], a, b);
        } else {
            degree[k] = degree[a] > degree[b] ? degree[a] : degree[b];
            ref_add(g, random_names[k], a, b);
        }
    }
}

/* "n0 = 0.84, n1 = -1.2, n2 = n0 * n1, ..." */
static void describe(const Graph *g, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int k = 0; k < g->count && used < size; k++) {
        const Node *node = &g->nodes[k];
        if (node->op == OP_INPUT)
            used += (size_t)snprintf(buf + used, size - used, "%s%s = %.4g", k ? ", " : "", node->name, node->value);
        else
            used += (size_t)snprintf(buf + used, size - used, ", %s = %s %c %s", node->name,
                                     g->nodes[node->a].name, node->op == OP_ADD ? '+' : '*', g->nodes[node->b].name);
    }
}

/* ---- backward: checked against central differences of the grader's forward ---- */

/* uses: graph_local_grads */
GRADED(ch01, graph_backward_apple, "graph_backward on the apple graph: 100 x 2 x 1.1, dout = 1")
{
    Graph g;
    apple_graph(&g);
    check_backward(&g, 1.0, 1, "on the apple graph (dout = 1)");
}

/* uses: graph_local_grads */
GRADED(ch01, graph_backward_fruit, "graph_backward on the apples-and-oranges graph, dout = 1")
{
    Graph g;
    fruit_graph(&g);
    check_backward(&g, 1.0, 1, "on the apples-and-oranges graph (dout = 1)");
}

/* uses: graph_local_grads */
GRADED(ch01, graph_backward_fan_out, "graph_backward where one value feeds two nodes: the gradients add up")
{
    /* A delivery fee of 10% of the pre-tax price: the apple price is read twice. */
    Graph g = {0};
    int apple = ref_input(&g, "apple", 100), count = ref_input(&g, "apple count", 2);
    int tax = ref_input(&g, "tax", 1.1), fee_rate = ref_input(&g, "fee rate", 0.1);
    int apple_price = ref_mul(&g, "apple price", apple, count);
    int taxed = ref_mul(&g, "taxed price", apple_price, tax);
    int fee = ref_mul(&g, "fee", apple_price, fee_rate);
    ref_add(&g, "total", taxed, fee);
    check_backward(&g, 1.0, 1,
                   "on total = apple price x tax + apple price x fee rate, apple price = 100 x 2 (dout = 1)");
    check_backward(&g, -0.5, 1,
                   "on total = apple price x tax + apple price x fee rate, apple price = 100 x 2 (dout = -0.5)");
}

/* uses: graph_local_grads */
GRADED(ch01, graph_backward_leaf_twice, "graph_backward where an input is used twice: x * x, and x in two nodes")
{
    /* z = (x * x) * (x + y): x is both inputs of one node and an input of another. */
    Graph g = {0};
    int x = ref_input(&g, "x", 3), y = ref_input(&g, "y", -2);
    int xx = ref_mul(&g, "x*x", x, x);
    int s = ref_add(&g, "x+y", x, y);
    ref_mul(&g, "z", xx, s);
    check_backward(&g, 1.0, 1, "on z = (x * x) * (x + y) at x = 3, y = -2 (dout = 1)");

    /* w = x + x: the same input twice in an add node. */
    Graph h = {0};
    int u = ref_input(&h, "x", 1.5);
    ref_add(&h, "w", u, u);
    check_backward(&h, 2.0, 1, "on w = x + x at x = 1.5 (dout = 2)");
}

/* uses: graph_local_grads */
GRADED(ch01, graph_backward_random, "graph_backward on 40 seeded random graphs and upstream gradients")
{
    gc_seed(1001);
    char where[1400], shape[1200];
    for (int t = 0; t < 40; t++) {
        Graph g;
        random_graph(&g);
        double dout = gc_away_from_zero(0.5, 2);
        describe(&g, shape, sizeof shape);
        snprintf(where, sizeof where, "on random graph %d of 40 (dout = %.4g)\n  the graph: %s", t + 1, dout, shape);
        check_backward(&g, dout, 0, where); /* node k is named nk: "grad[k]" says it all */
    }
}

/* ---- the central difference ------------------------------------------------------ */

static double square(double x) { return x * x; }
static double cube(double x) { return x * x * x; }
static double inverse(double x) { return 1.0 / x; }

/* The grader's own copy of the formula. */
static double ref_central(double (*f)(double), double x, double h) { return (f(x + h) - f(x - h)) / (2 * h); }

/* Checks numerical_diff(f, x, h) against `want`. `exact` (or NAN) is the exact
 * derivative, a wrong answer when `want` is the central difference of a large h. */
static void check_numerical_diff(double (*f)(double), const char *fname, double x, double h, double want,
                                 const char *want_is, double exact)
{
    char where[160];
    snprintf(where, sizeof where, "for f(x) = %s at x = %g with h = %g%s%s%s", fname, x, h,
             want_is ? " (" : "", want_is ? want_is : "", want_is ? ")" : "");
    double got = numerical_diff(f, x, h);

    /* the usual slips, computed the way the slip computes them */
    double forward = (f(x + h) - f(x)) / h, backward = (f(x) - f(x - h)) / h;
    double over_h = (f(x + h) - f(x - h)) / h, no_parens = f(x + h) - f(x - h) / (2 * h);
    double half_times_h = (f(x + h) - f(x - h)) / 2 * h, zero = 0.0;
    gc_guess guesses[7];
    size_t n = 0;
    if (!isnan(exact))
        guesses[n++] = (gc_guess){&exact, "that is the exact derivative: the central difference with this h is "
                                          "not (for x^3 it is 3x^2 + h^2), so your code does not use the h it "
                                          "was given"};
    guesses[n++] = (gc_guess){&forward, "that is the forward difference (f(x + h) - f(x)) / h: a fair estimate, "
                                        "but less accurate (its error shrinks like h, the central difference's "
                                        "like h^2), and not this function's formula; evaluate on both sides: "
                                        "(f(x + h) - f(x - h)) / (2 * h)"};
    guesses[n++] = (gc_guess){&backward, "that is the backward difference (f(x) - f(x - h)) / h; evaluate on both "
                                         "sides: (f(x + h) - f(x - h)) / (2 * h)"};
    guesses[n++] = (gc_guess){&over_h, "twice the right value: the two points are 2h apart, so divide by 2 * h, "
                                       "not h"};
    guesses[n++] = (gc_guess){&no_parens, "operator precedence: f(x + h) - f(x - h) / (2 * h) divides only the "
                                          "second term; put the difference in parentheses"};
    /* With a small h, / 2 * h gives almost 0: an exact 0 is told apart from it. */
    if (got == 0.0)
        guesses[n++] = (gc_guess){&zero, "the slope came out exactly 0: f(x + h) and f(x - h) were equal. That "
                                         "happens when h is so small (1e-50, say) that x + h rounds to x, or when "
                                         "a factor such as 1 / 2 is integer division (0); use the h you are "
                                         "given, and write / (2 * h)"};
    else
        guesses[n++] = (gc_guess){&half_times_h, "operator precedence: / 2 * h divides by 2 and then multiplies "
                                                 "by h: write / (2 * h)"};
    gc_expect_value("numerical_diff", "the returned slope", where, &got, &want, 1, guesses, n);
}

GRADED(ch01, numerical_diff_known, "numerical_diff agrees with derivatives known by hand (h = 1e-4)")
{
    double h = 1e-4;
    check_numerical_diff(square, "x^2", 3, h, 6, "the derivative 2x is 6", NAN);
    check_numerical_diff(cube, "x^3", -1.5, h, 6.75, "the derivative 3x^2 is 6.75", NAN);
    check_numerical_diff(exp, "exp(x)", 1, h, exp(1), "the derivative exp(x) is e", NAN);
    check_numerical_diff(sin, "sin(x)", 1, h, cos(1), "the derivative cos(x) is 0.5403", NAN);
    check_numerical_diff(inverse, "1/x", -2, h, -0.25, "the derivative -1/x^2 is -0.25", NAN);
}

GRADED(ch01, numerical_diff_step, "numerical_diff uses the step h it is given (x^3 with a large h)")
{
    /* With a large h the central difference of x^3 is 3x^2 + h^2, not 3x^2:
     * the grader's own copy of the formula says what the learner's must return. */
    double cases[][2] = {{2, 0.1}, {-1, 0.5}, {0.5, 0.25}};
    for (int c = 0; c < 3; c++) {
        double x = cases[c][0], h = cases[c][1];
        check_numerical_diff(cube, "x^3", x, h, ref_central(cube, x, h), "the central difference is 3x^2 + h^2",
                             3 * x * x);
    }
}
