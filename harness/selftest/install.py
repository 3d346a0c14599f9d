"""selftest.install: harness/deps.sh, the first thing `make book` and `make check` run,
tested without a fresh machine. Part of `make test`; also runs on its own:

  PYTHONPATH=harness python3 -m selftest --only deps.sh

deps.sh runs with stand-ins for dpkg-query, apt-get, id and sudo first on its
PATH (harness/selftest/fake-bin/; the stand-in apt-get writes each call's
arguments to a log, installs nothing and touches no network), and next to them
only the few real tools it needs (bash, awk, grep, ...), so neither the real
apt-get nor a real sudo can be reached. Each scenario checks what apt-get was
asked to do, what deps.sh printed and its exit status:

  - dpkg knows none of the packages (a fresh machine): all are installed;
  - dpkg knows some: only the rest are installed (also those dpkg lists but
    are not "installed", e.g. removed with their configuration kept);
  - apt-get update or apt-get install fails: one line saying which step failed
    and the command to run by hand, non-zero exit;
  - dpkg-query itself breaks, or a step fails that has no message of its
    own (the ERR trap's line names the step): the same;
  - not root, without sudo or with a sudo that wants a password: one line with
    the command to run, non-zero exit, apt-get never called;
  - not root with passwordless sudo: apt-get runs through sudo;
  - everything installed: silent, exit 0, apt-get never called.

Then each detector is shown to work: copies of deps.sh with a known bug put
back (first of all the old `installed=" $(dpkg-query ...)"` line, which ended
the script without a word when dpkg did not know a package) must make the
scenarios that guard against that bug fail.

selftest/__main__.py calls checks() and adds them to its list.
"""
import os
import re
import shutil
import stat
import subprocess
import tempfile
from selftest import Failure

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DEPS = os.path.join(ROOT, "harness", "deps.sh")
FAKE_BIN = os.path.join(HERE, "fake-bin")
STAND_INS = ("dpkg-query", "apt-get", "id", "sudo")
# the real tools deps.sh and the stand-ins use; nothing else is on their PATH
TOOLS = ("bash", "sh", "env", "true", "awk", "grep", "head", "tail", "mktemp", "rm")
SET = "book"  # the set `make book` asks for



def package_sets(path=DEPS):
    """The package lists as deps.sh declares them: {"grade": [...], "book": [...], ...}."""
    text = open(path, encoding="utf-8").read()
    arrays = {m.group(1): m.group(2).split() for m in re.finditer(r"^(\w+)=\(([^)]*)\)", text, re.M)}
    for name in ("grade", "book", "data", "test"):
        if not arrays.get(name):
            raise Failure("harness/deps.sh: no package list %s=(...) found" % name)
    return {"grade": arrays["grade"], "book": arrays["grade"] + arrays["book"] + arrays["data"],
            "all": arrays["grade"] + arrays["book"] + arrays["data"] + arrays.get("bench", []) + arrays["test"]}


class Run:
    def __init__(self, status, out, err, calls):
        self.status, self.out, self.err, self.calls = status, out, err, calls

    def installs(self):
        """The packages of each `apt-get install` call."""
        found = []
        for uid, args in self.calls:
            if "install" in args:
                found.append([a for a in args[args.index("install") + 1:] if not a.startswith("-")])
        return found

    def err_lines(self):
        return [l for l in self.err.splitlines() if l.strip()]

    def show(self):
        return ("exit status %s\n--- stdout:\n%s--- stderr:\n%s--- apt-get calls:\n%s"
                % (self.status, self.out, self.err,
                   "".join("  uid=%s apt-get %s\n" % (u, " ".join(a)) for u, a in self.calls) or "  (none)\n"))


def run_deps(script, known=None, uid=0, sudo=None, apt_fail=None, dpkg_exit=None, which=SET, tmpdir=None):
    """Run deps.sh (the file `script`) with the stand-ins. known: {package: dpkg
    status}; sudo: None (no sudo at all), "ok" (passwordless) or "password"."""
    work = tempfile.mkdtemp(prefix="wbsetup")
    try:
        bin_dir, tools = os.path.join(work, "bin"), os.path.join(work, "tools")
        os.mkdir(bin_dir)
        os.mkdir(tools)
        for name in STAND_INS:
            if name == "sudo" and sudo is None:
                continue
            shutil.copy(os.path.join(FAKE_BIN, name), os.path.join(bin_dir, name))
            os.chmod(os.path.join(bin_dir, name), 0o755)  # whatever mode the checkout gave it
        for name in TOOLS:
            real = shutil.which(name)
            if real is None:
                raise Failure("%s is needed to test deps.sh and is not installed" % name)
            os.symlink(real, os.path.join(tools, name))
        status_file, log = os.path.join(work, "dpkg-status"), os.path.join(work, "apt-get.log")
        with open(status_file, "w") as f:
            f.writelines("%s %s\n" % (st, p) for p, st in (known or {}).items())
        open(log, "w").close()
        copy = os.path.join(work, "deps.sh")
        shutil.copy(script, copy)
        os.chmod(copy, 0o755)
        env = {"PATH": bin_dir + ":" + tools, "FAKE_LOG": log, "FAKE_DPKG_STATUS": status_file,
               "FAKE_UID": str(uid), "FAKE_SUDO": sudo or "", "FAKE_APT_FAIL": apt_fail or "",
               "TMPDIR": tmpdir or work, "LANG": "C", "LC_ALL": "C", "HOME": work}
        if dpkg_exit is not None:
            env["FAKE_DPKG_EXIT"] = str(dpkg_exit)
        try:
            r = subprocess.run([copy, which], cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               stdin=subprocess.DEVNULL, text=True, errors="replace", timeout=20)
        except subprocess.TimeoutExpired:
            raise Failure("deps.sh did not return within 20 s")
        calls = []
        for line in open(log):
            m = re.match(r"^apt-get uid=(\S+) ?(.*)$", line.rstrip("\n"))
            if m:
                calls.append((m.group(1), m.group(2).split()))
        left = [n for n in os.listdir(work) if n.startswith("deps.") and n != "deps.sh"]
        if left:  # its temporary log must not outlive it
            calls.append(("?", ["(deps.sh left its temporary file %s)" % left]))
        return Run(r.returncode, r.stdout, r.stderr, calls)
    finally:
        shutil.rmtree(work, ignore_errors=True)


# ---- scenarios: each returns the problems it finds in one run of the script ----------------

def by_hand(missing, sudo=True):
    s = "sudo " if sudo else ""
    return "run by hand: %sapt-get update && %sapt-get install -y --no-install-recommends %s" % (
        s, s, " ".join(missing))


def expect_installed(r, missing, uid="0"):
    """deps.sh installed exactly `missing` (in its order), as root, and said so briefly."""
    problems = []
    if r.status != 0:
        problems.append("exit status %s, not 0" % r.status)
    subcommands = [next((a for a in args if not a.startswith("-") and "=" not in a), "") for _, args in r.calls]
    if subcommands != ["update", "install"]:
        problems.append("apt-get must be called twice, update then install; it was called for %s" % subcommands)
    if r.installs() != [missing]:
        problems.append("apt-get install must be asked for exactly %s; it was asked for %s" % (missing, r.installs()))
    if any(u != uid for u, _ in r.calls):
        problems.append("apt-get must run as uid %s: %s" % (uid, [u for u, _ in r.calls]))
    if r.err_lines():
        problems.append("unexpected stderr: %r" % r.err)
    if not r.out.startswith("deps: installing %s" % " ".join(missing)) or not r.out.rstrip().endswith("deps: done"):
        problems.append("stdout must be 'deps: installing <the packages> ...' and 'deps: done': %r" % r.out)
    return problems


def expect_refused(r, words, called=()):
    """Non-zero exit, one line on stderr holding `words`, apt-get called only for `called`."""
    problems = []
    if r.status == 0:
        problems.append("exit status 0: a failure must not look like success")
    lines = r.err_lines()
    if len(lines) != 1 or not lines[0].startswith("deps: "):
        problems.append("expected exactly one line 'deps: ...' on stderr, got %r" % lines)
    else:
        for w in words:
            if w not in lines[0]:
                problems.append("the line lacks %r: %r" % (w, lines[0]))
    subcommands = [next((a for a in args if a in ("update", "install")), "?") for _, args in r.calls]
    if subcommands != list(called):
        problems.append("apt-get must be called for %s, it was for %s" % (list(called), subcommands))
    return problems


def some_known(want):
    """dpkg knows about half the packages: most installed, one removed with its
    configuration kept, one half-installed; the rest it has never heard of."""
    half = want[:len(want) // 2]
    known = {p: "installed" for p in half}
    known[half[1]] = "config-files"
    known[half[-1]] = "half-installed"
    missing = [p for p in want if known.get(p) != "installed"]
    return known, missing


def scenario_knows_none(script):
    r = run_deps(script)
    problems = expect_installed(r, package_sets()[SET])
    grade = run_deps(script, which="grade")
    problems += ["(deps.sh grade) " + p for p in expect_installed(grade, package_sets()["grade"])]
    return problems, r


def scenario_knows_some(script):
    known, missing = some_known(package_sets()[SET])
    r = run_deps(script, known=known)
    return expect_installed(r, missing), r


def scenario_install_fails(script):
    known, missing = some_known(package_sets()[SET])
    r = run_deps(script, known=known, apt_fail="install")
    return expect_refused(r, ["apt-get install failed while installing %s" % " ".join(missing),
                              "E: Unable to locate package dataset-fashion-mnist",
                              by_hand(missing, sudo=False)], called=("update", "install")), r


def scenario_update_fails(script):
    want = package_sets()[SET]
    r = run_deps(script, apt_fail="update")
    return expect_refused(r, ["apt-get update failed while installing %s" % " ".join(want),
                              "E: The repository 'http://deb.example.org/debian bookworm Release' does not "
                              "have a Release file.",
                              by_hand(want, sudo=False)], called=("update",)), r


def scenario_dpkg_broken(script):
    want = package_sets()[SET]
    r = run_deps(script, dpkg_exit=2)
    return expect_refused(r, ["dpkg-query failed", by_hand(want, sudo=False)]), r


def scenario_unexpected_failure(script):
    known, missing = some_known(package_sets()[SET])
    r = run_deps(script, known=known, tmpdir="/nonexistent/wbsetup")
    return expect_refused(r, ["failed while creating a temporary file in /nonexistent/wbsetup",
                              by_hand(missing, sudo=False)]), r


def scenario_not_root_no_sudo(script):
    known, missing = some_known(package_sets()[SET])
    r = run_deps(script, known=known, uid=1000, sudo=None)
    return expect_refused(r, ["missing packages: %s" % " ".join(missing), "as root (or with sudo)",
                              by_hand(missing)]), r


def scenario_not_root_sudo_password(script):
    known, missing = some_known(package_sets()[SET])
    r = run_deps(script, known=known, uid=1000, sudo="password")
    return expect_refused(r, ["missing packages: %s" % " ".join(missing), by_hand(missing)]), r


def scenario_not_root_with_sudo(script):
    known, missing = some_known(package_sets()[SET])
    r = run_deps(script, known=known, uid=1000, sudo="ok")
    return expect_installed(r, missing, uid="0"), r


def scenario_all_installed(script):
    problems = []
    for which in ("grade", SET, "all"):
        r = run_deps(script, known={p: "installed" for p in package_sets()["all"]}, uid=1000, which=which)
        if r.status != 0 or r.out or r.err or r.calls:
            problems.append("deps.sh %s with everything installed must be silent, exit 0 and not call apt-get:\n%s"
                            % (which, r.show()))
    return problems, None


SCENARIOS = [
    ("dpkg knows none of the packages: all installed", scenario_knows_none),
    ("dpkg knows some: only the rest are installed", scenario_knows_some),
    ("apt-get install fails: one line with the command", scenario_install_fails),
    ("apt-get update fails: one line with the command", scenario_update_fails),
    ("dpkg-query breaks: one line with the command", scenario_dpkg_broken),
    ("an unforeseen failure: one line naming the step", scenario_unexpected_failure),
    ("not root, no sudo: prints the command to run", scenario_not_root_no_sudo),
    ("not root, sudo wants a password: prints the command", scenario_not_root_sudo_password),
    ("not root, passwordless sudo: installs through sudo", scenario_not_root_with_sudo),
    ("everything installed: silent, exit 0", scenario_all_installed),
]

# Bugs put back into a copy of deps.sh: (name, text in deps.sh, its replacement,
# the scenarios that must catch it). Each text must occur exactly once.
OLD_DPKG_LINE = ('''installed=" $(dpkg-query -W -f='${db:Status-Status} ${Package}\\n' "${want[@]}" 2>/dev/null |'''
                 '''\n              awk '$1 == "installed" { printf "%s ", $2 }')"''')
MUTANTS = [
    ("the old `installed=\" $(dpkg-query ...)\"`",
     '''installed=" $(awk '$1 == "installed" { printf "%s ", $2 }' <<<"$listing")"''', OLD_DPKG_LINE,
     ["dpkg knows none", "dpkg knows some"]),
    ("known packages counted as installed",
     '''$1 == "installed" { printf''', '''$1 != "" { printf''',
     ["dpkg knows some"]),
    ("an apt-get failure without its message",
     '''    echo "deps: $what failed while installing''', '''    : "deps: $what failed while installing''',
     ["apt-get install fails", "apt-get update fails"]),
    ("the root check skipped",
     '''[ "$(id -u 2>/dev/null || true)" != 0 ] || as_root=""''', '''as_root=""''',
     ["not root, no sudo", "not root, sudo wants a password", "not root, passwordless sudo"]),
    ("sudo found but not used",
     '''sudo -n true 2>/dev/null; then sudo="sudo"''', '''sudo -n true 2>/dev/null; then sudo=""''',
     ["not root, passwordless sudo"]),
    ("apt-get run even when nothing is missing",
     '''[ ${#missing[@]} -eq 0 ] && exit 0''', '''[ ${#missing[@]} -eq 0 ] && [ -z deps ] && exit 0''',
     ["everything installed"]),
    ("a failure with no message (no ERR trap)",
     "trap 'echo \"deps: failed while", "false && trap 'echo \"deps: failed while",
     ["an unforeseen failure"]),
    ("a dpkg-query failure taken as an answer",
     '''if [ "$known" -gt 1 ]; then''', '''if false; then''',
     ["dpkg-query breaks"]),
]


def check_scenario(fn):
    problems, r = fn(DEPS)
    if problems:
        raise Failure("\n".join(problems) + ("\n" + r.show() if r is not None else ""))


def check_mutant(name, old, new, catchers):
    text = open(DEPS, encoding="utf-8").read()
    if text.count(old) != 1:
        raise Failure("the text to replace occurs %d times in harness/deps.sh (must be once): %r"
                      % (text.count(old), old))
    tmp = tempfile.mkdtemp(prefix="wbsetup")
    try:
        bad = os.path.join(tmp, "deps.sh")
        with open(bad, "w", encoding="utf-8") as f:
            f.write(text.replace(old, new))
        os.chmod(bad, stat.S_IRWXU)
        missed = []
        for prefix in catchers:
            found = [(n, fn) for n, fn in SCENARIOS if n.startswith(prefix)]
            if len(found) != 1:
                raise Failure("no single scenario starts with %r" % prefix)
            problems, r = found[0][1](bad)
            if not problems:
                missed.append("%s: passed on the broken copy\n%s" % (found[0][0], r.show() if r else ""))
        if missed:
            raise Failure("these checks did not catch %s:\n%s" % (name, "\n".join(missed)))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)



def checks():
    """(name, function, args) for selftest/__main__.py."""
    found = [("deps.sh: " + name, check_scenario, (fn,)) for name, fn in SCENARIOS]
    found += [("deps.sh checks catch " + m[0], check_mutant, m) for m in MUTANTS]
    return found
