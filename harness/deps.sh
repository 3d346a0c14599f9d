#!/usr/bin/env bash
# deps.sh [grade|book|bench|test|all]: install the Debian/Ubuntu packages a workflow needs.
# Checks with dpkg first, so it is quick and silent when everything is there.
# Whatever fails, it says in one line what it was doing and what to run by hand;
# harness/selftest/install.py runs it against stand-in dpkg-query, apt-get, id and sudo.
set -euo pipefail

grade=(gcc make pkg-config python3 libcriterion-dev libseccomp-dev binutils zlib1g-dev inotify-tools)
book=(pandoc python3-pandocfilters graphviz gnuplot-nox texlive-xetex texlive-latex-recommended texlive-latex-extra
      texlive-fonts-recommended lmodern fonts-dejavu-core fonts-noto-cjk
      texlive-lang-cjk texlive-lang-chinese poppler-utils libjs-lunr)
test=(chromium chromium-driver python3-selenium python3-yaml python3-jsonschema)
data=(dataset-fashion-mnist)
# make train and make bench: NumPy, the C's peer, and OpenBLAS (cblas.h and the library, for
# BLAS=1; installing it also makes NumPy use OpenBLAS)
bench=(python3-numpy libopenblas-dev)

case "${1:-all}" in
  grade) want=("${grade[@]}") ;;
  book)  want=("${grade[@]}" "${book[@]}" "${data[@]}") ;;
  bench) want=("${grade[@]}" "${data[@]}" "${bench[@]}") ;;
  test|all) want=("${grade[@]}" "${book[@]}" "${data[@]}" "${bench[@]}" "${test[@]}") ;;
  *) echo "deps.sh: unknown set '$1' (grade, book, bench, test or all)" >&2; exit 2 ;;
esac

missing=("${want[@]}")
as_root="sudo "
[ "$(id -u 2>/dev/null || true)" != 0 ] || as_root=""
by_hand() { echo "${as_root}apt-get update && ${as_root}apt-get install -y --no-install-recommends ${missing[*]}"; }

# Anything that fails without its own message below still gets one line: what
# deps.sh was doing, and the command to run by hand.
step="checking which packages are installed"
trap 'echo "deps: failed while $step (\`$BASH_COMMAND\` exited $?); run by hand: $(by_hand)" >&2' ERR

if ! command -v dpkg-query >/dev/null; then
  echo "deps: no dpkg-query, so this is not Debian/Ubuntu and nothing is installed for you;" \
       "make sure you have the equivalents of: ${want[*]}" >&2
  exit 0
fi

# One dpkg-query for all packages: it prints a line for each package it knows,
# and exits 1 when it does not know some of them (on a fresh machine, most):
# that is an answer, not a failure.
known=0
listing=$(dpkg-query -W -f='${db:Status-Status} ${Package}\n' "${want[@]}" 2>/dev/null) || known=$?
if [ "$known" -gt 1 ]; then
  echo "deps: dpkg-query failed (exit $known) while checking which packages are installed; run by hand: $(by_hand)" >&2
  exit 1
fi
installed=" $(awk '$1 == "installed" { printf "%s ", $2 }' <<<"$listing")"
missing=()
for p in "${want[@]}"; do
  [[ "$installed" == *" $p "* ]] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

step="looking for apt-get and root"
if ! command -v apt-get >/dev/null; then
  echo "deps: missing packages: ${missing[*]}; there is no apt-get, so install them by hand." >&2
  exit 1
fi
sudo=""
if [ -n "$as_root" ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo"
  else
    echo "deps: missing packages: ${missing[*]}; as root (or with sudo), run by hand: $(by_hand)" >&2
    exit 1
  fi
fi

# apt-get: wait for another apt or dpkg to finish rather than fail at once;
# its messages go to a log, whose last error line goes into ours if it fails.
step="creating a temporary file in ${TMPDIR:-/tmp}"
log=$(mktemp "${TMPDIR:-/tmp}/deps.XXXXXX" 2>/dev/null)
trap 'rm -f "$log"' EXIT
apt() {
  local what=$1; shift
  step="$what"
  if ! $sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 "$@" >"$log" 2>&1; then
    local why
    why=$(grep -E '^E:' "$log" | tail -n 1 || true)
    [ -n "$why" ] || why=$(grep -v '^[[:space:]]*$' "$log" | tail -n 1 || true)
    echo "deps: $what failed while installing ${missing[*]}${why:+ ($why)}; run by hand: $(by_hand)" >&2
    exit 1
  fi
}
note=""
[[ " ${missing[*]}" != *" texlive"* ]] || note=" (TeX is the bulk: about 400 MB to download, a few minutes)"
echo "deps: installing ${missing[*]}$note"
apt "apt-get update" update -q
apt "apt-get install" install -y -q --no-install-recommends "${missing[@]}"
echo "deps: done"
