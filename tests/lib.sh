# Shared by the shell tests: fail MESSAGE prints it with the tails of
# out.txt and err.txt (in the current directory, where a test keeps a
# command's output) and exits 1.
fail() {
  echo "FAIL: $*" >&2
  for f in out.txt err.txt; do
    if [[ -s $f ]]; then
      echo "--- $f:" >&2
      tail -n 20 "$f" >&2
    fi
  done
  exit 1
}
