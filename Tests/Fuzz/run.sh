#!/usr/bin/env bash
# Builds and runs the libFuzzer targets for a fixed number of iterations each.
#
# usage: Tests/Fuzz/run.sh [RUNS] [TARGET…]     (default 1000000 runs; targets: LineReader Decoder CatalogLoader Classifier)
#
# SwiftPM renames an executable's `main`, so a libFuzzer entry point cannot be a SwiftPM
# executable. Instead: build the library with coverage instrumentation (`--sanitize=fuzzer`) in
# its own scratch folder, then link each `*Fuzz.swift` entry with `swiftc -sanitize=fuzzer`
# against the library's object files. A crash leaves `crash-*` in Tests/Fuzz/crashes/: turn it
# into a regression test.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
runs="${1:-1000000}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(LineReader Decoder CatalogLoader Classifier)
build="$root/.build-fuzz"
cd "$root"
swift build -c release --scratch-path "$build" --sanitize=fuzzer --target SpaceTriage >/dev/null
release="$build/release"
# The fuzz entries use `package` API (the line reader, the decoder): compile them as members of
# this package. SwiftPM names the root package after its folder; read the name it used.
package_name=$(tr -d ' \n' < "$release/description.json" \
  | grep -o '"-module-name","SpaceTriage"[^]]*"-package-name","[^"]*"' | head -1 \
  | sed 's/.*"-package-name","\([^"]*\)"$/\1/' || true)
[ -n "$package_name" ] || package_name=$(basename "$root" | tr '[:upper:]' '[:lower:]' | sed 's/[^a-z0-9_]/_/g')
objects=()
for module in SpaceTriage PCRE2Swift Yams CYaml SystemPackage CSystem Crypto CryptoBoringWrapper CCryptoBoringSSL CCryptoBoringSSLShims; do
  while IFS= read -r object; do objects+=("$object"); done < <(find "$release/$module.build" -name '*.o')
done
mkdir -p "$root/Tests/Fuzz/crashes" "$build/fuzz"
for target in "${targets[@]}"; do
  binary="$build/fuzz/$target"
  swiftc -O -sanitize=fuzzer -parse-as-library -package-name "$package_name" -I "$release/Modules" \
    -Xcc -fmodule-map-file="$root/Sources/CPCRE2/module.modulemap" \
    -I "$build/checkouts/swift-system/Sources/CSystem/include" -I "$build/checkouts/Yams/Sources/CYaml/include" \
    "$root/Tests/Fuzz/${target}Fuzz.swift" "${objects[@]}" -lpcre2-8 -o "$binary"
  corpus="$build/fuzz/$target-corpus"
  mkdir -p "$corpus"
  if [ "$target" = CatalogLoader ]; then cp "$root"/Patterns/catalog/*.yaml "$corpus"/ 2>/dev/null || true; fi
  if [ "$target" != CatalogLoader ]; then
    find "$root/Corpus" -name '*.log' -size -64k -exec cp {} "$corpus"/ \; 2>/dev/null || true
  fi
  echo "== $target: $runs runs"
  start=$(date +%s)
  # SWIFT_BACKTRACE=enable=no: otherwise the Swift runtime catches a trap first and libFuzzer
  # never writes the input that caused it. The whole log is kept (the trap's message, the stack).
  if ! SWIFT_BACKTRACE=enable=no "$binary" -runs="$runs" -max_len=4096 -artifact_prefix="$root/Tests/Fuzz/crashes/$target-" "$corpus" > "$build/fuzz/$target.log" 2>&1; then
    grep -A25 "Swift runtime failure\|ERROR: libFuzzer\|SUMMARY" "$build/fuzz/$target.log" | head -40
    echo "== $target: FAILED (full log: $build/fuzz/$target.log)"
    exit 1
  fi
  tail -1 "$build/fuzz/$target.log"
  echo "== $target: $(( $(date +%s) - start )) s"
done
