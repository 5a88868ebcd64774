#!/usr/bin/env bash
# Installs the real peers the tests run against, from Debian packages:
#   chromium (chrome://policy, session-data behaviour), firefox-esr (about:policies),
#   python3-samba (an independent Registry.pol parser), dconf-cli + libglib2.0-bin + dconf-gsettings-backend +
#   gsettings-desktop-schemas (dconf, gsettings reading the locked GNOME keys),
#   python3 (plistlib for .mobileconfig checks, http.server for the site-data test),
#   libnss3-tools (certutil: the web-session tests' throw-away CA in a Firefox profile's cert9.db), openssl (that CA),
#   python3-yaml + python3-jsonschema (the vendor-definition checks of tests/tools/oracle_check.py),
#   python3-plyvel (real LevelDB with Snappy) + python3-lz4 (real LZ4): the Sessions/Formats field-truth tests and the
#   web-session scanner tests (WebSessionTests).
# Idempotent: installs only what is missing. Needs root (CI runs as root).
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v firefox-esr >/dev/null 2>&1 || need+=(firefox-esr)
/usr/bin/python3 -c 'import samba.gp_parse.gp_pol' >/dev/null 2>&1 || need+=(python3-samba)
command -v dconf >/dev/null 2>&1 || need+=(dconf-cli)
command -v gsettings >/dev/null 2>&1 || need+=(libglib2.0-bin)
# gsettings must read dconf (not its memory backend) and know the GNOME desktop schemas.
ls /usr/lib/*/gio/modules/libdconfsettings.so >/dev/null 2>&1 || need+=(dconf-gsettings-backend)
[ -f /usr/share/glib-2.0/schemas/org.gnome.desktop.session.gschema.xml ] || need+=(gsettings-desktop-schemas)
[ -x /usr/bin/python3 ] || need+=(python3)
command -v certutil >/dev/null 2>&1 || need+=(libnss3-tools)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
# Field-truth checks (tests/tools/oracle_check.py): Apple's and Chromium's YAML, Mozilla's JSON Schema (draft-07).
/usr/bin/python3 -c 'import yaml' >/dev/null 2>&1 || need+=(python3-yaml)
/usr/bin/python3 -c 'import jsonschema' >/dev/null 2>&1 || need+=(python3-jsonschema)
# Field truth for the session-store formats (tests/WaHardening.Core.Tests/Sessions): real LevelDB, real LZ4.
/usr/bin/python3 -c 'import plyvel' >/dev/null 2>&1 || need+=(python3-plyvel)
/usr/bin/python3 -c 'import lz4.block' >/dev/null 2>&1 || need+=(python3-lz4)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-test-deps: missing ${need[*]}; run this script as root (sudo) to install them." >&2
  exit 1
fi
echo "install-test-deps: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
