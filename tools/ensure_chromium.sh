#!/bin/sh
# `make test` runs browser tests in headless Chromium at /usr/bin/chromium. Without it: install Debian's
# package when we can (root with apt-get, as .ci/run does), else stop at once with the command to run,
# rather than let every browser test fail one by one.
[ -x /usr/bin/chromium ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Chromium is missing: installing Debian's package for the browser tests"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core \
    || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
         chromium fonts-dejavu-core; }
  [ -x /usr/bin/chromium ] && exit 0
fi
echo "The browser tests need Chromium at /usr/bin/chromium. Install it with:" >&2
echo "    sudo apt-get install chromium" >&2
echo "(or run the other tests only: make test PYTEST_ARGS='-m \"not browser\"')" >&2
exit 1
