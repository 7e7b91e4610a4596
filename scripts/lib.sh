# Shared by scripts/*: make sure uv is available, installing it from PyPI if needed.
ensure_uv() {
  if command -v uv >/dev/null 2>&1 && uv --version >/dev/null 2>&1; then
    return
  fi
  local home="${XDG_CACHE_HOME:-$HOME/.cache}/migrant-helpline/uv"
  if [ ! -x "$home/bin/uv" ]; then
    echo "installing uv into $home ..."
    local py
    py=$(command -v python3 || command -v python)
    "$py" -m venv "$home"
    "$home/bin/pip" install --quiet uv
  fi
  export PATH="$home/bin:$PATH"
}

# The browser tests drive Debian's Chromium (Playwright's own browser download is not used).
ensure_chromium() {
  if command -v chromium >/dev/null 2>&1; then
    return
  fi
  echo "installing Chromium (Debian package) for the browser tests ..."
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
}

# tests/test_qr.py reads the console's QR codes back with zbarimg (Debian's zbar-tools).
ensure_zbar() {
  if command -v zbarimg >/dev/null 2>&1; then
    return
  fi
  echo "installing zbar-tools (a QR decoder) for tests/test_qr.py ..."
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq zbar-tools >/dev/null
}
