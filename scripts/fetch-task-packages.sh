#!/usr/bin/env bash
# Fetches the packages the default task is built from, without installing anything system-wide.
#
#   build-data/debian/  the unpacked trees of the Debian packages (janeaustenr, fortunes, wamerican)
#   build-data/npm/     the unpacked npm tarballs (sentiment, vader-sentiment), one folder per package
#
# Safe to rerun: a package whose folder or .deb already exists is skipped.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/build-data"
debs="$out/debs"
mkdir -p "$debs" "$out/debian" "$out/npm"

# Debian packages: download the .deb into build-data/debs, then unpack each into one shared tree.
debian_packages=(r-cran-janeaustenr fortunes fortunes-min wamerican)
missing=()
for pkg in "${debian_packages[@]}"; do
  if ! compgen -G "$debs/${pkg}_*.deb" >/dev/null; then
    missing+=("$pkg")
  fi
done
if ((${#missing[@]} > 0)); then
  # apt-get download writes into the working directory.
  if ! (cd "$debs" && apt-get download "${missing[@]}"); then
    echo "apt-get download failed; refreshing the package lists and retrying" >&2
    if [[ $(id -u) -eq 0 ]]; then apt-get update; else sudo apt-get update; fi
    (cd "$debs" && apt-get download "${missing[@]}")
  fi
fi
for deb in "$debs"/*.deb; do
  stamp="$out/debian/.$(basename "$deb").extracted"
  if [[ ! -e "$stamp" ]]; then
    dpkg-deb -x "$deb" "$out/debian"
    touch "$stamp"
  fi
done

# npm packages: `npm pack` fetches the published tarball; its contents sit under package/.
npm_packages=(sentiment@5.0.2 vader-sentiment@1.1.3)
for spec in "${npm_packages[@]}"; do
  name="${spec%@*}"
  dest="$out/npm/$name"
  if [[ -d "$dest" ]]; then
    continue
  fi
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "$spec" >/dev/null)
  mkdir -p "$dest"
  tar -xzf "$tmp"/*.tgz -C "$dest" --strip-components=1
  rm -rf "$tmp"
done

echo "packages ready under $out"
