using System;
using System.Collections.Generic;

namespace WaHardening.Core.Publishing
{
    /// <summary>How to sign in to Microsoft Graph. Secrets and tokens live here only; nothing prints them.</summary>
    public enum GraphAuthKind { AccessToken, ClientSecret, ClientCertificate, ManagedIdentity, DeviceCode, Interactive }

    /// <summary>A Graph connection (types shared with the Graph assembly, which loads in its own context).</summary>
    public sealed class GraphConnection
    {
        /// <summary>The Graph root, e.g. https://graph.microsoft.com, https://graph.microsoft.us, https://microsoftgraph.chinacloudapi.cn.</summary>
        public Uri Endpoint { get; set; } = new Uri("https://graph.microsoft.com");
        /// <summary>The Entra authority host for the cloud (Azure.Identity AuthorityHost).</summary>
        public Uri? AuthorityHost { get; set; }
        public GraphAuthKind Kind { get; set; } = GraphAuthKind.Interactive;
        public string? TenantId { get; set; }
        public string? ClientId { get; set; }
        public string? ClientSecret { get; set; }
        public string? CertificatePath { get; set; }
        public string? CertificatePassword { get; set; }
        public string? AccessToken { get; set; }
        /// <summary>Writes for device-code sign-in (the code and URL to open); never the token.</summary>
        public Action<string>? Prompt { get; set; }

        /// <summary>Safe to print: no secret, certificate password or token.</summary>
        public override string ToString() => $"{Kind} to {Endpoint}" + (TenantId != null ? $" (tenant {TenantId})" : "") + (ClientId != null ? $" as {ClientId}" : "");
    }

    public enum PublishAction { Created, Updated, Unchanged, Failed, WouldCreate, WouldUpdate, Skipped }

    /// <summary>What Publish-WaIntuneProfile did (or would do) with one exported file.</summary>
    public sealed class PublishResult
    {
        public string Marker { get; set; } = "";
        public string DisplayName { get; set; } = "";
        public string Kind { get; set; } = "";
        public string Path { get; set; } = "";
        public PublishAction Action { get; set; }
        /// <summary>The tenant object's id (null when it does not exist yet).</summary>
        public string? Id { get; set; }
        /// <summary>Assignment change: "assigned to 2 groups, 1 excluded", "unchanged", or null when not assignable.</summary>
        public string? Assignment { get; set; }
        /// <summary>Why it failed (Graph's error code and message), or null.</summary>
        public string? Error { get; set; }
        /// <summary>What differs from the tenant (property paths), for updates.</summary>
        public IReadOnlyList<string> Differences { get; set; } = new string[0];
        public override string ToString() => $"{Action} {Marker} {DisplayName}" + (Error != null ? $": {Error}" : "");
    }

    /// <summary>A WaHardening object found in the tenant by its marker.</summary>
    public sealed class TenantProfile
    {
        public string Marker { get; set; } = "";
        public string Id { get; set; } = "";
        public string DisplayName { get; set; } = "";
        public string Collection { get; set; } = "";
        public string? LastModified { get; set; }
    }

    public enum DriftState { Same, Different, Missing, NotInExport }

    /// <summary>Compare-WaIntuneProfile: how one exported file stands against the tenant.</summary>
    public sealed class DriftResult
    {
        public string Marker { get; set; } = "";
        public string DisplayName { get; set; } = "";
        public DriftState State { get; set; }
        public string? Id { get; set; }
        public IReadOnlyList<string> Differences { get; set; } = new string[0];
    }

    /// <summary>Assignments wanted for every assignable profile.</summary>
    public sealed class AssignmentSpec
    {
        public IReadOnlyList<string> IncludeGroups { get; set; } = new string[0];
        public IReadOnlyList<string> ExcludeGroups { get; set; } = new string[0];
        public bool IsEmpty => IncludeGroups.Count == 0 && ExcludeGroups.Count == 0;
    }

    /// <summary>Messages from the Graph worker to the cmdlet (pumped on the pipeline thread).</summary>
    public interface IGraphLog
    {
        void Verbose(string message);
        void Progress(string activity, string status, int percent);
        void Warning(string message);
    }
}

namespace WaHardening.Core.Publishing
{
    /// <summary>What a publish would do (reads done, nothing written); the plan itself is opaque to the cmdlets.</summary>
    public sealed class PublishPreview
    {
        public PublishPreview(object plan, IReadOnlyList<PublishResult> items) { Plan = plan; Items = items; }
        public object Plan { get; }
        public IReadOnlyList<PublishResult> Items { get; }
    }
}
