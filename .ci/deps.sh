# Sourced by easel-demo.sh and test.sh: installs what a fresh Debian machine lacks for Easel — the Jupyter tools
# from Debian packages (they run with /usr/bin/python3), and a JDK 17 and Maven if missing.

EASEL_APT_PACKAGES=(
  jupyter-client python3-jupyter-client jupyter-console jupyter-notebook jupyter-nbconvert
  python3-nbconvert python3-nbclient python3-nbformat python3-ipykernel python3-jupyter-kernel-test
  chromium fontconfig fonts-dejavu-core
)

easel_install_deps() {
  local missing=() package
  for package in "${EASEL_APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  command -v javac >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
  command -v mvn >/dev/null 2>&1 || missing+=(maven)
  command -v node >/dev/null 2>&1 || missing+=(nodejs npm)   # the browser test drives chromium with playwright-core
  if [ ${#missing[@]} -eq 0 ]; then
    return 0
  fi
  echo "Installing missing Debian packages: ${missing[*]}"
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    sudo=(sudo)
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" </dev/null
}
