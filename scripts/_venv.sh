# Sourced by the other scripts: a virtualenv in .venv with the pinned requirements.
# Reinstalls only when the requirements file changed since the last install.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
requirements="requirements/${ATRACK_REQUIREMENTS:-dev}.txt"
if [ ! -x .venv/bin/python ]; then
    "${PYTHON:-python3}" -m venv .venv
fi
stamp=".venv/.installed-$(basename "$requirements")"
if [ ! -f "$stamp" ] || ! cmp -s <(cat requirements/*.txt) "$stamp"; then
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -r "$requirements"
    cat requirements/*.txt > "$stamp"
fi
export PATH="$PWD/.venv/bin:$PATH"
