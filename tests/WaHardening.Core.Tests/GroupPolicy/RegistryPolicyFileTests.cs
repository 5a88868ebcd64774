using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using WaHardening.Core.GroupPolicy;
using WaHardening.Core.Rendering;
using Xunit;

namespace WaHardening.Core.Tests.GroupPolicy
{
    public class RegistryPolicyFileTests
    {
        private const string K = @"Software\Policies\WaHardening\Test";

        internal static byte[] U16(string s) => Encoding.Unicode.GetBytes(s);

        /// <summary>Hand-assembles a record, independently of the writer.</summary>
        internal static byte[] Record(string key, string value, uint type, byte[] data)
        {
            var b = new List<byte>();
            b.AddRange(U16("[" + key + "\0;" + value + "\0;"));
            b.AddRange(BitConverter.GetBytes(type)); b.AddRange(U16(";"));
            b.AddRange(BitConverter.GetBytes((uint)data.Length)); b.AddRange(U16(";"));
            b.AddRange(data); b.AddRange(U16("]"));
            return b.ToArray();
        }

        internal static byte[] File(params byte[][] records)
        {
            var b = new List<byte>(Encoding.ASCII.GetBytes("PReg")) { 1, 0, 0, 0 };
            foreach (var r in records) b.AddRange(r);
            return b.ToArray();
        }

        [Fact]
        public void Zero_entry_file_is_just_the_header_and_Samba_agrees()
        {
            var bytes = RegistryPolicyFile.ToBytes(Array.Empty<PolEntry>());
            Assert.Equal(new byte[] { 0x50, 0x52, 0x65, 0x67, 1, 0, 0, 0 }, bytes);
            Assert.Empty(RegistryPolicyFile.Read(bytes));
            Samba.AssertSame(bytes, Array.Empty<Samba.Meant>());
        }

        [Fact]
        public void Every_value_type_round_trips_and_Samba_reads_what_was_meant()
        {
            var entries = new List<PolEntry>
            {
                PolEntry.String(K, "Sz", "plain"),
                PolEntry.ExpandString(K, "Expand", @"%SystemRoot%\x"),
                PolEntry.Binary(K, "Bin", new byte[] { 0, 1, 2, 0xFF }),
                PolEntry.DWord(K, "Dw", 300),
                PolEntry.DWordBigEndian(K, "DwBe", 0x01020304),
                PolEntry.MultiString(K, "Multi", new[] { "a", "b c" }),
                PolEntry.QWord(K, "Qw", 0x0102030405060708UL),
                PolEntry.Create(K, "None", RegistryKind.None, null),
            };
            var bytes = RegistryPolicyFile.ToBytes(entries);
            var back = RegistryPolicyFile.Read(bytes);
            Assert.Equal(entries, back);
            Assert.Equal("plain", back[0].Data);
            Assert.Equal(@"%SystemRoot%\x", back[1].Data);
            Assert.Equal(new byte[] { 0, 1, 2, 0xFF }, back[2].Data);
            Assert.Equal(300u, back[3].Data);
            Assert.Equal(0x01020304u, back[4].Data);
            Assert.Equal(new byte[] { 1, 2, 3, 4 }, back[4].RawData);
            Assert.Equal(new[] { "a", "b c" }, back[5].Data);
            Assert.Equal(0x0102030405060708UL, back[6].Data);
            Assert.Null(back[7].Data);
            Assert.Equal(0, back[7].Size);
            // The writer's bytes equal a hand-assembled file.
            Assert.Equal(File(Record(K, "Sz", 1, U16("plain\0"))), RegistryPolicyFile.ToBytes(entries.Take(1)));
            Samba.AssertSame(bytes, new[]
            {
                Samba.M(K, "Sz", RegistryKind.String, "plain"),
                Samba.M(K, "Expand", RegistryKind.ExpandString, @"%SystemRoot%\x"),
                Samba.M(K, "Bin", RegistryKind.Binary, new byte[] { 0, 1, 2, 0xFF }),
                Samba.M(K, "Dw", RegistryKind.DWord, 300u),
                Samba.M(K, "DwBe", RegistryKind.DWordBigEndian, 0x01020304u),
                Samba.M(K, "Multi", RegistryKind.MultiString, new[] { "a", "b c" }),
                Samba.M(K, "Qw", RegistryKind.QWord, 0x0102030405060708UL),
                Samba.M(K, "None", RegistryKind.None, null),
            });
        }

        [Fact]
        public void Special_value_names_are_written_and_recognised()
        {
            var entries = new List<PolEntry>
            {
                PolEntry.DeleteAllValues(K + @"\List"),
                PolEntry.String(K + @"\List", "1", "https://web.whatsapp.com"),
                PolEntry.DeleteValue(K, "Old"),
                PolEntry.DeleteValues(K, new[] { "A", "B" }),
                PolEntry.DeleteKeys(K, new[] { "Sub1", "Sub2" }),
                PolEntry.SecureKey(K, true),
                PolEntry.SoftValue(K, "Soft", RegistryKind.DWord, 1u),
                PolEntry.FromRaw(K, "**future", RegistryKind.String, U16(" \0")),
            };
            var back = RegistryPolicyFile.Read(RegistryPolicyFile.ToBytes(entries));
            Assert.Equal(new[] { PolAction.DeleteAllValues, PolAction.SetValue, PolAction.DeleteValue, PolAction.DeleteValues,
                PolAction.DeleteKeys, PolAction.SecureKey, PolAction.SoftSetValue, PolAction.UnknownCommand }, back.Select(e => e.Action));
            Assert.Equal("**delvals.", back[0].ValueName);
            Assert.Equal(" ", back[0].Data);
            Assert.Equal("**del.Old", back[2].ValueName);
            Assert.Equal("Old", back[2].TargetValueName);
            Assert.Equal("A;B", back[3].Data);
            Assert.Equal("Sub1;Sub2", back[4].Data);
            Assert.Equal(1u, back[5].Data);
            Assert.Equal("**soft.Soft", back[6].ValueName);
            Assert.Equal("Soft", back[6].TargetValueName);
            Samba.AssertSame(RegistryPolicyFile.ToBytes(entries), new[]
            {
                Samba.M(K + @"\List", "**delvals.", RegistryKind.String, " "),
                Samba.M(K + @"\List", "1", RegistryKind.String, "https://web.whatsapp.com"),
                Samba.M(K, "**del.Old", RegistryKind.String, " "),
                Samba.M(K, "**DeleteValues", RegistryKind.String, "A;B"),
                Samba.M(K, "**DeleteKeys", RegistryKind.String, "Sub1;Sub2"),
                Samba.M(K, "**SecureKey", RegistryKind.DWord, 1u),
                Samba.M(K, "**soft.Soft", RegistryKind.DWord, 1u),
                Samba.M(K, "**future", RegistryKind.String, " "),
            });
        }

        [Fact]
        public void Dword_whose_bytes_look_like_UTF8_is_a_number()
        {
            var bytes = File(Record(K, "Trap", 4, new byte[] { 0xC3, 0xA4, 0x00, 0x00 }));
            var e = Assert.Single(RegistryPolicyFile.Read(bytes));
            Assert.Equal(0xA4C3u, e.Data);
            Assert.Equal(bytes, RegistryPolicyFile.ToBytes(new[] { e }));
            Samba.AssertSame(bytes, new[] { Samba.M(K, "Trap", RegistryKind.DWord, 0xA4C3u) });
        }

        [Fact]
        public void Non_ASCII_strings_keys_and_names_round_trip()
        {
            var e = new[]
            {
                PolEntry.String(@"Software\Policies\Ünïcode\日本", "Grüße", "Grüße, 日本語, emoji 😀, Ελληνικά"),
                PolEntry.MultiString(@"Software\Policies\Ünïcode", "Liste", new[] { "ä", "😀" }),
            };
            var bytes = RegistryPolicyFile.ToBytes(e);
            var back = RegistryPolicyFile.Read(bytes);
            Assert.Equal(e, back);
            Assert.Equal("Grüße, 日本語, emoji 😀, Ελληνικά", back[0].Data);
            Samba.AssertSame(bytes, new[]
            {
                Samba.M(@"Software\Policies\Ünïcode\日本", "Grüße", RegistryKind.String, "Grüße, 日本語, emoji 😀, Ελληνικά"),
                Samba.M(@"Software\Policies\Ünïcode", "Liste", RegistryKind.MultiString, new[] { "ä", "😀" }),
            });
        }

        [Fact]
        public void Multi_string_with_an_empty_element_keeps_it_and_lists_are_NUL_separated()
        {
            var raw = U16("a\0\0b\0\0");
            var e = Assert.Single(RegistryPolicyFile.Read(File(Record(K, "M", 7, raw))));
            Assert.Equal(new[] { "a", "", "b" }, e.Data);
            Assert.Equal(raw, PolEntry.MultiString(K, "M", new[] { "a", "", "b" }).RawData);
            Assert.Equal(U16("a\0b\0\0"), PolEntry.MultiString(K, "M", new[] { "a", "b" }).RawData);
            Assert.Equal(U16("\0"), PolEntry.MultiString(K, "M", Array.Empty<string>()).RawData);
            Assert.Equal(Array.Empty<string>(), RegistryPolicyFile.Read(RegistryPolicyFile.ToBytes(new[] { PolEntry.MultiString(K, "M", Array.Empty<string>()) }))[0].Data);
            Assert.Equal(new[] { "" }, RegistryPolicyFile.Read(RegistryPolicyFile.ToBytes(new[] { PolEntry.MultiString(K, "M", new[] { "" }) }))[0].Data);
            Samba.AssertSame(File(Record(K, "M", 7, raw)), new[] { Samba.M(K, "M", RegistryKind.MultiString, new[] { "a", "", "b" }) });
            Samba.AssertSame(RegistryPolicyFile.ToBytes(new[] { PolEntry.MultiString(K, "E", Array.Empty<string>()), PolEntry.MultiString(K, "O", new[] { "" }) }),
                new[] { Samba.M(K, "E", RegistryKind.MultiString, Array.Empty<string>()), Samba.M(K, "O", RegistryKind.MultiString, new[] { "" }) });
        }

        [Fact]
        public void Duplicates_order_and_odd_data_are_kept_byte_for_byte()
        {
            var bytes = File(
                Record(K, "X", 4, new byte[] { 1, 0, 0, 0 }),
                Record(K, "X", 4, new byte[] { 2, 0, 0, 0 }),
                Record(K, "A", 4, new byte[] { 1, 2, 3 }),            // DWORD of 3 bytes
                Record(K, "S", 1, new byte[] { 0x61, 0, 0x62 }),      // odd-sized REG_SZ, no terminator
                Record(K, "", 1, U16("default value\0")),            // the key's default value
                Record(K, "X", 4, new byte[] { 1, 0, 0, 0 }),
                Record(K, "T", 6, new byte[] { 9, 9 }));              // REG_LINK: kept as bytes
            var back = RegistryPolicyFile.Read(bytes);
            Assert.Equal(7, back.Count);
            Assert.Equal(new[] { "X", "X", "A", "S", "", "X", "T" }, back.Select(e => e.ValueName));
            Assert.Equal(new byte[] { 1, 2, 3 }, back[2].Data);
            Assert.Equal("a", back[3].Data);
            Assert.Equal((RegistryKind)6, back[6].Type);
            Assert.Equal(bytes, RegistryPolicyFile.ToBytes(back));
        }

        [Theory]
        [InlineData(@"HKLM\Software\Policies\X")]
        [InlineData(@"HKEY_LOCAL_MACHINE\Software\Policies\X")]
        [InlineData(@"hkcu\Software")]
        [InlineData(@"HKLM:\Software")]
        [InlineData(@"\Software\Policies")]
        [InlineData(@"Software\\Policies")]
        [InlineData("")]
        public void Keys_with_a_hive_or_empty_parts_are_refused(string key)
        {
            var e = Assert.Throws<WaHardeningException>(() => PolEntry.DWord(key, "V", 1));
            Assert.Equal("RegistryPolicyEntryInvalid", e.ErrorId);
        }

        [Fact]
        public void Limits_of_MS_GPREG_are_enforced_on_new_entries()
        {
            Assert.Equal("RegistryPolicyEntryInvalid", Assert.Throws<WaHardeningException>(() => PolEntry.DWord(K, new string('v', 260), 1)).ErrorId);
            PolEntry.DWord(K, new string('v', 259), 1);
            Assert.Throws<WaHardeningException>(() => PolEntry.Binary(K, "B", new byte[0x10000]));
            PolEntry.Binary(K, "B", new byte[0xFFFF]);
            Assert.Throws<WaHardeningException>(() => PolEntry.String(K, "S", "a\0b"));
            Assert.Throws<WaHardeningException>(() => PolEntry.MultiString(K, "M", new[] { "a\0" }));
            Assert.Throws<WaHardeningException>(() => PolEntry.Create(K, "D", RegistryKind.DWord, "not a number"));
        }

        [Fact]
        public void A_text_file_is_refused_with_the_offset_and_file_named()
        {
            var path = Path.Combine(Path.GetTempPath(), "wah-notpol-" + Guid.NewGuid().ToString("N") + ".pol");
            System.IO.File.WriteAllText(path, "Windows Registry Editor Version 5.00\r\n");
            try
            {
                var e = Assert.Throws<RegistryPolicyFormatException>(() => RegistryPolicyFile.ReadFile(path));
                Assert.Equal("RegistryPolicyInvalid", e.ErrorId);
                Assert.Equal(0, e.Offset);
                Assert.Equal(path, e.Path);
                Assert.Contains(path, e.Message);
                Assert.Contains("offset 0", e.Message);
                Assert.Equal(WaErrorCategory.InvalidData, e.Category);
            }
            finally { System.IO.File.Delete(path); }
        }

        [Theory]
        [InlineData(new byte[] { 0x50, 0x52, 0x65 }, 3)]                          // shorter than the header
        [InlineData(new byte[] { 0x50, 0x52, 0x65, 0x67, 2, 0, 0, 0 }, 4)]       // version 2
        [InlineData(new byte[] { 0x50, 0x52, 0x65, 0x67, 1, 0, 0, 0, 0x7B, 0 }, 8)] // '{' for '['
        [InlineData(new byte[] { 0x50, 0x52, 0x65, 0x67, 1, 0, 0, 0, 0x5B }, 8)]  // odd byte count
        public void Damaged_headers_and_records_name_the_offset(byte[] bytes, long offset)
        {
            var e = Assert.Throws<RegistryPolicyFormatException>(() => RegistryPolicyFile.Read(bytes, "x.pol"));
            Assert.Equal(offset, e.Offset);
            Assert.Contains("x.pol", e.Message);
        }

        [Theory]
        [InlineData(0xFFFFFFFFu)]
        [InlineData(0x80000000u)]
        [InlineData(0x7FFFFFFFu)]
        [InlineData(5u)]
        public void Absurd_sizes_fail_at_the_size_field_without_allocating(uint size)
        {
            var rec = Record(K, "V", 3, new byte[] { 1, 2, 3, 4 });
            var sizeAt = 8 + (2 + (K.Length + 1) * 2 + 2 + 4 + 2 + 4 + 2);
            var bytes = File(rec);
            BitConverter.GetBytes(size).CopyTo(bytes, sizeAt);
            var before = GC.GetAllocatedBytesForCurrentThread();
            var e = Assert.Throws<RegistryPolicyFormatException>(() => RegistryPolicyFile.Read(bytes, "big.pol"));
            Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "the reader allocated more than 1 MB for a 0.1 KB file");
            Assert.Equal(sizeAt, e.Offset);
        }

        [Fact]
        public void Missing_file_is_a_typed_not_found_error()
        {
            var e = Assert.Throws<WaHardeningException>(() => RegistryPolicyFile.ReadFile("/nonexistent/dir/Registry.pol"));
            Assert.Equal("RegistryPolicyNotFound", e.ErrorId);
        }

        [Fact]
        public void WriteFile_replaces_atomically_and_leaves_nothing_on_failure()
        {
            var dir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "wah-atomic-" + Guid.NewGuid().ToString("N"))).FullName;
            try
            {
                var path = Path.Combine(dir, "Registry.pol");
                RegistryPolicyFile.WriteFile(path, new[] { PolEntry.DWord(K, "A", 1) });
                var first = System.IO.File.ReadAllBytes(path);
                Assert.Throws<ArgumentException>(() => RegistryPolicyFile.WriteFile(path, new PolEntry[] { PolEntry.DWord(K, "B", 2), null! }));
                Assert.Equal(first, System.IO.File.ReadAllBytes(path));
                RegistryPolicyFile.WriteFile(path, new[] { PolEntry.DWord(K, "B", 2) });
                Assert.Equal(2u, RegistryPolicyFile.ReadFile(path)[0].Data);
                Assert.Equal(new[] { "Registry.pol" }, Directory.GetFiles(dir).Select(Path.GetFileName));
                // A directory where the file should be: typed error, directory untouched.
                var blocked = Path.Combine(dir, "Blocked.pol");
                Directory.CreateDirectory(blocked);
                Assert.Throws<WaHardeningException>(() => RegistryPolicyFile.WriteFile(blocked, new[] { PolEntry.DWord(K, "A", 1) }));
                Assert.Equal(new[] { "Registry.pol" }, Directory.GetFiles(dir).Select(Path.GetFileName));
            }
            finally { Directory.Delete(dir, true); }
        }
    }
}
