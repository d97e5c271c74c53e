#!/bin/sh
# check-flatpak-manifest.sh MANIFEST APP_ID COMMAND
# Checks that the Flatpak manifest is valid JSON and agrees with meson.build: the app ID,
# the command, the last module building this source tree with meson, and no network access.
set -eu

manifest=$1
app_id=$2
command=$3
status=0

fail ()
{
  echo "not ok: $*" >&2
  status=1
}

if ! jq empty "$manifest"; then
  echo "not ok: $manifest is not valid JSON" >&2
  exit 1
fi

[ "$(jq -r '."app-id" // .id' "$manifest")" = "$app_id" ] ||
  fail "app-id is not $app_id"
[ "$(basename "$manifest" .Devel.json)" = "$app_id" ] ||
  fail "file name does not start with $app_id"
[ "$(jq -r '.command' "$manifest")" = "$command" ] ||
  fail "command is not $command"
[ "$(jq -r '.modules[-1].name' "$manifest")" = "lacuna" ] ||
  fail "the last module is not lacuna"
[ "$(jq -r '.modules[-1].buildsystem' "$manifest")" = "meson" ] ||
  fail "the lacuna module is not built with meson"
[ "$(jq -r '.modules[-1].sources[0].type + ":" + .modules[-1].sources[0].path' "$manifest")" = "dir:.." ] ||
  fail "the lacuna module does not build this source tree (type dir, path ..)"
if jq -e '."finish-args" | index("--share=network")' "$manifest" > /dev/null; then
  fail "finish-args grant network access"
fi
# Every other module is pinned to a tag (git) or a checksum (archive, file).
unpinned=$(jq -r '.modules[:-1][] | select(.sources | map(select((.type == "git" and (.tag // .commit) == null) or ((.type == "archive" or .type == "file") and .sha256 == null))) | length > 0) | .name' "$manifest")
[ -z "$unpinned" ] || fail "modules with unpinned sources: $unpinned"

[ $status -eq 0 ] && echo "ok: $manifest"
exit $status
