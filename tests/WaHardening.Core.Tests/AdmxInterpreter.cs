using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Xml.Linq;
using Xunit;

namespace WaHardening.Core.Tests
{
    /// <summary>
    /// A small ADMX interpreter: the registry values an ADMX-backed OMA-URI value (&lt;enabled/&gt;&lt;data id=… value=…/&gt;)
    /// writes through a given ADMX file, by the ADMX schema's rules for the element kinds the exports use (Microsoft, "ADMX
    /// schema": a policy's enabledValue/disabledValue at its key/valueName; text → REG_SZ (REG_EXPAND_SZ when expandable);
    /// decimal → REG_DWORD within minValue..maxValue, default 0..9999; enum → the chosen item's value, decimal → REG_DWORD,
    /// string → REG_SZ; list → one REG_SZ per item in the element's key, named valuePrefix + 1..n, sent as the name/value
    /// pairs of Mozilla's docs/oma-uris.md; multiText → REG_MULTI_SZ, lines separated by U+F000). It knows nothing about the
    /// module: it reads only the ADMX and the payload, so it can run over Mozilla's firefox.admx and the module's own ADMX alike.
    /// </summary>
    public static class AdmxInterpreter
    {
        public sealed record Write(string Key, string ValueName, string Kind, string Data)
        {
            public override string ToString() => $@"{Key}\{ValueName} = {Data.Replace("\0", "|")} ({Kind})";
        }

        private static IEnumerable<XElement> Named(XContainer c, string local) => c.Descendants().Where(e => e.Name.LocalName == local);
        private static string? A(XElement e, string name) => (string?)e.Attribute(name);

        /// <summary>The policy an OMA-URI names (./Device/Vendor/MSFT/Policy/Config/App~Policy~cat1~cat2/Policy), its category
        /// chain checked against the ADMX's own categories when <paramref name="checkCategories"/>.</summary>
        public static XElement Policy(XDocument admx, string omaUri, bool checkCategories = true)
        {
            var rest = omaUri.Substring("./Device/Vendor/MSFT/Policy/Config/".Length);
            var slash = rest.IndexOf('/');
            var categories = rest.Substring(0, slash).Split('~').Skip(2).ToArray();
            var name = rest.Substring(slash + 1);
            var policies = Named(admx, "policy").Where(p => A(p, "name") == name).ToList();
            Assert.True(policies.Count == 1, $"{omaUri}: the ADMX has {policies.Count} policies named {name}");
            var policy = policies[0];
            if (checkCategories)
            {
                // The OMA-URI's category path is the policy's chain of categories defined in this ADMX ("prefix:name" is another file's).
                var chain = new List<string>();
                var cat = A(Named(policy, "parentCategory").First(), "ref");
                while (cat != null && !cat.Contains(':'))
                {
                    chain.Insert(0, cat);
                    var def = Named(admx, "category").SingleOrDefault(c => A(c, "name") == cat);
                    Assert.True(def != null, $"{omaUri}: category {cat} is not defined in the ADMX");
                    cat = Named(def!, "parentCategory").Select(p => A(p, "ref")).FirstOrDefault();
                }
                Assert.Equal(string.Join("~", categories), string.Join("~", chain));
            }
            return policy;
        }

        private static Write? Value(string key, string valueName, XElement? holder)
        {
            if (holder == null) return null;
            var v = holder.Elements().Single();
            return v.Name.LocalName switch
            {
                "decimal" => new Write(key, valueName, "REG_DWORD", uint.Parse(A(v, "value")!, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture)),
                "string" => new Write(key, valueName, "REG_SZ", v.Value),
                "delete" => null,
                _ => throw new NotSupportedException("ADMX value " + v),
            };
        }

        /// <summary>The registry values (HKLM, machine policy) the OMA-URI value writes through the ADMX.</summary>
        public static List<Write> Apply(XDocument admx, string omaUri, string payload, bool checkCategories = true)
        {
            var policy = Policy(admx, omaUri, checkCategories);
            var key = A(policy, "key")!;
            var valueName = A(policy, "valueName");
            var doc = XElement.Parse("<p>" + payload + "</p>");
            var enabled = doc.Element("enabled") != null;
            var writes = new List<Write>();
            if (!enabled)
            {
                Assert.NotNull(doc.Element("disabled"));
                if (valueName != null && Value(key, valueName, policy.Elements().FirstOrDefault(e => e.Name.LocalName == "disabledValue")) is Write d) writes.Add(d);
                return writes;
            }
            var elements = policy.Elements().FirstOrDefault(e => e.Name.LocalName == "elements");
            if (valueName != null)
            {
                var ev = policy.Elements().FirstOrDefault(e => e.Name.LocalName == "enabledValue");
                if (ev != null) writes.Add(Value(key, valueName, ev)!);
                else if (elements == null) writes.Add(new Write(key, valueName, "REG_DWORD", "1"));
            }
            foreach (var data in doc.Elements("data"))
            {
                var id = (string)data.Attribute("id")!;
                var value = (string)data.Attribute("value")!;
                var matches = elements?.Elements().Where(e => A(e, "id") == id).ToList() ?? new List<XElement>();
                Assert.True(matches.Count == 1, $"{omaUri}: element {id} is not one element of the policy");
                var element = matches[0];
                var ekey = A(element, "key") ?? key;
                var evn = A(element, "valueName");
                switch (element.Name.LocalName)
                {
                    case "text":
                        writes.Add(new Write(ekey, evn!, A(element, "expandable") == "true" ? "REG_EXPAND_SZ" : "REG_SZ", value));
                        break;
                    case "decimal":
                    {
                        var n = long.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture);
                        var min = long.Parse(A(element, "minValue") ?? "0", CultureInfo.InvariantCulture);
                        var max = long.Parse(A(element, "maxValue") ?? "9999", CultureInfo.InvariantCulture);
                        Assert.True(n >= min && n <= max, $"{omaUri}: {n} is outside {min}..{max}");
                        writes.Add(new Write(ekey, evn!, A(element, "storeAsText") == "true" ? "REG_SZ" : "REG_DWORD", n.ToString(CultureInfo.InvariantCulture)));
                        break;
                    }
                    case "enum":
                    {
                        var items = element.Elements().Where(i => i.Name.LocalName == "item")
                            .Select(i => Value(ekey, evn!, i.Elements().Single(x => x.Name.LocalName == "value"))!).Where(w => w.Data == value).ToList();
                        Assert.True(items.Count == 1, $"{omaUri}: '{value}' is not one item of enum {id}");
                        writes.Add(items[0]);
                        break;
                    }
                    case "list":
                    {
                        var parts = value.Split('\uF000');
                        Assert.True(parts.Length % 2 == 0, $"{omaUri}: list {id} needs name/value pairs");
                        var prefix = A(element, "valuePrefix");
                        for (var k = 0; k < parts.Length; k += 2)
                        {
                            // With valuePrefix the names are prefix + 1..n: the pairs must say the same.
                            if (prefix != null) Assert.Equal(prefix + (k / 2 + 1).ToString(CultureInfo.InvariantCulture), parts[k]);
                            writes.Add(new Write(ekey, parts[k], A(element, "expandable") == "true" ? "REG_EXPAND_SZ" : "REG_SZ", parts[k + 1]));
                        }
                        break;
                    }
                    case "multiText":
                        writes.Add(new Write(ekey, evn!, "REG_MULTI_SZ", string.Join("\0", value.Split('\uF000'))));
                        break;
                    default:
                        throw new NotSupportedException($"{omaUri}: ADMX element kind {element.Name.LocalName}");
                }
            }
            return writes;
        }
    }
}
