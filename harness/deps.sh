#!/usr/bin/env bash
# deps.sh [grade|book|test|all]: install the Debian/Ubuntu packages a workflow needs.
# Checks with dpkg first, so it is quick and silent when everything is there.
set -euo pipefail

grade=(gcc make pkg-config python3 libcriterion-dev binutils zlib1g-dev)
book=(pandoc graphviz texlive-xetex texlive-latex-recommended texlive-latex-extra
      texlive-fonts-recommended lmodern fonts-dejavu-core fonts-noto-cjk
      texlive-lang-cjk texlive-lang-chinese)
test=(chromium poppler-utils)
data=(dataset-fashion-mnist)

case "${1:-all}" in
  grade) want=("${grade[@]}") ;;
  book)  want=("${grade[@]}" "${book[@]}" "${data[@]}") ;;
  test|all) want=("${grade[@]}" "${book[@]}" "${data[@]}" "${test[@]}") ;;
  *) echo "deps.sh: unknown set '$1' (grade, book, test or all)" >&2; exit 2 ;;
esac

# one dpkg-query for all packages: it prints a line for each one it knows
installed=" $(dpkg-query -W -f='${db:Status-Status} ${Package}\n' "${want[@]}" 2>/dev/null |
              awk '$1 == "installed" { printf "%s ", $2 }')"
missing=()
for p in "${want[@]}"; do
  [[ "$installed" == *" $p "* ]] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if ! command -v apt-get >/dev/null; then
  echo "deps: missing packages: ${missing[*]}; this is not a Debian/Ubuntu system, install them by hand." >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo"
  else
    echo "deps: missing packages: ${missing[*]}" >&2
    echo "deps: run this as root, then try again:  sudo apt-get update && sudo $cmd" >&2
    exit 1
  fi
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q >/dev/null
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done"
