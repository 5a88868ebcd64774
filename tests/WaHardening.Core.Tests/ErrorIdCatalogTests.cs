using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using WaHardening.Core.Reporting;
using Xunit;

namespace WaHardening.Core.Tests
{
    /// <summary>
    /// Issue #15: one ErrorId catalog (WaHardening.Core.ErrorIds). Every id is a constant there with a description; no
    /// source file spells an id as a string literal (so a typo cannot make a new, undocumented id), and ids composed at
    /// run time (ReportFormatException: "Report" + SkipReason) are all in the catalog.
    /// </summary>
    public class ErrorIdCatalogTests
    {
        private static string SrcRoot()
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !Directory.Exists(Path.Combine(dir.FullName, "src", "WaHardening.Core"))) dir = dir.Parent;
            Assert.True(dir != null, "the repository's src/ folder was not found above the test output");
            return Path.Combine(dir!.FullName, "src");
        }

        private static readonly string[] Constants = typeof(ErrorIds).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToArray();

        [Fact]
        public void Every_constant_has_a_description_and_every_description_a_constant()
        {
            Assert.NotEmpty(Constants);
            Assert.Equal(Constants.OrderBy(x => x, StringComparer.Ordinal), ErrorIds.Descriptions.Keys);
            Assert.All(ErrorIds.Descriptions, d => Assert.True(d.Value.Length > 10, d.Key));
            Assert.All(typeof(ErrorIds).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral),
                f => Assert.Equal(f.Name, (string)f.GetRawConstantValue()!));
        }

        [Fact]
        public void No_source_file_spells_an_error_id_as_a_literal()
        {
            var literal = new Regex("\"(" + string.Join("|", Constants) + ")\"", RegexOptions.CultureInvariant);
            var offenders = Directory.EnumerateFiles(SrcRoot(), "*.cs", SearchOption.AllDirectories)
                .Where(f => !f.Contains(Path.DirectorySeparatorChar + "bin" + Path.DirectorySeparatorChar)
                         && !f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar)
                         && Path.GetFileName(f) != "ErrorIds.cs")
                .SelectMany(f => File.ReadAllLines(f).Select((l, i) => (File: f, Line: i + 1, Text: l)))
                .Where(x => literal.IsMatch(x.Text))
                .Select(x => $"{x.File}:{x.Line}: {x.Text.Trim()}").ToList();
            Assert.True(offenders.Count == 0, "use ErrorIds.<Name>:\n" + string.Join("\n", offenders));
        }

        [Fact]
        public void No_error_is_raised_with_a_literal_id()
        {
            // A literal first argument would be an id outside the catalog (the scan above only knows the catalog's names).
            var raise = new Regex(@"(new \w*Exception|:\s*base)\(\s*""(?!Report"" \+)", RegexOptions.CultureInvariant);
            var offenders = Directory.EnumerateFiles(SrcRoot(), "*.cs", SearchOption.AllDirectories)
                .Where(f => !f.Contains(Path.DirectorySeparatorChar + "bin" + Path.DirectorySeparatorChar)
                         && !f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar))
                .SelectMany(f =>
                {
                    var lines = File.ReadAllLines(f);
                    var derives = lines.Any(l => Regex.IsMatch(l, @":\s*WaHardeningException\b"));   // base(...) is an error id only there
                    return lines.Select((l, i) => (File: f, Line: i + 1, Text: l, Derives: derives));
                })
                .Where(x => raise.IsMatch(x.Text) && (x.Text.Contains("WaHardeningException(") || (x.Derives && x.Text.Contains("base("))))
                .Select(x => $"{x.File}:{x.Line}: {x.Text.Trim()}").ToList();
            Assert.True(offenders.Count == 0, "add the id to ErrorIds and use the constant:\n" + string.Join("\n", offenders));
        }

        [Fact]
        public void Ids_composed_at_run_time_are_in_the_catalog()
        {
            foreach (SkipReason code in Enum.GetValues(typeof(SkipReason)))
                Assert.Equal("Report" + code, new ReportFormatException("f.json", "why", code).ErrorId);
            foreach (SkipReason code in Enum.GetValues(typeof(SkipReason)))
                Assert.Contains("Report" + code, ErrorIds.Descriptions.Keys);
        }
    }
}
