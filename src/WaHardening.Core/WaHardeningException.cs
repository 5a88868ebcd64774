using System;

namespace WaHardening.Core
{
    /// <summary>
    /// What kind of failure an error is. The cmdlet layer maps it one-to-one onto PowerShell's
    /// ErrorCategory, so the core stays free of PowerShell types.
    /// </summary>
    public enum WaErrorCategory
    {
        InvalidData,
        InvalidArgument,
        ObjectNotFound,
        PermissionDenied,
        ResourceUnavailable,
        WriteError,
        ReadError,
        InvalidOperation,
        ConnectionError,
        NotImplemented,
    }

    /// <summary>Every error the core raises on purpose: a stable id, a category and the offending target.</summary>
    public class WaHardeningException : Exception
    {
        public WaHardeningException(string errorId, WaErrorCategory category, string message, object? target = null, Exception? inner = null)
            : base(message, inner)
        {
            ErrorId = errorId;
            Category = category;
            Target = target;
        }

        /// <summary>Stable identifier, e.g. <c>BaselineInvalid</c>; documented in about_WaHardening.</summary>
        public string ErrorId { get; }

        public WaErrorCategory Category { get; }

        /// <summary>The file, control, parameter or value at fault.</summary>
        public object? Target { get; }
    }
}
