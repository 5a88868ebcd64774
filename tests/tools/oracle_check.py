#!/usr/bin/python3
"""Checks WaHardening's outputs against their real consumers' definitions (field truth), not against the project's
own beliefs. Run by the xunit tests (OracleTests) with Debian's /usr/bin/python3, PyYAML (python3-yaml),
python3-jsonschema and python3-samba; a missing one is a failure (exit 3), never a skip.

Usage:
  oracle_check.py ORACLES --baseline BASELINE --export PROFILE=DIR [--export ...] [--firefox-json FILE ...]
ORACLES is shared/oracles (README.md there says what every file is); DIR is an Export-WaIntuneProfile folder of
PROFILE with the GPO's Machine registry.pol copied to DIR/gpo/Machine/registry.pol. Prints one JSON object:
{"chromium": [...], "apple": [...], "apple-multiple": [...], "firefox": [...], "samba": [...], "notes": [...]}: every list but
notes holds
findings (a mismatch with the vendor's definition); notes say what has no oracle.

Checks:
  chromium  every Chromium-family policy written for a platform (Linux managed JSON, Windows Registry.pol, Intune
            settings catalog and OMA-URIs, macOS managed preferences) is listed in that policy's supported_on for the
            platform (chromium/<Policy>.yaml: chrome.* / chrome.win|mac|linux; edge/<Policy>.yaml: Windows/macOS),
            and its value fits the schema (type, enum, minimum, array item enums; an item's own supported_on) or
            Microsoft's documented options.
  apple     every .mobileconfig: the top level against TopLevel.yaml, every payload against CommonPayloadKeys.yaml and
            its payload type's YAML (keys defined, documented type, required keys present, rangelist), the profile's
            PayloadScope against the payload's devicechannel (System) / userchannel (User), managed preferences in
            the documented PayloadContent.<domain>.Forced[].mcx_preference_settings form.
  apple-multiple  a payload type that is multiple: false appears once per device when every profile's export is
            installed (mobileconfig files and the macOS settings catalog counted apart: a tenant deploys one or the other).
  firefox   linux/firefox/policies.json, the macOS mcx_preference_settings of org.mozilla.firefox and every
            --firefox-json file validate against Mozilla's policies-schema.json (draft-07) with python3-jsonschema.
  samba     Samba's own Linux GP client conversion (samba.gp.gp_chromium_ext / gp_firefox_ext convert_pol_to_json)
            over the Machine registry.pol gives the same policies as the Linux export (less the settings BASELINE's
            "platforms" keeps to one of Windows and Linux).
"""
import glob
import json
import os
import plistlib
import re
import sys

try:
    import yaml
    import jsonschema
    from samba.dcerpc import preg
    from samba.ndr import ndr_unpack
    from samba.gp import gp_chromium_ext, gp_firefox_ext
except ImportError as e:  # the tests must fail loudly, not skip
    print("missing test dependency (%s); run scripts/install-test-deps.sh as root" % e, file=sys.stderr)
    sys.exit(3)

ORACLES = sys.argv[1]
out = {"chromium": [], "apple": [], "apple-multiple": [], "firefox": [], "samba": [], "notes": []}

# Where each Chromium-family browser reads its policies (the vendors' documented locations).
WIN_KEYS = {"Chrome": "Software\\Policies\\Google\\Chrome", "Chromium": "Software\\Policies\\Chromium",
            "Edge": "Software\\Policies\\Microsoft\\Edge", "Brave": "Software\\Policies\\BraveSoftware\\Brave"}
MAC_DOMAINS = {"com.google.Chrome": "Chrome", "org.chromium.Chromium": "Chromium", "com.microsoft.Edge": "Edge",
               "com.brave.Browser": "Brave"}
# Brave keeps every Chromium policy definition and handler (brave-core chromium_src/chrome/browser/policy/
# configuration_policy_handler_list_factory.cc), so Chromium's definitions are its oracle; these are accepted but have
# no effect in Brave (docs/research/targets.md) and must never be written for it.
BRAVE_INEFFECTIVE = {
    "ClearBrowsingDataOnExitList": "no effect in Brave (brave-browser#52221; Brave has its own on-exit clearing)",
    "HttpsOnlyMode": "ignored since Brave 1.52 (brave-browser#30950; Brave's Shields upgrade HTTPS)",
    "BrowserSignin": "a no-op: Brave has no Google sign-in (brave-browser#195)",
}
FIREFOX_KEY = "Software\\Policies\\Mozilla\\Firefox"


def note(text):
    if text not in out["notes"]:
        out["notes"].append(text)


def load_yaml(*parts):
    path = os.path.join(ORACLES, *parts)
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


# ------------------------------------------------------------------------------------------------ Chromium family

def chrome_platforms(supported_on):
    """supported_on entries → {"win"|"mac"|"linux": (since, until)}; chrome.* is all three desktop platforms."""
    plats = {}
    for entry in supported_on or []:
        m = re.match(r"([\w.*]+):(\d+)-(\d*)", entry)
        if not m:
            continue
        prod = m.group(1)
        names = ["win", "mac", "linux"] if prod == "chrome.*" else [prod.split(".", 1)[1]] if prod.startswith("chrome.") else []
        for p in names:
            plats[p] = (int(m.group(2)), int(m.group(3)) if m.group(3) else None)
    return plats


EDGE_PLAT = {"win": "Windows", "mac": "macOS"}
PLAT = {"win": "Windows", "mac": "macOS", "linux": "Linux"}


def check_schema_value(who, schema, value, items):
    t = schema.get("type")
    jt = {"boolean": bool, "integer": int, "string": str, "array": list, "object": dict}.get(t)
    if jt is not None and (not isinstance(value, jt) or (jt is int and isinstance(value, bool))):
        out["chromium"].append("%s: value %r is not of schema type %s" % (who, value, t))
        return
    if t == "array":
        for v in value:
            check_schema_value(who + "[]", schema.get("items", {}), v, None)
        return
    if "enum" in schema and value not in schema["enum"]:
        out["chromium"].append("%s: value %r not in the schema's enum %r" % (who, value, schema["enum"]))
    if "minimum" in schema and isinstance(value, int) and value < schema["minimum"]:
        out["chromium"].append("%s: value %r below the schema's minimum %r" % (who, value, schema["minimum"]))
    if "maximum" in schema and isinstance(value, int) and value > schema["maximum"]:
        out["chromium"].append("%s: value %r above the schema's maximum %r" % (who, value, schema["maximum"]))
    for item in items or []:
        if item.get("value") == value and item.get("supported_on"):
            return item["supported_on"]
    return None


def check_chromium(browser, name, plat, value, where):
    """One policy of one browser written for one platform (plat: win|mac|linux); value None = not checked (OMA-URI)."""
    who = "%s %s (%s, %s)" % (browser, name, PLAT[plat], where)
    if browser == "Brave" and name in BRAVE_INEFFECTIVE:
        out["chromium"].append("%s: %s" % (who, BRAVE_INEFFECTIVE[name]))
        return
    chrome = load_yaml("chromium", name + ".yaml")
    edge = load_yaml("edge", name + ".yaml") if browser == "Edge" else None
    if browser == "Edge":
        if edge is None:
            if name == "HttpsOnlyMode":
                note("Edge HttpsOnlyMode: no Edge oracle (Microsoft's Oct-2024 reference snapshot lacks it, oracles README Gaps); not checked for Edge")
                return
            out["chromium"].append("%s: no oracle in edge/" % who)
            return
        sup = edge.get("supported_on") or {}
        if plat == "linux":
            # Microsoft documents Windows and macOS only. A policy it documents for Windows alone (a Windows feature such as
            # startup boost) must not be written for Linux unless Chromium itself has it on Linux.
            on_linux = chrome is not None and "linux" in chrome_platforms(chrome.get("supported_on"))
            if "macOS" not in sup and not on_linux:
                out["chromium"].append("%s: Microsoft documents it for %s only and Chromium has no Linux support for it" % (who, ", ".join(sup)))
            else:
                note("Edge on Linux: Microsoft's reference documents Windows and macOS only; Edge policies on Linux are checked against Chromium's supported_on where one exists, else not at all")
        elif EDGE_PLAT[plat] not in sup:
            out["chromium"].append("%s: Microsoft documents it on %s only" % (who, ", ".join(sup) or "no platform"))
        elif plat == "mac" and edge.get("mac") is None:
            out["chromium"].append("%s: Microsoft's page has no macOS preference for it" % who)
        allowed = [a["value"] for a in edge.get("allowed_values") or []]
        if value is not None and allowed and value not in allowed:
            out["chromium"].append("%s: value %r not in Microsoft's documented options %r" % (who, value, allowed))
        if value is not None and chrome is not None:
            check_schema_value(who, chrome.get("schema", {}), value, chrome.get("items"))
        return
    if chrome is None:
        out["chromium"].append("%s: no oracle in chromium/" % who)
        return
    plats = chrome_platforms(chrome.get("supported_on"))
    if plat not in plats:
        out["chromium"].append("%s: not supported there (supported_on %s)" % (who, chrome.get("supported_on")))
    if value is not None:
        item_sup = check_schema_value(who, chrome.get("schema", {}), value, chrome.get("items"))
        if item_sup and plat not in chrome_platforms(item_sup):
            out["chromium"].append("%s: value %r is supported on %s only" % (who, value, item_sup))


_KEEP = []  # the parsed files: their entries point into them (freed with the file object otherwise)


def pol_entries(path):
    with open(path, "rb") as f:
        parsed = ndr_unpack(preg.file, f.read())
    _KEEP.append(parsed)
    return parsed.entries


def under(keyname, key):
    """The key or a subkey of it (not a sibling that merely starts with the same letters: Edge vs EdgeUpdate)."""
    return keyname.lower() == key.lower() or keyname.lower().startswith(key.lower() + "\\")


def multi(data):
    return bytes(data).decode("utf-16-le").rstrip("\0").split("\0") if data else []


def pol_policies(entries, key):
    """Registry.pol → {policy: value} as Windows reads a Chromium policy key (lists are numbered values of a subkey)."""
    result = {}
    for e in entries:
        if not under(e.keyname, key) or e.valuename.startswith("**"):
            continue
        sub = e.keyname[len(key):].strip("\\")
        data = e.data
        if e.type == 7:
            data = multi(data)
        if sub == "":
            result[e.valuename] = data
        elif "\\" not in sub and e.valuename.isdigit():
            result.setdefault(sub, []).append(data)
        else:
            result.setdefault("<subkey>", []).append(e.keyname)
    return result


def windows_value(name, value, chrome):
    """A registry value as the policy's JSON type: a DWORD of a boolean policy is a boolean."""
    schema = (chrome or {}).get("schema", {})
    if schema.get("type") == "boolean" and value in (0, 1):
        return bool(value)
    return value


def catalog_value(inst):
    """The policy value an ADMX-backed catalog instance sets: the enabled/disabled choice (_1/_0) of a boolean policy,
    else its child (a string collection, a simple value, or a choice option <child>_<value>); None when disabled."""
    choice = inst.get("choiceSettingValue") or {}
    enabled = choice.get("value", "").endswith("_1")
    children = choice.get("children") or []
    if not children:
        return enabled
    if not enabled:
        return None
    child = children[0]
    if "simpleSettingCollectionValue" in child:
        return [v["value"] for v in child["simpleSettingCollectionValue"]]
    if "simpleSettingValue" in child:
        return child["simpleSettingValue"]["value"]
    option = child["choiceSettingValue"]["value"][len(child["settingDefinitionId"]) + 1:]
    return int(option) if option.isdigit() else option


def catalog_names(path):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    for s in doc.get("settings", []):
        yield s["settingInstance"]["settingDefinitionId"], catalog_value(s["settingInstance"])


def check_chromium_outputs(profile, d):
    known = {os.path.splitext(os.path.basename(p))[0] for p in glob.glob(os.path.join(ORACLES, "chromium", "*.yaml"))}
    known |= {os.path.splitext(os.path.basename(p))[0] for p in glob.glob(os.path.join(ORACLES, "edge", "*.yaml"))}
    known.add("HttpsOnlyMode")
    for browser in ("Chromium", "Chrome", "Edge", "Brave"):
        p = os.path.join(d, "linux", browser.lower(), "wa-hardening.json")
        if os.path.exists(p):
            with open(p, encoding="utf-8") as f:
                for name, value in json.load(f).items():
                    check_chromium(browser, name, "linux", value, profile + " linux/" + browser.lower())
    pol = os.path.join(d, "gpo", "Machine", "registry.pol")
    entries = pol_entries(pol)
    for browser, key in WIN_KEYS.items():
        for name, value in pol_policies(entries, key).items():
            if name == "<subkey>":
                out["chromium"].append("%s Registry.pol: unexpected nested keys under %s: %s" % (profile, key, value))
                continue
            check_chromium(browser, name, "win", windows_value(name, value, load_yaml("chromium", name + ".yaml")), profile + " Registry.pol")
    for path in glob.glob(os.path.join(d, "windows", "settings-catalog", "windows-*.json")):
        browser = "Edge" if os.path.basename(path) == "windows-edge.json" else "Chrome" if os.path.basename(path) == "windows-chrome.json" else None
        if browser is None:
            continue
        for sid, value in catalog_names(path):
            tail = sid.rsplit("~", 1)[-1].rsplit("_", 1)[-1]
            names = [n for n in known if n.lower() == tail]
            if not names:
                out["chromium"].append("%s %s: no oracle policy named like %s" % (profile, os.path.basename(path), sid))
                continue
            check_chromium(browser, names[0], "win", value, profile + " " + os.path.basename(path))
    oma = os.path.join(d, "windows", "custom-oma-uri.json")
    if os.path.exists(oma):
        with open(oma, encoding="utf-8") as f:
            for s in json.load(f).get("omaSettings", []):
                uri = s.get("omaUri", "")
                # The ADMX app an ADMX-backed OMA-URI names (".../Config/<app>~Policy~<category path>/<policy>"): Chrome's own
                # ADMX is ingested as chromeIntuneV1, Edge's as microsoft_edge; updater ADMX (Edge Update, our Google Update
                # ingestion) hold update policies, not browser policies, and have no Chromium oracle.
                app = uri.split("/Config/", 1)[-1].split("~", 1)[0].lower()
                browser = "Edge" if app.startswith("microsoft_edge") else "Chrome" if app.startswith("chromeintune") else None
                if browser:
                    check_chromium(browser, uri.rsplit("/", 1)[-1], "win", None, profile + " custom-oma-uri.json")
    for path in glob.glob(os.path.join(d, "macos", "*.mobileconfig")):
        with open(path, "rb") as f:
            top = plistlib.load(f)
        for payload in top.get("PayloadContent", []):
            if payload.get("PayloadType") in MAC_DOMAINS:  # a bare preference-domain payload (not Apple's form: see check_apple)
                for name, value in payload.items():
                    if not name.startswith("Payload"):
                        check_chromium(MAC_DOMAINS[payload["PayloadType"]], name, "mac", value, profile + " " + os.path.basename(path))
                continue
            if payload.get("PayloadType") != "com.apple.ManagedClient.preferences":
                continue
            for domain, prefs in payload.get("PayloadContent", {}).items():
                if domain not in MAC_DOMAINS:
                    continue
                for forced in prefs.get("Forced", []):
                    for name, value in forced.get("mcx_preference_settings", {}).items():
                        check_chromium(MAC_DOMAINS[domain], name, "mac", value, profile + " " + os.path.basename(path))


# ------------------------------------------------------------------------------------------------ Apple

PLIST_TYPES = {"<string>": str, "<integer>": int, "<boolean>": bool, "<dictionary>": dict, "<array>": list,
               "<real>": float, "<data>": bytes, "<date>": object, "<any>": object}


def check_keys(who, keydefs, payload, skip=()):
    defined = {k["key"]: k for k in keydefs}
    for k, v in payload.items():
        if k in skip:
            continue
        kd = defined.get(k)
        if kd is None:
            out["apple"].append("%s: key %s is not defined by Apple" % (who, k))
            continue
        t = PLIST_TYPES.get(kd.get("type"), object)
        if not isinstance(v, t) or (t is int and isinstance(v, bool)):
            out["apple"].append("%s: key %s is %s, Apple documents %s" % (who, k, type(v).__name__, kd.get("type")))
        if "rangelist" in kd and v not in kd["rangelist"]:
            out["apple"].append("%s: key %s = %r not in Apple's rangelist %r" % (who, k, v, kd["rangelist"]))
    for k, kd in defined.items():
        if kd.get("presence") == "required" and k not in payload and k != "ANY":
            out["apple"].append("%s: required key %s is missing" % (who, k))


def check_managed_preferences(who, payload):
    content = payload.get("PayloadContent")
    if not isinstance(content, dict) or not content:
        out["apple"].append("%s: PayloadContent must be a dictionary of preference domains" % who)
        return
    for domain, prefs in content.items():
        forced = prefs.get("Forced") if isinstance(prefs, dict) else None
        if not isinstance(forced, list) or not forced or set(prefs) - {"Forced", "Set-Once"}:
            out["apple"].append("%s: %s must hold Forced (an array), per com.apple.ManagedClient.preferences" % (who, domain))
            continue
        for i, item in enumerate(forced):
            if not isinstance(item, dict) or set(item) != {"mcx_preference_settings"} or not isinstance(item["mcx_preference_settings"], dict):
                out["apple"].append("%s: %s.Forced[%d] must be a dictionary holding only mcx_preference_settings" % (who, domain, i))


def check_apple(exports):
    top = load_yaml("apple", "mdm", "profiles", "TopLevel.yaml")
    common = load_yaml("apple", "mdm", "profiles", "CommonPayloadKeys.yaml")
    per_device = {"mobileconfig": {}, "settings catalog": {}}
    for profile, d in exports:
        for path in sorted(glob.glob(os.path.join(d, "macos", "*.mobileconfig"))):
            who = "%s %s" % (profile, os.path.relpath(path, d))
            with open(path, "rb") as f:
                doc = plistlib.load(f)
            check_keys(who, top["payloadkeys"], doc)
            scope = doc.get("PayloadScope", "System")  # Apple: System when absent (macOS)
            channel = "devicechannel" if scope == "System" else "userchannel"
            for i, payload in enumerate(doc.get("PayloadContent", [])):
                ptype = payload.get("PayloadType")
                pwho = "%s payload %d (%s)" % (who, i, ptype)
                definition = load_yaml("apple", "mdm", "profiles", "%s.yaml" % ptype)
                if definition is None:
                    out["apple"].append("%s: no Apple definition for this payload type" % pwho)
                    continue
                check_keys(pwho, common["payloadkeys"], {k: v for k, v in payload.items() if k.startswith("Payload") and k != "PayloadContent"})
                mac = definition["payload"]["supportedOS"].get("macOS", {})
                if not mac.get(channel, False):
                    out["apple"].append("%s: in a PayloadScope %s profile (%s), but Apple has %s: %s" % (
                        pwho, scope, channel.replace("channel", " channel"), channel, mac.get(channel)))
                if ptype == "com.apple.ManagedClient.preferences":
                    check_managed_preferences(pwho, payload)
                else:
                    check_keys(pwho, definition.get("payloadkeys", []), payload, skip={k for k in payload if k.startswith("Payload")})
                if mac.get("multiple") is False:
                    per_device["mobileconfig"].setdefault(ptype, []).append(who)
        cat = os.path.join(d, "macos", "settings-catalog", "macos-lock.json")
        if os.path.exists(cat):
            with open(cat, encoding="utf-8") as f:
                doc = json.load(f)
            for s in doc.get("settings", []):
                group = s["settingInstance"]
                ptype = group["settingDefinitionId"].rsplit("_", 1)[0]
                definition = load_yaml("apple", "mdm", "profiles", "%s.yaml" % ptype)
                who = "%s macos/settings-catalog/macos-lock.json %s" % (profile, ptype)
                if definition is None:
                    out["apple"].append("%s: no Apple definition for this payload type" % who)
                    continue
                keys = {k["key"].lower(): k for k in definition.get("payloadkeys", [])}
                written = set()
                for value in group.get("groupSettingCollectionValue", []):
                    for child in value.get("children", []):
                        written.add(child["settingDefinitionId"][len(ptype) + 1:])
                for k in written:
                    if k not in keys:
                        out["apple"].append("%s: key %s is not defined by Apple" % (who, k))
                for k, kd in keys.items():
                    if kd.get("presence") == "required" and k not in written:
                        out["apple"].append("%s: required key %s is missing" % (who, kd["key"]))
                if definition["payload"]["supportedOS"].get("macOS", {}).get("multiple") is False:
                    per_device["settings catalog"].setdefault(ptype, []).append(profile)
                note("macOS settings catalog: Intune chooses the channel per setting definition (com.apple.screensaver.user "
                     "settings are user scope); the catalog file carries no PayloadScope, so its channel is not checked here")
    for form, counts in per_device.items():
        for ptype, where in counts.items():
            if len(where) > 1:
                out["apple-multiple"].append("%s is multiple: false, but a Mac given every profile's %s gets it %d times (%s)" % (
                    ptype, form, len(where), ", ".join(where)))


# ------------------------------------------------------------------------------------------------ Firefox

def check_firefox(exports, extra):
    with open(os.path.join(ORACLES, "mozilla", ".schema-watch", "policies-schema.json"), encoding="utf-8") as f:
        schema = json.load(f)
    validator = jsonschema.Draft7Validator(schema)

    def validate(who, policies):
        for err in sorted(validator.iter_errors(policies), key=lambda e: list(e.absolute_path)):
            out["firefox"].append("%s: %s at %s" % (who, err.message, "/".join(str(p) for p in err.absolute_path) or "(root)"))

    for profile, d in exports:
        p = os.path.join(d, "linux", "firefox", "policies.json")
        if os.path.exists(p):
            with open(p, encoding="utf-8") as f:
                validate("%s linux/firefox/policies.json" % profile, json.load(f)["policies"])
        m = os.path.join(d, "macos", "firefox.mobileconfig")
        if os.path.exists(m):
            with open(m, "rb") as f:
                doc = plistlib.load(f)
            if not any("org.mozilla.firefox" in (p.get("PayloadContent") or {}) for p in doc["PayloadContent"] if p.get("PayloadType") == "com.apple.ManagedClient.preferences"):
                out["firefox"].append("%s macos/firefox.mobileconfig: no org.mozilla.firefox mcx_preference_settings (mozilla mac/README.md: "
                                      "\"in a mobileconfig, the configuration must be nested in mcx_preference_settings\")" % profile)
            for payload in doc["PayloadContent"]:
                for forced in payload.get("PayloadContent", {}).get("org.mozilla.firefox", {}).get("Forced", []):
                    prefs = dict(forced["mcx_preference_settings"])
                    if prefs.pop("EnterprisePoliciesEnabled", None) is not True:
                        out["firefox"].append("%s macos/firefox.mobileconfig: EnterprisePoliciesEnabled must be true (mozilla mac/README.md)" % profile)
                    validate("%s macos/firefox.mobileconfig" % profile, prefs)
    for p in extra:
        with open(p, encoding="utf-8") as f:
            validate(p, json.load(f)["policies"])


# ------------------------------------------------------------------------------------------------ Samba

def locked_value(v):
    """Our Preferences entries are {"Value": v, "Status": "locked"}; Samba's GP client writes the bare value (the older
    form, which Firefox also locks): compare the values."""
    if isinstance(v, dict) and set(v) == {"Value", "Status"} and v["Status"] == "locked":
        return v["Value"]
    return v


def normalise_firefox(p):
    p = json.loads(json.dumps(p))
    prefs = p.get("Preferences")
    if isinstance(prefs, dict):
        p["Preferences"] = {k: locked_value(v) for k, v in prefs.items()}
    return p


WINDOWS_ONLY, LINUX_NOT_WINDOWS = {}, {}


def read_platforms(baseline):
    """Settings the baseline says exist on Windows but not Linux, or the reverse (its per-setting "platforms")."""
    with open(baseline, encoding="utf-8") as f:
        doc = json.load(f)
    for c in doc["controls"]:
        for s in c.get("settings", []):
            plats = s.get("platforms")
            if plats is None:
                continue
            if "Windows" in plats and "Linux" not in plats:
                WINDOWS_ONLY.setdefault(s["target"], set()).add(s["name"])
            if "Linux" in plats and "Windows" not in plats:
                LINUX_NOT_WINDOWS.setdefault(s["target"], set()).add(s["name"])


def check_samba(exports):
    for profile, d in exports:
        entries = pol_entries(os.path.join(d, "gpo", "Machine", "registry.pol"))
        for browser, key in WIN_KEYS.items():
            linux = os.path.join(d, "linux", browser.lower(), "wa-hardening.json")
            ours = {}
            if os.path.exists(linux):
                with open(linux, encoding="utf-8") as f:
                    ours = json.load(f)
            managed, _ = gp_chromium_ext.convert_pol_to_json({}, {}, key, entries)
            if browser == "Edge":
                # convert_pol_to_json matches by prefix: Software\Policies\Microsoft\Edge also takes ...\EdgeUpdate's values.
                edge_update = "Software\\Policies\\Microsoft\\EdgeUpdate"
                alone, _ = gp_chromium_ext.convert_pol_to_json({}, {}, key, [e for e in entries if not under(e.keyname, edge_update)])
                leaked = sorted(set(managed) - set(alone))
                if leaked:
                    note("Samba's convert_pol_to_json matches keys by prefix, so Software\\Policies\\Microsoft\\Edge also takes "
                         "Edge Update's values (%s); Samba has no Edge extension, so no real client does this; compared "
                         "without them" % ", ".join(leaked))
                managed = alone
            if browser != "Chrome":
                note("Samba's GP client applies only Software\\Policies\\Google\\Chrome (to /etc/chromium and /etc/opt/chrome); "
                     "Chromium's and Edge's keys are converted here with the same function")
            for name, v in list(managed.items()):
                if isinstance(ours.get(name), bool) and isinstance(v, int) and not isinstance(v, bool) and v in (0, 1):
                    if browser == "Chrome":  # the only key Samba's client applies
                        out["samba"].append("%s %s %s: Samba's GP client writes %r (a number) for a boolean policy (its list of "
                                            "boolean policies lacks it); Chromium expects true/false" % (profile, browser, name, v))
                    else:
                        note("Samba's boolean-policy list lacks %s (%s): converted here as a number; no Samba client reads that key" % (name, browser))
                    managed[name] = bool(v)
            # A setting the baseline restricts to some platforms ("platforms") is in one file and not the other, by design.
            for name in WINDOWS_ONLY.get(browser, ()):
                managed.pop(name, None)
            for name in LINUX_NOT_WINDOWS.get(browser, ()):
                ours.pop(name, None)
            if managed != ours:
                out["samba"].append("%s %s: Samba's conversion of registry.pol differs from linux/%s/wa-hardening.json: "
                                    "only Samba %s, only ours %s, differing %s" % (
                                        profile, browser, browser.lower(),
                                        sorted(set(managed) - set(ours)), sorted(set(ours) - set(managed)),
                                        sorted(k for k in set(ours) & set(managed) if ours[k] != managed[k])))
        # The real client: gp_chromium_ext writes the Google\Chrome section to /etc/chromium too (gp_chrome_ext to
        # /etc/opt/chrome), so a Samba-managed Chromium gets Chrome's policies: they must be the Chromium export's.
        chromium = os.path.join(d, "linux", "chromium", "wa-hardening.json")
        if os.path.exists(chromium):
            with open(chromium, encoding="utf-8") as f:
                ours = json.load(f)
            managed, _ = gp_chromium_ext.convert_pol_to_json({}, {}, WIN_KEYS["Chrome"], entries)
            for name in WINDOWS_ONLY.get("Chrome", ()):
                managed.pop(name, None)
            if managed != ours:
                out["samba"].append("%s Chromium via Samba's gp_chromium_ext (the Google\\Chrome key written to /etc/chromium) differs "
                                    "from linux/chromium/wa-hardening.json: only Samba %s, only ours %s, differing %s" % (
                                        profile, sorted(set(managed) - set(ours)), sorted(set(ours) - set(managed)),
                                        sorted(k for k in set(ours) & set(managed) if ours[k] != managed[k])))
        linux = os.path.join(d, "linux", "firefox", "policies.json")
        ours = {}
        if os.path.exists(linux):
            with open(linux, encoding="utf-8") as f:
                ours = json.load(f)["policies"]
        theirs = gp_firefox_ext.convert_pol_to_json({"policies": {}}, FIREFOX_KEY, entries)["policies"]
        a, b = normalise_firefox(theirs), normalise_firefox(ours)
        if a != b:
            out["samba"].append("%s Firefox: Samba's conversion of registry.pol differs from linux/firefox/policies.json: Samba %s, ours %s" % (
                profile, json.dumps(a, sort_keys=True), json.dumps(b, sort_keys=True)))


def main(argv):
    exports, extra = [], []
    i = 0
    while i < len(argv):
        if argv[i] == "--export":
            profile, d = argv[i + 1].split("=", 1)
            exports.append((profile, d))
            i += 2
        elif argv[i] == "--baseline":
            read_platforms(argv[i + 1])
            i += 2
        elif argv[i] == "--firefox-json":
            extra.append(argv[i + 1])
            i += 2
        else:
            raise SystemExit("unknown argument %s" % argv[i])
    for profile, d in exports:
        check_chromium_outputs(profile, d)
    check_apple(exports)
    check_firefox(exports, extra)
    check_samba(exports)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main(sys.argv[2:])
