using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using WaHardening.Core;
using WaHardening.Core.Model;

namespace WaHardening.Commands
{
    /// <summary>
    /// Base of every WaHardening cmdlet: turns the core's typed exceptions into ErrorRecords with a
    /// stable ErrorId, a category and the offending target, and resolves the baseline to use.
    /// </summary>
    public abstract class WaCmdlet : PSCmdlet
    {
        /// <summary>Folder the module was loaded from (holds policies/ and the format/help files).</summary>
        public static string ModuleDirectory =>
            Path.GetDirectoryName(typeof(WaCmdlet).Assembly.Location) ?? ".";

        /// <summary>The default baseline shipped with the module.</summary>
        public static string DefaultBaselinePath => Path.Combine(ModuleDirectory, "policies", "baseline.json");

        protected static ErrorCategory Map(WaErrorCategory c) => c switch
        {
            WaErrorCategory.InvalidData => ErrorCategory.InvalidData,
            WaErrorCategory.InvalidArgument => ErrorCategory.InvalidArgument,
            WaErrorCategory.ObjectNotFound => ErrorCategory.ObjectNotFound,
            WaErrorCategory.PermissionDenied => ErrorCategory.PermissionDenied,
            WaErrorCategory.ResourceUnavailable => ErrorCategory.ResourceUnavailable,
            WaErrorCategory.WriteError => ErrorCategory.WriteError,
            WaErrorCategory.ReadError => ErrorCategory.ReadError,
            WaErrorCategory.ConnectionError => ErrorCategory.ConnectionError,
            WaErrorCategory.NotImplemented => ErrorCategory.NotImplemented,
            _ => ErrorCategory.InvalidOperation,
        };

        protected static ErrorRecord ToErrorRecord(WaHardeningException e) =>
            new ErrorRecord(e, e.ErrorId, Map(e.Category), e.Target);

        /// <summary>Stops the pipeline with the error (terminating).</summary>
        protected void Fail(WaHardeningException e) => ThrowTerminatingError(ToErrorRecord(e));

        /// <summary>Reports the error and carries on (non-terminating; honours -ErrorAction).</summary>
        protected void Report(WaHardeningException e) => WriteError(ToErrorRecord(e));

        protected override void ProcessRecord()
        {
            try { Process(); }
            catch (WaHardeningException e) { Fail(e); }
        }

        protected override void EndProcessing()
        {
            try { End(); }
            catch (WaHardeningException e) { Fail(e); }
        }

        protected virtual void Process() { }
        protected virtual void End() { }

        /// <summary>Loads the baseline at <paramref name="path"/> (or the module's default) and binds parameters.</summary>
        protected Baseline LoadBaseline(string? path, IDictionary? parameters)
        {
            var file = string.IsNullOrEmpty(path) ? DefaultBaselinePath : GetUnresolvedProviderPathFromPSPath(path);
            WriteVerbose($"Reading baseline {file}");
            var baseline = BaselineLoader.Load(file);
            return baseline.WithParameters(ToDictionary(parameters));
        }

        /// <summary>Hashtable from PowerShell to a plain dictionary, PSObject wrappers removed.</summary>
        protected static IReadOnlyDictionary<string, object?>? ToDictionary(IDictionary? table)
        {
            if (table == null) return null;
            var d = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
            foreach (DictionaryEntry e in table) d[e.Key?.ToString() ?? ""] = Unwrap(e.Value);
            return d;
        }

        protected static object? Unwrap(object? value)
        {
            if (value is PSObject pso) value = pso.BaseObject;
            if (value is object[] arr)
            {
                var copy = new object?[arr.Length];
                for (var i = 0; i < arr.Length; i++) copy[i] = Unwrap(arr[i]);
                return copy;
            }
            return value;
        }
    }
}
