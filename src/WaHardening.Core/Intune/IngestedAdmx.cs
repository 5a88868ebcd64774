using System;
using System.Collections.Generic;

namespace WaHardening.Core.Intune
{
    /// <summary>
    /// ADMX files the custom OMA-URI profile ingests (Policy CSP ConfigOperations/ADMXInstall, no licence beyond Intune) so that
    /// ADMX-backed OMA-URIs of applications the settings catalog does not know can be set.
    /// <para>
    /// Google Update: the settings catalog has none of its policies (its "update~policy~cat_google~cat_googleupdate" area is
    /// Microsoft Edge Update's). This ADMX is written here, not copied: it defines only the policies the baseline writes, with
    /// the policy names, element ids, registry key, value names and enum values of Omaha's template
    /// (google/omaha omaha/enterprise/generate_group_policy_template_admx.py, checked against its test_gold.admx in the tests:
    /// key Software\Policies\Google\Update, UpdateDefault and Update{app guid} REG_DWORD 0..3). Its own namespace and categories
    /// keep it apart from a GoogleUpdate.admx an administrator may have ingested; ingested ADMX policies may write below
    /// Software\Policies\Google (only System, Software\Microsoft and Software\Policies\Microsoft are refused:
    /// learn.microsoft.com/windows/client-management/win32-and-centennial-app-policy-configuration).
    /// </para>
    /// </summary>
    public static class IngestedAdmx
    {
        public sealed class Admx
        {
            public Admx(string appName, string fileUid, string text) { AppName = appName; FileUid = fileUid; Text = text; }
            /// <summary>The first part of the OMA-URIs of its policies: ./Device/Vendor/MSFT/Policy/Config/&lt;AppName&gt;~Policy~…</summary>
            public string AppName { get; }
            public string FileUid { get; }
            public string Text { get; }
            public string InstallOmaUri => $"./Device/Vendor/MSFT/Policy/ConfigOperations/ADMXInstall/{AppName}/Policy/{FileUid}";
        }

        public const string GoogleUpdateApp = "WaHardeningGoogleUpdate";

        /// <summary>The ADMX files by application name.</summary>
        public static readonly IReadOnlyDictionary<string, Admx> ByApp = new Dictionary<string, Admx>(StringComparer.OrdinalIgnoreCase)
        {
            [GoogleUpdateApp] = new Admx(GoogleUpdateApp, "WaHardeningGoogleUpdateAdmx", GoogleUpdate()),
        };

        /// <summary>The application of an ADMX-backed OMA-URI (./Device/Vendor/MSFT/Policy/Config/App~Policy~…/Policy), or null.</summary>
        public static string? AppOf(string omaUri)
        {
            const string prefix = "./Device/Vendor/MSFT/Policy/Config/";
            if (!omaUri.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return null;
            var rest = omaUri.Substring(prefix.Length);
            var tilde = rest.IndexOf("~Policy~", StringComparison.Ordinal);
            return tilde > 0 ? rest.Substring(0, tilde) : null;
        }

        private static string UpdateEnum(string valueName) =>
            $"        <enum id=\"Part_UpdatePolicy\" valueName=\"{valueName}\" required=\"true\">\n" +
            // Omaha's items: 1 always allow, 2 manual only, 3 automatic silent only, 0 disabled.
            "          <item displayName=\"$(string.Name_UpdatesEnabled)\"><value><decimal value=\"1\" /></value></item>\n" +
            "          <item displayName=\"$(string.Name_ManualUpdatesOnly)\"><value><decimal value=\"2\" /></value></item>\n" +
            "          <item displayName=\"$(string.Name_AutomaticUpdatesOnly)\"><value><decimal value=\"3\" /></value></item>\n" +
            "          <item displayName=\"$(string.Name_UpdatesDisabled)\"><value><decimal value=\"0\" /></value></item>\n" +
            "        </enum>\n";

        private static string GoogleUpdate()
        {
            const string key = @"Software\Policies\Google\Update";
            return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" +
                "<!-- WaHardening: the Google Update policies the baseline sets, for Intune ADMX ingestion. Names, key, values as Omaha's GoogleUpdate.admx. -->\n" +
                "<policyDefinitions revision=\"1.0\" schemaVersion=\"1.0\">\n" +
                "  <policyNamespaces>\n" +
                "    <target namespace=\"WaHardening.Policies.GoogleUpdate\" prefix=\"wahgoogleupdate\" />\n" +
                "  </policyNamespaces>\n" +
                "  <resources minRequiredRevision=\"1.0\" />\n" +
                "  <supportedOn>\n    <definitions>\n" +
                "      <definition name=\"Sup_GoogleUpdate1_2_145_5\" displayName=\"$(string.Sup_GoogleUpdate1_2_145_5)\" />\n" +
                "    </definitions>\n  </supportedOn>\n" +
                "  <categories>\n" +
                "    <category name=\"Cat_GoogleUpdate\" displayName=\"$(string.Cat_GoogleUpdate)\" />\n" +
                "    <category name=\"Cat_Applications\" displayName=\"$(string.Cat_Applications)\"><parentCategory ref=\"Cat_GoogleUpdate\" /></category>\n" +
                "    <category name=\"Cat_GoogleChrome\" displayName=\"$(string.Cat_GoogleChrome)\"><parentCategory ref=\"Cat_Applications\" /></category>\n" +
                "  </categories>\n" +
                "  <policies>\n" +
                $"    <policy name=\"Pol_DefaultUpdatePolicy\" class=\"Machine\" displayName=\"$(string.Pol_DefaultUpdatePolicy)\" explainText=\"$(string.Explain_DefaultUpdatePolicy)\" presentation=\"$(presentation.Pol_DefaultUpdatePolicy)\" key=\"{key}\">\n" +
                "      <parentCategory ref=\"Cat_Applications\" />\n      <supportedOn ref=\"Sup_GoogleUpdate1_2_145_5\" />\n      <elements>\n" +
                UpdateEnum("UpdateDefault") +
                "      </elements>\n    </policy>\n" +
                $"    <policy name=\"Pol_UpdatePolicyGoogleChrome\" class=\"Machine\" displayName=\"$(string.Pol_UpdatePolicy)\" explainText=\"$(string.Explain_AutoUpdateGoogleChrome)\" presentation=\"$(presentation.Pol_UpdatePolicy)\" key=\"{key}\">\n" +
                "      <parentCategory ref=\"Cat_GoogleChrome\" />\n      <supportedOn ref=\"Sup_GoogleUpdate1_2_145_5\" />\n      <elements>\n" +
                // Google Chrome's application id (omaha CHANGELOG.txt; oracles/google-update/facts.yaml).
                UpdateEnum("Update{8A69D345-D564-463C-AFF1-A69D9E530F96}") +
                "      </elements>\n    </policy>\n" +
                "  </policies>\n" +
                "</policyDefinitions>\n";
        }
    }
}
