#!/bin/sh
# check-potfiles.sh SOURCE_ROOT [--update]
# po/POTFILES.in must list every file with translatable strings (C: _(), N_(), C_(), NC_(),
# g_dngettext() and friends; GtkBuilder .ui: translatable="yes"; data/*.in.in and the
# schema), sorted, and only files that exist (xgettext stops at a missing one).
# With --update, rewrites po/POTFILES.in from what it finds instead.
set -eu
export LC_ALL=C

cd "$1"
potfiles=po/POTFILES.in
status=0

listed=$(mktemp)
found=$(mktemp)
trap 'rm -f "$listed" "$found"' EXIT

{
  find src -name '*.c' -type f -print0 |
    xargs -0 -r grep -lE '(^|[^A-Za-z0-9_])(N?C?_|g_d?n?gettext|g_dpgettext2?|ngettext)[[:space:]]*\(' || true
  find src -name '*.ui' -type f -print0 | xargs -0 -r grep -l 'translatable="yes"' || true
  find data -maxdepth 1 -type f \( -name '*.in.in' -o -name '*.gschema.xml' \) || true
} | sort -u > "$found"

if [ "${2:-}" = --update ]; then
  {
    echo "# Files with translatable strings, sorted (LC_ALL=C). Every file listed must exist."
    echo "# Regenerate with: build-aux/check-potfiles.sh . --update"
    cat "$found"
  } > "$potfiles"
  echo "updated: $potfiles"
  exit 0
fi

grep -v -e '^#' -e '^[[:space:]]*$' "$potfiles" > "$listed"

while read -r f; do
  if [ ! -f "$f" ]; then
    echo "not ok: $potfiles lists $f, which does not exist" >&2
    status=1
  fi
done < "$listed"

if ! sort -c -u "$listed" 2> /dev/null; then
  echo "not ok: $potfiles is not sorted, or lists a file twice" >&2
  status=1
fi

missing=$(sort -u "$listed" | comm -13 - "$found")
if [ -n "$missing" ]; then
  echo "not ok: files with translatable strings missing from $potfiles:" >&2
  echo "$missing" | sed 's/^/  /' >&2
  echo "(run: build-aux/check-potfiles.sh . --update)" >&2
  status=1
fi

[ $status -eq 0 ] && echo "ok: $potfiles"
exit $status
