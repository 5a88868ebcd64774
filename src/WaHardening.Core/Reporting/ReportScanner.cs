using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using WaHardening.Core.Json;

namespace WaHardening.Core.Reporting
{
    /// <summary>
    /// A forward-only reader of device-report JSON for the fleet merge, on the module's byte reader
    /// (<see cref="JsonByteReader"/>, the grammar of <see cref="JsonParser"/>): it checks the whole document's syntax (so a
    /// truncated or corrupt file is refused with its line and column) but builds no tree and decodes only what the
    /// merge needs — device name, date, profile, and per result the control, target and status (title and category
    /// only the first time a control is seen). Statuses are matched on their bytes; control keys are looked up by a
    /// hash of their raw bytes. One scanner per thread.
    /// </summary>
    internal sealed class ReportScanner
    {
        internal static readonly string[] Statuses = { "", "Compliant", "NonCompliant", "Error", "NotApplicable", "Advisory" };
        private static readonly byte[][] s_statusBytes = Array.ConvertAll(Statuses, s => Encoding.UTF8.GetBytes(s));
        private static readonly byte[] s_schema = Encoding.UTF8.GetBytes(DeviceReport.SchemaName);

        /// <summary>The module's one forward-only JSON reader (grammar, strings, duplicate keys); this class only knows reports.</summary>
        private readonly JsonByteReader _r = new JsonByteReader();
        private string _source = "";

        /// <summary>What one report contributes to the merge.</summary>
        internal sealed class Result
        {
            public string Device = "", Profile = "";
            public DateTimeOffset GeneratedAt;
            public readonly List<(int Control, byte Status)> Items = new List<(int, byte)>();
        }

        /// <summary>Resolves a control key (raw bytes of controlId and target) to an index, creating it on first sight.</summary>
        internal interface IControlTable
        {
            int Find(ulong hash, byte[] buffer, int idStart, int idEnd, int targetStart, int targetEnd);
            int Add(ulong hash, byte[] buffer, int idStart, int idEnd, int targetStart, int targetEnd, string controlId, string target, string title, string category);
        }

        public Result Scan(byte[] data, int length, string source, IControlTable controls)
        {
            _source = source;
            _r.Reset(data, length, source);
            try { return ScanDocument(controls); }
            catch (JsonParseException e) { throw new ReportFormatException(_source, $"not valid JSON (line {e.Line}, column {e.Column}: {e.Reason})"); }
        }

        private Result ScanDocument(IControlTable controls)
        {
            var r = new Result();
            _r.Ws();
            if (_r.AtEnd || _r.Peek() != (byte)'{') throw Invalid("the document is not a JSON object");
            bool schemaOk = false, versionOk = false, haveDevice = false, haveDate = false, haveResults = false;
            string? schemaVersionText = null;
            _r.Members((ks, ke) =>
            {
                if (_r.Is(ks, ke, "schema"))
                {
                    var (vs, ve) = _r.RawString();
                    schemaOk = _r.Same(vs, ve, s_schema);
                }
                else if (_r.Is(ks, ke, "schemaVersion"))
                {
                    schemaVersionText = _r.SkipValueText();
                    versionOk = schemaVersionText == "1";
                }
                else if (_r.Is(ks, ke, "generatedAt"))
                {
                    var text = _r.ReadString();
                    if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out r.GeneratedAt))
                        throw Invalid("'generatedAt' is not a date");
                    haveDate = true;
                }
                else if (_r.Is(ks, ke, "device")) { r.Device = ObjectField("name") ?? throw Invalid("'device.name' is missing or not a string"); haveDevice = true; }
                else if (_r.Is(ks, ke, "baseline")) r.Profile = ObjectField("profile") ?? "";
                else if (_r.Is(ks, ke, "results")) { Results(r, controls); haveResults = true; }
                else _r.SkipValue();
            });
            _r.End();
            if (!schemaOk) throw Invalid($"not a WaHardening device report (schema is not '{DeviceReport.SchemaName}')");
            if (!versionOk) throw Invalid($"schemaVersion {schemaVersionText ?? "(missing)"} is not supported (this module reads 1)");
            if (!haveDevice) throw Invalid("'device' is missing");
            if (!haveDate) throw Invalid("'generatedAt' is missing or not a string");
            if (!haveResults) throw Invalid("'results' is missing");
            return r;
        }

        private void Results(Result r, IControlTable controls)
        {
            if (_r.Peek() != (byte)'[') throw Invalid("'results' is missing");
            var b = _r.B;
            _r.Elements(n =>
            {
                if (_r.Peek() != (byte)'{') throw Invalid($"results[{n}] is not an object");
                int idS = -1, idE = -1, tS = -1, tE = -1, titleS = -1, titleE = -1, catS = -1, catE = -1;
                byte status = 0;
                var statusSeen = false;
                _r.Members((ks, ke) =>
                {
                    if (_r.Is(ks, ke, "controlId")) (idS, idE) = StringValue(n, "controlId");
                    else if (_r.Is(ks, ke, "target")) (tS, tE) = StringValue(n, "target");
                    else if (_r.Is(ks, ke, "title")) (titleS, titleE) = StringValue(n, "title");
                    else if (_r.Is(ks, ke, "category")) (catS, catE) = StringValue(n, "category");
                    else if (_r.Is(ks, ke, "status"))
                    {
                        var (ss, se) = StringValue(n, "status");
                        for (var i = 1; i < s_statusBytes.Length; i++) if (_r.Same(ss, se, s_statusBytes[i])) { status = (byte)i; break; }
                        if (status == 0) throw Invalid($"results[{n}].status '{_r.Decode(ss, se)}' is not a status");
                        statusSeen = true;
                    }
                    else _r.SkipValue();
                });
                if (idS < 0) throw Invalid($"'results[{n}].controlId' is missing or not a string");
                if (!statusSeen) throw Invalid($"'results[{n}].status' is missing or not a string");
                if (tS < 0) { tS = tE = idE; }
                var hash = Hash(b, idS, idE, tS, tE);
                var index = controls.Find(hash, b, idS, idE, tS, tE);
                if (index < 0)
                    index = controls.Add(hash, b, idS, idE, tS, tE, _r.Decode(idS, idE), _r.Decode(tS, tE),
                        titleS >= 0 ? _r.Decode(titleS, titleE) : "", catS >= 0 ? _r.Decode(catS, catE) : "");
                r.Items.Add((index, status));
            });
        }

        /// <summary>Reads an object value and returns one string field of it (null when absent); skips the rest.</summary>
        private string? ObjectField(string name)
        {
            if (_r.Peek() != (byte)'{') { _r.SkipValue(); return null; }
            string? found = null;
            _r.Members((ks, ke) =>
            {
                if (_r.Is(ks, ke, name) && _r.Peek() == (byte)'"') found = _r.ReadString();
                else _r.SkipValue();
            });
            return found;
        }

        private (int, int) StringValue(int item, string field)
        {
            if (_r.Peek() != (byte)'"') throw Invalid($"'results[{item}].{field}' is missing or not a string");
            return _r.RawString();
        }

        private static ulong Hash(byte[] b, int s1, int e1, int s2, int e2)
        {
            var h = 14695981039346656037UL;
            for (var i = s1; i < e1; i++) { h ^= b[i]; h *= 1099511628211UL; }
            h ^= 0xFF; h *= 1099511628211UL;
            for (var i = s2; i < e2; i++) { h ^= b[i]; h *= 1099511628211UL; }
            return h;
        }

        private ReportFormatException Invalid(string why) => new ReportFormatException(_source, why);
    }
}
