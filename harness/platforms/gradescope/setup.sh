#!/usr/bin/env bash
# setup.sh: Gradescope runs this once, as root, when it builds the autograder's
# image. It installs what the grader needs with the workbook's own list
# (harness/deps.sh grade: the compiler, Criterion, libseccomp, Python) from the
# distribution's packages, and adds the unprivileged user the submissions are
# graded as. Pick the Ubuntu 24.04 base image on Gradescope's "Configure
# Autograder" page: the grader needs Python 3.11 or newer (tomllib).
set -euo pipefail
cd "$(dirname "$0")/workbook"

bash harness/deps.sh grade

if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "setup.sh: this image has Python $(python3 -V 2>&1 | cut -d' ' -f2); the grader needs 3.11 or newer." \
       "On Gradescope's Configure Autograder page, choose the Ubuntu 24.04 base image and rebuild." >&2
  exit 1
fi

# Submissions are graded as this user, who cannot write the results folder
# (Gradescope's best practice); the grader's build folder is theirs.
id -u student >/dev/null 2>&1 || useradd --no-create-home --shell /usr/sbin/nologin student
mkdir -p build
chown -R student build
echo "setup.sh: ready to grade ($(python3 -V), $(gcc --version | head -n 1))"
