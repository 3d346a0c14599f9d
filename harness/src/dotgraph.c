/* dotgraph.c: print a computation graph as Graphviz DOT (see dotgraph.h). */
#include "dotgraph.h"

#include <stdlib.h>
#include <string.h>

#define FONT "DejaVu Sans,sans-serif" /* fontconfig and CSS both read this as a list */
#define GRAD_COLOR "#a50f15" /* dark red: readable on white, distinct from black */

/* Write s inside a DOT "quoted string". */
static void put_quoted(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

/* Write s inside a DOT <HTML-like label>. */
static void put_html(FILE *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        default: fputc(*s, out);
        }
    }
}

/* Superscript digits and minus in UTF-8, for the exponent of 5.5 × 10⁻⁵. */
static const char *const SUPERSCRIPT[10] = {"⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"};
#define MINUS "\xe2\x88\x92"       /* − U+2212, the minus sign the text uses */
#define SUPER_MINUS "\xe2\x81\xbb" /* ⁻ U+207B */

char *dot_number(char *buf, size_t size, double v, int digits)
{
    char plain[40], *e;
    if (digits < 1)
        digits = 1;
    if (digits > 17)
        digits = 17;
    if (v == 0.0)
        v = 0.0; /* turns -0.0 into 0.0, so it never prints as "-0" */
    snprintf(plain, sizeof plain, "%.*g", digits, v);
    if (strcmp(plain, "-0") == 0) /* a tiny negative number rounded away */
        snprintf(plain, sizeof plain, "0");
    /* "-0.3" -> "−0.3"; "5.5e-05" -> "5.5 × 10⁻⁵", as the text writes them */
    const char *mant = plain[0] == '-' ? plain + 1 : plain;
    size_t n = (size_t)snprintf(buf, size, "%s", plain[0] == '-' ? MINUS : "");
    e = strchr(mant, 'e');
    if (e == NULL) {
        snprintf(buf + (n < size ? n : size), n < size ? size - n : 0, "%s", mant);
        return buf;
    }
    int exponent = atoi(e + 1);
    *e = '\0';
    n += (size_t)snprintf(buf + (n < size ? n : size), n < size ? size - n : 0, "%s × 10%s", mant,
                          exponent < 0 ? SUPER_MINUS : "");
    char digits_text[16];
    snprintf(digits_text, sizeof digits_text, "%d", exponent < 0 ? -exponent : exponent);
    for (const char *d = digits_text; *d; d++)
        n += (size_t)snprintf(buf + (n < size ? n : size), n < size ? size - n : 0, "%s", SUPERSCRIPT[*d - '0']);
    return buf;
}

void dot_begin(DotGraph *g, FILE *out, const char *name)
{
    g->out = out;
    g->nodes = 0;
    g->digits = 6;
    fprintf(out, "digraph ");
    put_quoted(out, name);
    fprintf(out, " {\n");
    fprintf(out, "    graph [rankdir=LR, ordering=in, ranksep=0.8, nodesep=0.35, margin=0, pad=0.15, bgcolor=\"white\",\n"
                 "           fontname=\"" FONT "\", fontsize=10];\n");
    fprintf(out, "    node  [fontname=\"" FONT "\", fontsize=14];\n");
    fprintf(out, "    edge  [fontname=\"" FONT "\", fontsize=12, arrowsize=0.6, penwidth=1.0];\n");
}

static int new_node(DotGraph *g)
{
    return g->nodes++;
}

int dot_leaf(DotGraph *g, const char *label)
{
    int id = new_node(g);
    fprintf(g->out, "    n%d [shape=plaintext, margin=\"0.02,0.02\", label=", id);
    put_quoted(g->out, label);
    fprintf(g->out, "];\n");
    return id;
}

int dot_op(DotGraph *g, const char *symbol)
{
    int id = new_node(g);
    /* One size for "×" and "+"; the circle grows around longer symbols ("1/x"). */
    fprintf(g->out, "    n%d [shape=circle, width=0.42, margin=0.03, penwidth=1.2, label=", id);
    put_quoted(g->out, symbol);
    fprintf(g->out, "];\n");
    return id;
}

void dot_edge_text(DotGraph *g, int from, int to, const char *value, const char *grad)
{
    /* Two arrows between the same nodes: dot stacks them in the order given,
     * so the forward one sits above the backward one. */
    if (value) {
        fprintf(g->out, "    n%d -> n%d [label=", from, to);
        put_quoted(g->out, value);
        fprintf(g->out, "];\n");
    }
    if (grad) {
        fprintf(g->out, "    n%d -> n%d [dir=back, color=\"" GRAD_COLOR "\", fontcolor=\"" GRAD_COLOR "\", label=",
                from, to);
        put_quoted(g->out, grad);
        fprintf(g->out, "];\n");
    }
}

void dot_edge(DotGraph *g, int from, int to, double value, double grad)
{
    char v[48], d[48];
    dot_edge_text(g, from, to, isnan(value) ? NULL : dot_number(v, sizeof v, value, g->digits),
                  isnan(grad) ? NULL : dot_number(d, sizeof d, grad, g->digits));
}

void dot_legend(DotGraph *g, const char *value_text, const char *grad_text)
{
    fprintf(g->out, "    graph [labelloc=b, labeljust=c, label=<");
    fprintf(g->out, "<TABLE BORDER=\"0\" CELLSPACING=\"0\" CELLPADDING=\"2\"><TR>");
    if (value_text) {
        fprintf(g->out, "<TD>→ ");
        put_html(g->out, value_text);
        fprintf(g->out, "</TD>");
    }
    if (value_text && grad_text)
        fprintf(g->out, "<TD WIDTH=\"14\"> </TD>");
    if (grad_text) {
        fprintf(g->out, "<TD><FONT COLOR=\"" GRAD_COLOR "\">← ");
        put_html(g->out, grad_text);
        fprintf(g->out, "</FONT></TD>");
    }
    fprintf(g->out, "</TR></TABLE>>];\n");
}

void dot_end(DotGraph *g)
{
    fprintf(g->out, "}\n");
    fflush(g->out);
}
