using System;
using System.IO;
using System.Linq;
using WaHardening.Core.Json;
using WaHardening.Core.Sessions;
using Xunit;

namespace WaHardening.Core.Tests
{
    /// <summary>
    /// The pure parts of Clear-WaWebSession. The whole clear is proven against the real browsers in
    /// tests/pester/WebSession.Tests.ps1; these pin the rules the real files exercise there.
    /// </summary>
    public class WebSessionClearTests
    {
        [Theory]
        [InlineData(".whatsapp.com", "web.whatsapp.com", true)]
        [InlineData(".web.whatsapp.com", "web.whatsapp.com", true)]
        [InlineData("web.whatsapp.com", "web.whatsapp.com", true)]
        [InlineData("WhatsApp.com", "web.whatsapp.com", true)]
        [InlineData(".com", "web.whatsapp.com", false)]          // a parent domain needs two labels
        [InlineData("com", "web.whatsapp.com", false)]
        [InlineData("notwhatsapp.com", "web.whatsapp.com", false)]
        [InlineData(".www.whatsapp.com", "web.whatsapp.com", false)] // a sibling, not a parent
        [InlineData("", "web.whatsapp.com", false)]
        public void Cookie_domains_cover_the_host_and_its_parent_domains_only(string domain, string host, bool covered) =>
            Assert.Equal(covered, BrowserDriver.CookieDomainCovers(domain, host));

        [Theory]
        [InlineData("https://web.whatsapp.com", "https://web.whatsapp.com")]
        [InlineData("https://WEB.whatsapp.com/", "https://web.whatsapp.com")]
        [InlineData("https://web.whatsapp.com:443", "https://web.whatsapp.com")]
        [InlineData("https://localhost:8443/x", "https://localhost:8443")]
        public void Origins_are_serialized_without_path_or_default_port(string input, string expected) =>
            Assert.Equal(expected, BrowserDriver.Normalize(input));

        [Theory]
        [InlineData("[*.]whatsapp.com")]
        [InlineData("ftp://web.whatsapp.com")]
        [InlineData("web.whatsapp.com")]
        public void A_value_that_is_not_an_http_origin_is_a_typed_error(string origin)
        {
            var e = Assert.Throws<WaHardeningException>(() => BrowserDriver.HostOf(origin));
            Assert.Equal(ErrorIds.WebSessionOriginInvalid, e.ErrorId);
        }

        [Fact]
        public void Arguments_survive_the_quoting_of_ProcessStartInfo()
        {
            var args = new[] { "--host-resolver-rules=MAP * ~NOTFOUND", "--profile-directory=Profile 1", "a\"b", "c:\\dir\\", "" };
            var quoted = BrowserProcess.Quote(args);
            Assert.Equal("\"--host-resolver-rules=MAP * ~NOTFOUND\" \"--profile-directory=Profile 1\" \"a\\\"b\" c:\\dir\\ \"\"", quoted);
        }

        // The shape of a real Firefox ESR 153 recovery.jsonlz4 (decoded) after a WhatsApp Web tab was open, cut down: the
        // tab's sessionStorage under "storage", a history entry per page, session cookies, a closed tab of the site.
        private const string SessionStore = @"{""version"":[""sessionrestore"",1],""windows"":[{""tabs"":[
 {""entries"":[{""url"":""https://unrelated.example.net/"",""title"":""other""},{""url"":""https://web.whatsapp.com/"",""title"":""WhatsApp""}],
  ""index"":2,""storage"":{""https://web.whatsapp.com"":{""ss_X"":""ssval_X""},""https://unrelated.example.net"":{""k"":""v""}}},
 {""entries"":[{""url"":""https://web.whatsapp.com/"",""title"":""WhatsApp""}],""index"":1,""storage"":{""https://web.whatsapp.com"":{""a"":""b""}}},
 {""entries"":[{""url"":""about:blank""}],""index"":1}],
 ""selected"":3,
 ""_closedTabs"":[{""state"":{""entries"":[{""url"":""https://web.whatsapp.com/""}],""storage"":{""https://web.whatsapp.com"":{""c"":""d""}}}},
                  {""state"":{""entries"":[{""url"":""https://unrelated.example.net/""}]}}],
 ""cookies"":[{""host"":"".whatsapp.com"",""name"":""wa"",""value"":""s""},{""host"":""unrelated.example.net"",""name"":""o"",""value"":""p""}]}],
 ""selectedWindow"":1,""_closedWindows"":[],""session"":{""lastUpdate"":1},""global"":{}}";

        [Fact]
        public void The_session_store_loses_the_sites_storage_cookies_entries_and_tabs_and_keeps_the_rest()
        {
            var outText = SessionRestoreScrubber.ScrubText(SessionStore, new[] { "web.whatsapp.com" });
            Assert.NotNull(outText);
            Assert.DoesNotContain("whatsapp", outText, StringComparison.OrdinalIgnoreCase);
            var w = (JsonObject)((JsonArray)((JsonObject)JsonParser.Parse(outText!))["windows"]!)[0];
            var tabs = (JsonArray)w["tabs"]!;
            Assert.Equal(2, tabs.Count); // the WhatsApp-only tab went
            var first = (JsonObject)tabs[0];
            Assert.Single(((JsonArray)first["entries"]!).Items);
            Assert.Equal("1", ((JsonNumber)first["index"]!).Raw);
            Assert.True(((JsonObject)first["storage"]!).Contains("https://unrelated.example.net"));
            Assert.Equal("2", ((JsonNumber)w["selected"]!).Raw);
            Assert.Single(((JsonArray)w["_closedTabs"]!).Items);
            Assert.Equal("o", ((JsonString)((JsonObject)((JsonArray)w["cookies"]!)[0])["name"]!).Value);
        }

        [Fact]
        public void A_session_store_without_the_site_is_left_as_it_is()
        {
            const string text = @"{""windows"":[{""tabs"":[{""entries"":[{""url"":""https://example.org/""}]}]}]}";
            Assert.Same(text, SessionRestoreScrubber.ScrubText(text, new[] { "web.whatsapp.com" }));
        }

        [Fact]
        public void A_session_store_that_still_names_the_site_after_the_scrub_is_given_up_on()
        {
            // A favicon of the site in another tab: not a structure the scrub knows, so the file is removed (null).
            const string text = @"{""windows"":[{""tabs"":[{""entries"":[{""url"":""https://example.org/""}],""image"":""https://web.whatsapp.com/favicon.ico""}]}]}";
            Assert.Null(SessionRestoreScrubber.ScrubText(text, new[] { "web.whatsapp.com" }));
            Assert.Null(SessionRestoreScrubber.ScrubText("{not json web.whatsapp.com", new[] { "web.whatsapp.com" }));
        }
        [Fact]
        public void Deleting_a_per_origin_folder_removes_links_in_it_and_never_what_they_point_to()
        {
            if (OperatingSystem.IsWindows()) return; // symlink creation needs privileges there; the rule is the same code
            var root = Directory.CreateTempSubdirectory("wah-pf-").FullName;
            try
            {
                var profile = Directory.CreateDirectory(Path.Combine(root, "profile")).FullName;
                var outside = Directory.CreateDirectory(Path.Combine(root, "outside")).FullName;
                File.WriteAllText(Path.Combine(outside, "keep.txt"), "keep");
                var origin = Directory.CreateDirectory(Path.Combine(profile, "IndexedDB", "https_web.whatsapp.com_0.indexeddb.leveldb")).FullName;
                File.WriteAllText(Path.Combine(origin, "000003.log"), "x");
                File.CreateSymbolicLink(Path.Combine(origin, "link-to-outside"), outside);
                Assert.True(ProfileFiles.DeleteTree(profile, origin));
                Assert.False(Directory.Exists(origin));
                Assert.True(File.Exists(Path.Combine(outside, "keep.txt")));
            }
            finally { Directory.Delete(root, true); }
        }

        [Fact]
        public void A_path_through_a_link_in_the_profile_is_not_touched_and_a_path_outside_is_refused()
        {
            if (OperatingSystem.IsWindows()) return;
            var root = Directory.CreateTempSubdirectory("wah-pf-").FullName;
            try
            {
                var profile = Directory.CreateDirectory(Path.Combine(root, "profile")).FullName;
                var outside = Directory.CreateDirectory(Path.Combine(root, "outside")).FullName;
                Directory.CreateDirectory(Path.Combine(outside, "leveldb"));
                File.WriteAllText(Path.Combine(outside, "leveldb", "CURRENT"), "MANIFEST-000001\n");
                File.CreateSymbolicLink(Path.Combine(profile, "Local Storage"), outside);
                Assert.False(ProfileFiles.IsPlainDirectory(profile, Path.Combine(profile, "Local Storage", "leveldb")));
                Assert.False(ProfileFiles.DeleteTree(profile, Path.Combine(profile, "Local Storage", "leveldb")));
                Assert.True(File.Exists(Path.Combine(outside, "leveldb", "CURRENT")));
                var e = Assert.Throws<WaHardeningException>(() => ProfileFiles.DeleteTree(profile, Path.Combine(outside, "leveldb")));
                Assert.Equal(ErrorIds.WebSessionClearFailed, e.ErrorId);
                Assert.True(File.Exists(Path.Combine(outside, "leveldb", "CURRENT")));
            }
            finally { Directory.Delete(root, true); }
        }
    }
}
