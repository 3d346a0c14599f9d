/* gc_guard.c: what every graded test does before and after its body, and the
 * one record of a chapter's run, the event log, that harness/workbook/grade.py reads.
 *
 * ---- the event log -------------------------------------------------------------
 * harness/workbook/grade.py runs a chapter's tests with WB_EVENTS naming a file. Every
 * line of it is one event, a JSON object:
 *
 *   {"test":"ch03.mul_backward_book","event":"start","pid":4242}
 *
 * Each line is written with one write() to a descriptor opened with O_APPEND,
 * so lines written at the same time by several processes never interleave, and
 * is shorter than 4096 bytes (PIPE_BUF): a longer text continues on the next
 * line. Strings are escaped as in JSON: `"` and `\` get a backslash, bytes
 * below 0x20 and 0x7f become \u00XX, every other byte (UTF-8) is copied.
 * Every line is written as "\n" + object + "\n", so that a partial line someone
 * else wrote can never swallow it; readers skip empty lines.
 *
 * Two writers, two sets of events:
 *
 *   - the test's own process (gc_test_start, gc_test_end, the signal handlers):
 *       start {pid}          the test's process started
 *       sandbox {state}      "on", or "off <why>"
 *       array {text}         an array the test handed the learner's code:
 *                            "START BYTES ELEMENT_SIZE ROWS COLS NAME" (gc_name_array)
 *       signal {signal}      a fatal signal arrived ("SIGSEGV")
 *       forbidden {what, syscall}   the sandbox stopped a call ("file-write")
 *       pc {offset, module}  where the process was when it stopped, one line per frame
 *                            (the grader turns these into file:line with addr2line)
 *       end                  the test body returned (Criterion's .fini)
 *
 *   - Criterion's runner, the parent process that never calls the learner's
 *     code, through the report hooks at the end of this file:
 *       run {pid}            the run starts (no "test")
 *       crash {signal}       the test's process died of a signal in its body
 *       finish {status, signal, exit, elapsed, timed_out}   how the test ended
 *     and when every test has ended, for each test Criterion ran:
 *       assert {file, line, message}, assert-more {message}   a failed assertion
 *       result {status, crashed, timed_out}                   Criterion's verdict
 *
 * ---- why the runner's lines cannot be forged --------------------------------------
 * The learner's code runs in the test's process and can write anything to that
 * process's descriptor of the log. So every runner line ends with
 * "mac":"<16 hex digits>", the SipHash-2-4 of the line's bytes before ',"mac"'
 * under a 128-bit key that the runner draws from getrandom() when the run
 * starts, before any test process exists. The grader drops a line whose MAC is
 * wrong, and takes a line without one as a test-side event only. The key is
 * never in the log, a file, the environment or an argument: the runner sends
 * it once down the socket the grader passed as descriptor WB_EVENTS_KEY_FD,
 * closes that socket, and keeps the key in its memory. A test process cannot
 * get it:
 *   - Criterion starts each test as a new program (fork and exec): nothing of
 *     the runner's memory is inherited, and the socket is closed by then;
 *   - the runner makes itself non-dumpable and the test's thread gives up
 *     CAP_SYS_PTRACE before the sandbox starts, so the kernel refuses
 *     /proc/<runner>/mem and process_vm_readv, to root as well; the sandbox
 *     forbids ptrace, process_vm_readv and pidfd_getfd;
 *   - until the grader reads it after the run, the key waits in the grader's
 *     socket: a socket cannot be opened through /proc/<pid>/fd, and taking a
 *     descriptor from another process needs pidfd_getfd.
 * Lines the test's process writes are as trustworthy as the learner's code,
 * which could write them itself: they explain a failure (signal, forbidden
 * call, array names, where) and confirm an end, never pass a test alone. The
 * grader passes a test only when the runner says it passed and ran to its end
 * (status 0, exit 0, no signal, a measured time, no timeout: a process that
 * ends early, exit(0) in the learner's code, gets no measured time) AND the
 * test's own "end" line is there.
 *
 * ---- the test's process --------------------------------------------------------
 * For each test, gc_test_start() (Criterion's .init, in the test's process):
 *   1. opens the log and writes "start";
 *   2. sends stdout and stderr to <folder of the log>/<suite>.<test>.out, so
 *      whatever the learner's code (or a sanitizer) prints is kept per test and
 *      never mixed into the grader's own output;
 *   3. records fatal signals ("signal") before the sanitizer or the default
 *      action handles them;
 *   4. on Linux, installs a seccomp filter (libseccomp) for the test's thread:
 *      from here on it may not start processes or threads, run programs,
 *      create or change files, signal other processes, close or replace the
 *      files it was given, map 1 GB or more at once, open sockets, read other
 *      processes' memory or change its limits. A forbidden call raises SIGSYS;
 *      the handler writes "forbidden <what>" and the stack and ends the test.
 * gc_test_end() (Criterion's .fini, run only when the body returned) writes
 * "end".
 *
 * Without WB_EVENTS (a test binary run by hand) only the signal hooks are
 * installed and nothing is written.
 */
#define _GNU_SOURCE
#include "gradcheck.h"

#include <criterion/hooks.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#if defined(__linux__)
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/syscall.h>
#endif

#if defined(__linux__) && defined(__GLIBC__)
#define GC_STACK 1 /* "pc" lines: backtrace() and dladdr() */
#include <dlfcn.h>
#include <execinfo.h>
#endif

#if defined(__linux__) && (defined(__x86_64__) || defined(__aarch64__))
#if __has_include(<seccomp.h>)
#define GC_SANDBOX 1
#include <linux/capability.h>
#include <seccomp.h>
#include <ucontext.h>
#else
#define GC_SANDBOX_MISSING "libseccomp is not installed: make deps installs it"
#endif
#endif

/* ---- lines of the log ------------------------------------------------------------
 * Built in a caller's buffer with no allocation and no stdio, so that signal
 * handlers can write them too. */

#define LINE_MAX_BYTES 4000 /* a whole line, under PIPE_BUF */
#define LINE_RESERVE 40     /* kept free for the closing brace and the MAC */

typedef struct {
    char *buf;
    size_t n, cap;
} Line;

static void put(Line *l, const char *s)
{
    while (*s && l->n + LINE_RESERVE < l->cap)
        l->buf[l->n++] = *s++;
}

/* v in hexadecimal, at least `width` digits */
static void put_hex(Line *l, unsigned long long v, int width)
{
    char text[17];
    int k = 16;
    text[16] = 0;
    do {
        text[--k] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while ((v || 16 - k < width) && k > 0);
    put(l, text + k);
}

static void put_int(Line *l, long long v)
{
    char text[24];
    int k = sizeof text - 1;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    text[k] = 0;
    do {
        text[--k] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        text[--k] = '-';
    put(l, text + k);
}

/* A JSON string: as much of s (len bytes) as fits, never cutting a UTF-8
 * character or an escape in two. Returns the number of bytes of s written. */
static size_t put_string(Line *l, const char *s, size_t len)
{
    put(l, "\"");
    size_t i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        size_t char_len = 1;
        if (c >= 0xc0)
            while (i + char_len < len && char_len < 4 && ((unsigned char)s[i + char_len] & 0xc0) == 0x80)
                char_len++;
        size_t need = (c < 0x20 || c == 0x7f) ? 6 : (c == '"' || c == '\\') ? 2 : char_len;
        if (l->n + need + 1 + LINE_RESERVE > l->cap)
            break;
        if (c < 0x20 || c == 0x7f) {
            memcpy(l->buf + l->n, "\\u00", 4);
            l->buf[l->n + 4] = "0123456789abcdef"[c >> 4];
            l->buf[l->n + 5] = "0123456789abcdef"[c & 15];
        } else if (c == '"' || c == '\\') {
            l->buf[l->n] = '\\';
            l->buf[l->n + 1] = (char)c;
        } else {
            memcpy(l->buf + l->n, s + i, char_len);
        }
        l->n += need;
        i += char_len;
    }
    l->buf[l->n++] = '"'; /* room kept by LINE_RESERVE */
    return i;
}

/* The end of a line, written into the LINE_RESERVE bytes that put() keeps free. */
static void put_closing(Line *l, const char *s)
{
    while (*s && l->n < l->cap)
        l->buf[l->n++] = *s++;
}

static void put_field(Line *l, const char *name)
{
    put(l, ",\"");
    put(l, name);
    put(l, "\":");
}

/* "\n{"test":"<test>","event":"<event>"" (no "test" when test is NULL) */
static void line_start(Line *l, char *buf, size_t cap, const char *test, const char *event)
{
    l->buf = buf;
    l->cap = cap;
    l->n = 0;
    put(l, "\n{");
    if (test) {
        put(l, "\"test\":");
        put_string(l, test, strlen(test));
        put(l, ",");
    }
    put(l, "\"event\":");
    put_string(l, event, strlen(event));
}

static void write_all(int fd, const char *buf, size_t n)
{
    while (n > 0) {
        ssize_t k = write(fd, buf, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return;
        buf += k;
        n -= (size_t)k;
    }
}

/* ---- the test's side ------------------------------------------------------------- */

static int log_fd = -1;
static char test_id[256]; /* "<suite>.<test>" */
static volatile sig_atomic_t in_sanitizer_report;

/* AddressSanitizer calls this when it starts a report. */
void __asan_on_error(void)
{
    in_sanitizer_report = 1;
}

static void test_line_start(Line *l, char *buf, size_t cap, const char *event)
{
    line_start(l, buf, cap, test_id, event);
}

static void test_line_write(Line *l)
{
    put_closing(l, "}\n");
    if (log_fd >= 0)
        write_all(log_fd, l->buf, l->n);
}

/* A line of gradcheck.c ("array START BYTES ELEMENT_SIZE ROWS COLS NAME\n"):
 * the event is its first word, the rest its "text". */
void gc_event_line(const char *text)
{
    if (log_fd < 0)
        return;
    size_t word = strcspn(text, " \n");
    char event[32];
    snprintf(event, sizeof event, "%.*s", (int)word, text);
    const char *rest = text + word + (text[word] == ' ');
    char buf[1024];
    Line l;
    test_line_start(&l, buf, sizeof buf, event);
    put_field(&l, "text");
    put_string(&l, rest, strcspn(rest, "\n"));
    test_line_write(&l);
}

/* ---- where the learner's code was --------------------------------------------
 * The return addresses on the stack, as "pc" events: the grader turns them into
 * file:line with addr2line, outside this process (no symbolizer runs in a
 * dying test). */

static void log_stack(void)
{
#ifdef GC_STACK
    void *pcs[32];
    int n = backtrace(pcs, 32);
    for (int i = 0; i < n; i++) {
        Dl_info info;
        char *pc = (char *)pcs[i] - 1; /* inside the call, not after it */
        if (!dladdr(pc, &info) || !info.dli_fname)
            continue;
        char buf[1024];
        Line l;
        test_line_start(&l, buf, sizeof buf, "pc");
        put_field(&l, "offset");
        put(&l, "\"");
        put_hex(&l, (unsigned long long)(pc - (char *)info.dli_fbase), 1);
        put(&l, "\"");
        put_field(&l, "module");
        put_string(&l, info.dli_fname, strlen(info.dli_fname));
        test_line_write(&l);
    }
#endif
}

/* ---- fatal signals ----------------------------------------------------------- */

static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGXFSZ, SIGXCPU, SIGTRAP};
static struct sigaction previous[sizeof fatal_signals / sizeof fatal_signals[0]];

static const char *signal_name(int sig)
{
    switch (sig) {
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGILL: return "SIGILL";
    case SIGABRT: return "SIGABRT";
    case SIGXFSZ: return "SIGXFSZ";
    case SIGXCPU: return "SIGXCPU";
    case SIGTRAP: return "SIGTRAP";
    case SIGSYS: return "SIGSYS";
    default: return "other";
    }
}

static void on_fatal_signal(int sig, siginfo_t *info, void *context)
{
    static volatile sig_atomic_t recorded;
    if (!recorded) {
        recorded = 1;
        char buf[512];
        Line l;
        test_line_start(&l, buf, sizeof buf, "signal");
        put_field(&l, "signal");
        put_string(&l, signal_name(sig), strlen(signal_name(sig)));
        test_line_write(&l);
    }
    /* Hand the signal on: to the sanitizer's handler when there is one (it
     * prints where the fault happened), else to the default action. */
    for (size_t i = 0; i < sizeof fatal_signals / sizeof fatal_signals[0]; i++) {
        if (fatal_signals[i] != sig)
            continue;
        struct sigaction *old = &previous[i];
        if ((old->sa_flags & SA_SIGINFO) && old->sa_sigaction) {
            old->sa_sigaction(sig, info, context);
            return;
        }
        if (!(old->sa_flags & SA_SIGINFO) && old->sa_handler != SIG_DFL && old->sa_handler != SIG_IGN) {
            old->sa_handler(sig);
            return;
        }
    }
    log_stack();
    signal(sig, SIG_DFL);
    raise(sig); /* delivered when this handler returns */
}

static void install_signal_hooks(void)
{
    for (size_t i = 0; i < sizeof fatal_signals / sizeof fatal_signals[0]; i++) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = on_fatal_signal;
        sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
        sigemptyset(&sa.sa_mask);
        sigaction(fatal_signals[i], &sa, &previous[i]);
    }
}

/* ---- the sandbox (Linux, libseccomp) ------------------------------------------- */

#ifdef GC_SANDBOX

/* What a forbidden call tried to do: the word the grader turns into a message. */
enum { F_PROCESS = 1, F_EXEC, F_FILE_WRITE, F_FILE_CHANGE, F_SIGNAL, F_GRADER_FD, F_MEMORY, F_NETWORK, F_SYSTEM };
static const char *const forbidden_word[] = {
    [F_PROCESS] = "process",     [F_EXEC] = "exec",       [F_FILE_WRITE] = "file-write",
    [F_FILE_CHANGE] = "file-change", [F_SIGNAL] = "signal", [F_GRADER_FD] = "grader-fd",
    [F_MEMORY] = "memory",       [F_NETWORK] = "network", [F_SYSTEM] = "system",
};

/* Calls that are always forbidden, and why. A name this architecture (or this
 * libseccomp) does not know is skipped. */
static const struct {
    const char *name;
    unsigned char why;
} always_denied[] = {
    /* processes, threads, programs */
    {"fork", F_PROCESS}, {"vfork", F_PROCESS}, {"clone", F_PROCESS}, {"clone3", F_PROCESS},
    {"execve", F_EXEC}, {"execveat", F_EXEC},
    /* files: reading is fine, creating or writing is not (open and openat: below) */
    {"openat2", F_FILE_WRITE}, {"creat", F_FILE_WRITE},
    {"unlink", F_FILE_CHANGE}, {"rename", F_FILE_CHANGE}, {"mkdir", F_FILE_CHANGE}, {"rmdir", F_FILE_CHANGE},
    {"link", F_FILE_CHANGE}, {"symlink", F_FILE_CHANGE}, {"chmod", F_FILE_CHANGE}, {"chown", F_FILE_CHANGE},
    {"lchown", F_FILE_CHANGE}, {"mknod", F_FILE_CHANGE}, {"utimes", F_FILE_CHANGE},
    {"renameat", F_FILE_CHANGE}, {"unlinkat", F_FILE_CHANGE}, {"renameat2", F_FILE_CHANGE},
    {"mkdirat", F_FILE_CHANGE}, {"linkat", F_FILE_CHANGE}, {"symlinkat", F_FILE_CHANGE},
    {"fchmodat", F_FILE_CHANGE}, {"fchownat", F_FILE_CHANGE}, {"mknodat", F_FILE_CHANGE},
    {"truncate", F_FILE_CHANGE}, {"ftruncate", F_FILE_CHANGE}, {"fallocate", F_FILE_CHANGE},
    {"fchmod", F_FILE_CHANGE}, {"fchown", F_FILE_CHANGE}, {"utimensat", F_FILE_CHANGE},
    /* the grader's files (close, dup2, dup3: below) */
    {"close_range", F_GRADER_FD},
    /* network */
    {"socket", F_NETWORK}, {"socketpair", F_NETWORK},
    /* the system, the grader's limits, other processes' memory and files */
    {"ptrace", F_SYSTEM}, {"process_vm_writev", F_SYSTEM}, {"process_vm_readv", F_SYSTEM},
    {"pidfd_getfd", F_SYSTEM}, {"setrlimit", F_SYSTEM}, {"setsid", F_SYSTEM}, {"setpgid", F_SYSTEM},
    {"unshare", F_SYSTEM}, {"setns", F_SYSTEM}, {"mount", F_SYSTEM}, {"umount2", F_SYSTEM},
    {"pivot_root", F_SYSTEM}, {"chroot", F_SYSTEM}, {"reboot", F_SYSTEM}, {"swapon", F_SYSTEM},
    {"swapoff", F_SYSTEM}, {"sethostname", F_SYSTEM}, {"setdomainname", F_SYSTEM},
    {"settimeofday", F_SYSTEM}, {"clock_settime", F_SYSTEM}, {"init_module", F_SYSTEM},
    {"finit_module", F_SYSTEM}, {"delete_module", F_SYSTEM}, {"kexec_load", F_SYSTEM}, {"bpf", F_SYSTEM},
    {"perf_event_open", F_SYSTEM}, {"io_uring_setup", F_SYSTEM}, {"setuid", F_SYSTEM},
    {"setgid", F_SYSTEM}, {"setreuid", F_SYSTEM}, {"setregid", F_SYSTEM}, {"setresuid", F_SYSTEM},
    {"setresgid", F_SYSTEM}, {"setgroups", F_SYSTEM}, {"personality", F_SYSTEM},
};

#define WRITE_FLAGS (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND)
#define MAP_LIMIT (1u << 30) /* 1 GiB in one mmap */

/* Each denied call has one reason, whatever its condition: the SIGSYS handler
 * looks the call's number up here. */
static struct {
    int nr;
    unsigned char why;
} reasons[160];
static size_t nreasons;
static uint32_t native_arch;

static const char *reason_of(const siginfo_t *info)
{
    if (info->si_arch == native_arch)
        for (size_t i = 0; i < nreasons; i++)
            if (reasons[i].nr == info->si_syscall)
                return forbidden_word[reasons[i].why];
    return forbidden_word[F_SYSTEM]; /* another ABI (x32, int 0x80): trapped as a whole */
}

/* Trap `name` when all n conditions hold (always when n is 0). */
static int deny(scmp_filter_ctx ctx, const char *name, int why, unsigned n, const struct scmp_arg_cmp *cmp)
{
    int nr = seccomp_syscall_resolve_name(name);
    if (nr < 0)
        return 0; /* not a call of this architecture */
    size_t i = 0;
    while (i < nreasons && reasons[i].nr != nr)
        i++;
    if (i == nreasons && nreasons < sizeof reasons / sizeof reasons[0])
        reasons[nreasons++].nr = nr;
    reasons[i].why = (unsigned char)why;
    return seccomp_rule_add_array(ctx, SCMP_ACT_TRAP, nr, n, cmp);
}

/* Trap `name` when argument `arg` compares true: (arg OP a), or for
 * SCMP_CMP_MASKED_EQ ((arg & a) == b); the whole 64-bit register is compared. */
static int deny_if(scmp_filter_ctx ctx, const char *name, int why, unsigned arg, enum scmp_compare op,
                   scmp_datum_t a, scmp_datum_t b)
{
    struct scmp_arg_cmp cmp = {.arg = arg, .op = op, .datum_a = a, .datum_b = b};
    return deny(ctx, name, why, 1, &cmp);
}

static int add_rules(scmp_filter_ctx ctx)
{
    int rc = 0;
    for (size_t i = 0; i < sizeof always_denied / sizeof always_denied[0] && !rc; i++)
        rc = deny(ctx, always_denied[i].name, always_denied[i].why, 0, NULL);
    /* open, openat: trapped when the flags ask for writing, creating, truncating.
     * (int arguments: only their low 32 bits count, so every mask is 32 bits) */
    for (unsigned bit = 1; bit && !rc; bit <<= 1) {
        if (!(WRITE_FLAGS & bit))
            continue;
        rc = deny_if(ctx, "open", F_FILE_WRITE, 1, SCMP_CMP_MASKED_EQ, bit, bit);
        if (!rc)
            rc = deny_if(ctx, "openat", F_FILE_WRITE, 2, SCMP_CMP_MASKED_EQ, bit, bit);
    }
    /* signals: only to itself (the whole 64-bit argument must be its pid) */
    if (!rc)
        rc = deny_if(ctx, "kill", F_SIGNAL, 0, SCMP_CMP_NE, (scmp_datum_t)getpid(), 0);
    if (!rc)
        rc = deny_if(ctx, "tgkill", F_SIGNAL, 0, SCMP_CMP_NE, (scmp_datum_t)getpid(), 0);
    if (!rc)
        rc = deny_if(ctx, "tkill", F_SIGNAL, 0, SCMP_CMP_NE, (scmp_datum_t)syscall(SYS_gettid), 0);
    /* the files the grader gave this process: the learner's code may not close
     * or replace them. (Criterion's own connection is left alone: Criterion
     * closes it itself when the test ends.) The kernel reads a descriptor
     * from the low 32 bits of its register: only those are compared. */
    int fds[3] = {STDOUT_FILENO, STDERR_FILENO, log_fd};
    for (int i = 0; i < 3 && !rc; i++) {
        if (fds[i] < 0)
            continue;
        rc = deny_if(ctx, "close", F_GRADER_FD, 0, SCMP_CMP_MASKED_EQ, 0xffffffffu, (scmp_datum_t)fds[i]);
        if (!rc)
            rc = deny_if(ctx, "dup2", F_GRADER_FD, 1, SCMP_CMP_MASKED_EQ, 0xffffffffu, (scmp_datum_t)fds[i]);
        if (!rc)
            rc = deny_if(ctx, "dup3", F_GRADER_FD, 1, SCMP_CMP_MASKED_EQ, 0xffffffffu, (scmp_datum_t)fds[i]);
    }
    /* memory in one go */
    if (!rc)
        rc = deny_if(ctx, "mmap", F_MEMORY, 1, SCMP_CMP_GE, MAP_LIMIT, 0);
    if (!rc)
        rc = deny_if(ctx, "mremap", F_MEMORY, 2, SCMP_CMP_GE, MAP_LIMIT, 0);
    /* setting a limit (reading one is fine) */
    if (!rc)
        rc = deny_if(ctx, "prlimit64", F_SYSTEM, 2, SCMP_CMP_NE, 0, 0);
    return rc;
}

static void on_forbidden(int sig, siginfo_t *info, void *context)
{
    if (in_sanitizer_report) {
        /* A sanitizer reporting an error may try to start a symbolizer:
         * let that call fail with EPERM instead of ending the report. */
        ucontext_t *uc = context;
#if defined(__x86_64__)
        uc->uc_mcontext.gregs[REG_RAX] = -EPERM;
#else
        uc->uc_mcontext.regs[0] = (unsigned long long)-EPERM;
#endif
        return;
    }
    char buf[512];
    Line l;
    test_line_start(&l, buf, sizeof buf, "forbidden");
    put_field(&l, "what");
    put_string(&l, reason_of(info), strlen(reason_of(info)));
    put_field(&l, "syscall");
    put_int(&l, info->si_syscall);
    test_line_write(&l);
    log_stack();
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Without CAP_SYS_PTRACE the kernel refuses this thread the memory of the
 * non-dumpable runner (and its key), even when the tests run as root. */
static int drop_ptrace_capability(void)
{
    struct __user_cap_header_struct head = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct caps[_LINUX_CAPABILITY_U32S_3];
    if (syscall(SYS_capget, &head, caps) != 0)
        return errno;
    unsigned word = CAP_SYS_PTRACE / 32, bit = 1u << (CAP_SYS_PTRACE % 32);
    if (!((caps[word].effective | caps[word].permitted | caps[word].inheritable) & bit))
        return 0;
    caps[word].effective &= ~bit;
    caps[word].permitted &= ~bit;
    caps[word].inheritable &= ~bit;
    return syscall(SYS_capset, &head, caps) == 0 ? 0 : errno;
}

static int install_sandbox(void)
{
    int err = drop_ptrace_capability();
    if (err)
        return err;
    native_arch = seccomp_arch_native();
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (!ctx)
        return ENOMEM;
    /* For this thread (the one that runs the test) and whatever it starts,
     * not for Criterion's helper threads, which close their sockets when the
     * test ends: no TSYNC. The learner's code runs only in this thread. Calls
     * through another ABI (x32, int 0x80) are trapped as a whole.
     * libseccomp sets no_new_privs itself. */
    int rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 0);
    if (!rc)
        rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_TRAP);
    if (!rc)
        rc = seccomp_attr_set(ctx, SCMP_FLTATR_API_SYSRAWRC, 1); /* the kernel's errno, for "sandbox off" */
    if (!rc)
        rc = add_rules(ctx);
    if (!rc)
        rc = seccomp_load(ctx);
    seccomp_release(ctx);
    return rc < 0 ? -rc : rc;
}
#endif /* GC_SANDBOX */

/* ---- the hooks ------------------------------------------------------------------- */

static void capture_output(const char *events)
{
    const char *slash = strrchr(events, '/');
    int dirlen = slash ? (int)(slash - events) : 1;
    char path[4096];
    snprintf(path, sizeof path, "%.*s/%s.%s.out", dirlen, slash ? events : ".",
             criterion_current_test->category, criterion_current_test->name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return;
    fflush(stdout);
    fflush(stderr);
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    close(fd);
    setvbuf(stdout, NULL, _IOLBF, 0); /* a crash loses at most a partial line */
}

void gc_test_start(void)
{
    const char *events = getenv("WB_EVENTS");
    int graded = events && *events && criterion_current_test;
    if (graded) {
        snprintf(test_id, sizeof test_id, "%s.%s", criterion_current_test->category,
                 criterion_current_test->name);
        log_fd = open(events, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        char buf[512];
        Line l;
        test_line_start(&l, buf, sizeof buf, "start");
        put_field(&l, "pid");
        put_int(&l, (long long)getpid());
        test_line_write(&l);
        capture_output(events);
    }
    install_signal_hooks();
#ifdef __linux__
    if (graded) {
        /* If the runner dies (the grader was interrupted or killed), so does this test. */
        pid_t runner = getppid();
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != runner)
            _exit(1);
    }
#endif
#if defined(GC_SANDBOX) || defined(GC_SANDBOX_MISSING)
    if (graded) {
        const char *state = "on";
        char why[160];
#ifdef GC_SANDBOX
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = on_forbidden;
        sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGSYS, &sa, NULL);
        void *warm[2];
        backtrace(warm, 2); /* loads the unwinder now, while files may still be opened */
        int err = install_sandbox();
        if (err) {
            snprintf(why, sizeof why, "off %s", strerror(err));
            state = why;
        }
#else
        snprintf(why, sizeof why, "off %s", GC_SANDBOX_MISSING);
        state = why;
#endif
        char buf[512];
        Line l;
        test_line_start(&l, buf, sizeof buf, "sandbox");
        put_field(&l, "state");
        put_string(&l, state, strlen(state));
        test_line_write(&l);
    }
#endif
}

void gc_test_end(void)
{
    char buf[512];
    Line l;
    test_line_start(&l, buf, sizeof buf, "end");
    test_line_write(&l);
}

/* ---- the runner's side ---------------------------------------------------------
 * These report hooks run in Criterion's runner, the parent process that never
 * calls the learner's code. Their lines carry a MAC (see the top of the file). */

static int runner_fd = -1;
static uint64_t runner_key[2];

#define SIPROUND                                                                      \
    do {                                                                              \
        v0 += v1; v1 = (v1 << 13) | (v1 >> 51); v1 ^= v0; v0 = (v0 << 32) | (v0 >> 32); \
        v2 += v3; v3 = (v3 << 16) | (v3 >> 48); v3 ^= v2;                             \
        v0 += v3; v3 = (v3 << 21) | (v3 >> 43); v3 ^= v0;                             \
        v2 += v1; v1 = (v1 << 17) | (v1 >> 47); v1 ^= v2; v2 = (v2 << 32) | (v2 >> 32); \
    } while (0)

/* SipHash-2-4 (Aumasson and Bernstein, 2012): a MAC for short messages. */
static uint64_t siphash24(const uint64_t key[2], const unsigned char *m, size_t len)
{
    uint64_t v0 = 0x736f6d6570736575ULL ^ key[0], v1 = 0x646f72616e646f6dULL ^ key[1];
    uint64_t v2 = 0x6c7967656e657261ULL ^ key[0], v3 = 0x7465646279746573ULL ^ key[1];
    size_t whole = len - len % 8;
    for (size_t i = 0; i < whole; i += 8) {
        uint64_t w = 0;
        for (int j = 7; j >= 0; j--)
            w = (w << 8) | m[i + (size_t)j];
        v3 ^= w;
        SIPROUND;
        SIPROUND;
        v0 ^= w;
    }
    uint64_t last = (uint64_t)len << 56;
    for (size_t j = 0; j < len % 8; j++)
        last |= (uint64_t)m[whole + j] << (8 * j);
    v3 ^= last;
    SIPROUND;
    SIPROUND;
    v0 ^= last;
    v2 ^= 0xff;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

static int random_bytes(unsigned char *out, size_t n)
{
    size_t got = 0;
#ifdef __linux__
    while (got < n) {
        ssize_t k = getrandom(out + got, n - got, 0);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        got += (size_t)k;
    }
#endif
    if (got < n) {
        int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
        while (fd >= 0 && got < n) {
            ssize_t k = read(fd, out + got, n - got);
            if (k <= 0)
                break;
            got += (size_t)k;
        }
        if (fd >= 0)
            close(fd);
    }
    return got == n;
}

/* Ends a runner line with its MAC and appends it to the log. */
static void runner_line_write(Line *l)
{
    uint64_t mac = siphash24(runner_key, (const unsigned char *)l->buf + 1, l->n - 1); /* after the "\n" */
    char text[17];
    for (int k = 15; k >= 0; k--, mac >>= 4)
        text[k] = "0123456789abcdef"[mac & 15];
    text[16] = 0;
    put_closing(l, ",\"mac\":\"");
    put_closing(l, text);
    put_closing(l, "\"}\n");
    write_all(runner_fd, l->buf, l->n);
}

static void runner_test_id(char *out, size_t size, const struct criterion_test *test)
{
    snprintf(out, size, "%s.%s", test->category, test->name);
}

/* A runner line about `test`, started in buf (no "test" when NULL). */
static void runner_line_start(Line *l, char *buf, size_t cap, const struct criterion_test *test, const char *event)
{
    char id[256];
    if (test)
        runner_test_id(id, sizeof id, test);
    line_start(l, buf, cap, test ? id : NULL, event);
}

ReportHook(PRE_ALL)(struct criterion_test_set *set)
{
    (void)set;
    const char *events = getenv("WB_EVENTS");
    if (!events || !*events)
        return;
#ifdef __linux__
    prctl(PR_SET_DUMPABLE, 0); /* before the key exists: no one may read this process's memory */
#endif
    unsigned char key[16];
    if (!random_bytes(key, sizeof key))
        return; /* no key, no runner lines: the grader says the run ended without a report */
    runner_key[0] = runner_key[1] = 0;
    for (int j = 7; j >= 0; j--) {
        runner_key[0] = (runner_key[0] << 8) | key[j];
        runner_key[1] = (runner_key[1] << 8) | key[8 + j];
    }
    const char *key_fd = getenv("WB_EVENTS_KEY_FD");
    if (key_fd && *key_fd) {
        char *end;
        long fd = strtol(key_fd, &end, 10);
        if (!*end && fd > STDERR_FILENO && fd < 1024) {
            char hex[33];
            for (int j = 0; j < 16; j++) {
                hex[2 * j] = "0123456789abcdef"[key[j] >> 4];
                hex[2 * j + 1] = "0123456789abcdef"[key[j] & 15];
            }
            hex[32] = '\n';
            write_all((int)fd, hex, sizeof hex);
            close((int)fd);
        }
        unsetenv("WB_EVENTS_KEY_FD");
    }
    memset(key, 0, sizeof key);
    runner_fd = open(events, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (runner_fd < 0)
        return;
    char buf[512];
    Line l;
    runner_line_start(&l, buf, sizeof buf, NULL, "run");
    put_field(&l, "pid");
    put_int(&l, (long long)getpid());
    runner_line_write(&l);
}

ReportHook(TEST_CRASH)(struct criterion_test_stats *stats)
{
    if (runner_fd < 0)
        return;
    char buf[1024];
    Line l;
    runner_line_start(&l, buf, sizeof buf, stats->test, "crash");
    put_field(&l, "signal");
    put_int(&l, stats->signal);
    runner_line_write(&l);
}

ReportHook(POST_FINI)(struct criterion_test_stats *stats)
{
    if (runner_fd < 0)
        return;
    char buf[1024];
    Line l;
    runner_line_start(&l, buf, sizeof buf, stats->test, "finish");
    put_field(&l, "status");
    put_int(&l, (long long)stats->test_status);
    put_field(&l, "signal");
    put_int(&l, stats->signal);
    put_field(&l, "exit");
    put_int(&l, stats->exit_code);
    char elapsed[32];
    snprintf(elapsed, sizeof elapsed, "%.9g", isfinite(stats->elapsed_time) ? (double)stats->elapsed_time : 0.0);
    put_field(&l, "elapsed");
    put(&l, elapsed);
    put_field(&l, "timed_out");
    put(&l, stats->timed_out ? "true" : "false");
    runner_line_write(&l);
}

/* When every test has ended: what Criterion's report said of each, its failed
 * assertions (in the order Criterion keeps them) and its verdict. */
ReportHook(POST_ALL)(struct criterion_global_stats *stats)
{
    if (runner_fd < 0)
        return;
    char buf[LINE_MAX_BYTES];
    Line l;
    for (struct criterion_suite_stats *ss = stats->suites; ss; ss = ss->next) {
        for (struct criterion_test_stats *ts = ss->tests; ts; ts = ts->next) {
            for (struct criterion_assert_stats *a = ts->asserts; a; a = a->next) {
                if (a->passed)
                    continue;
                const char *msg = a->message ? a->message : "";
                size_t left = strlen(msg);
                runner_line_start(&l, buf, sizeof buf, ts->test, "assert");
                put_field(&l, "file");
                const char *file = a->file ? a->file : "unknown";
                put_string(&l, file, strnlen(file, 1024));
                put_field(&l, "line");
                put_int(&l, a->line);
                put_field(&l, "message");
                size_t done = put_string(&l, msg, left);
                runner_line_write(&l);
                while (done < left) {
                    runner_line_start(&l, buf, sizeof buf, ts->test, "assert-more");
                    put_field(&l, "message");
                    size_t k = put_string(&l, msg + done, left - done);
                    runner_line_write(&l);
                    if (k == 0)
                        break;
                    done += k;
                }
            }
            runner_line_start(&l, buf, sizeof buf, ts->test, "result");
            put_field(&l, "status");
            put_int(&l, (long long)ts->test_status);
            put_field(&l, "crashed");
            put(&l, ts->crashed ? "true" : "false");
            put_field(&l, "timed_out");
            put(&l, ts->timed_out ? "true" : "false");
            runner_line_write(&l);
        }
    }
}
