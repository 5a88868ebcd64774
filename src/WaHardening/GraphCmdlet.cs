using System;
using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Security;
using System.Threading;
using System.Threading.Tasks;
using WaHardening.Core;
using WaHardening.Core.Publishing;

namespace WaHardening.Commands
{
    /// <summary>
    /// Base of the Graph cmdlets: how to sign in (parameter sets), the cloud, and running Graph work on a worker thread
    /// while its log messages are written on the pipeline thread. Secrets and tokens are SecureStrings, passed on as
    /// plain text only to the credential, and appear in no output, verbose, debug or error text.
    /// </summary>
    public abstract class GraphCmdlet : WaCmdlet
    {
        private CancellationTokenSource? _cts;

        /// <summary><para type="description">An access token for Graph that you already have (app-only or delegated), as a SecureString.</para></summary>
        [Parameter(Mandatory = true, ParameterSetName = "AccessToken")]
        public SecureString AccessToken { get; set; } = null!;

        /// <summary><para type="description">The tenant (directory) id or domain, for app-only sign-in, device code or interactive sign-in.</para></summary>
        [Parameter(Mandatory = true, ParameterSetName = "ClientSecret")]
        [Parameter(Mandatory = true, ParameterSetName = "ClientCertificate")]
        [Parameter(ParameterSetName = "DeviceCode")]
        [Parameter(ParameterSetName = "Interactive")]
        public string? TenantId { get; set; }

        /// <summary><para type="description">The application (client) id: the app registration for app-only sign-in, a user-assigned managed identity, or a public client for device code and interactive sign-in.</para></summary>
        [Parameter(Mandatory = true, ParameterSetName = "ClientSecret")]
        [Parameter(Mandatory = true, ParameterSetName = "ClientCertificate")]
        [Parameter(ParameterSetName = "ManagedIdentity")]
        [Parameter(ParameterSetName = "DeviceCode")]
        [Parameter(ParameterSetName = "Interactive")]
        public string? ClientId { get; set; }

        /// <summary><para type="description">The app registration's client secret, as a SecureString (app-only sign-in).</para></summary>
        [Parameter(Mandatory = true, ParameterSetName = "ClientSecret")]
        public SecureString ClientSecret { get; set; } = null!;

        /// <summary><para type="description">A PFX file with the app registration's certificate and private key (app-only sign-in).</para></summary>
        [Parameter(Mandatory = true, ParameterSetName = "ClientCertificate")]
        public string CertificatePath { get; set; } = null!;

        /// <summary><para type="description">The password of the PFX file, as a SecureString.</para></summary>
        [Parameter(ParameterSetName = "ClientCertificate")]
        public SecureString? CertificatePassword { get; set; }

        /// <summary><para type="description">Sign in as the managed identity of the Azure resource this runs on (system-assigned, or user-assigned with -ClientId).</para></summary>
        [Parameter(Mandatory = true, ParameterSetName = "ManagedIdentity")]
        public SwitchParameter ManagedIdentity { get; set; }

        /// <summary><para type="description">Sign in with a device code: the code and the address to open are written as a warning.</para></summary>
        [Parameter(Mandatory = true, ParameterSetName = "DeviceCode")]
        public SwitchParameter DeviceCode { get; set; }

        /// <summary><para type="description">The Graph root of the cloud: https://graph.microsoft.com (default), https://graph.microsoft.us, https://dod-graph.microsoft.us, https://microsoftgraph.chinacloudapi.cn.</para></summary>
        [Parameter]
        public Uri GraphEndpoint { get; set; } = new Uri("https://graph.microsoft.com");

        /// <summary><para type="description">The Entra sign-in host of the cloud, e.g. https://login.microsoftonline.us (default: the public cloud's).</para></summary>
        [Parameter]
        public Uri? AuthorityHost { get; set; }

        /// <summary><para type="description">How many times a throttled (429) or unavailable (503, 504) request is retried after its Retry-After (default 3, at most 10): the bound of the Graph SDK's retry handler for whole requests and of the retries of requests inside a $batch alike.</para></summary>
        [Parameter]
        [ValidateRange(0, 10)]
        public int MaxRetries { get; set; } = 3;

        protected GraphConnection Connection()
        {
            var c = new GraphConnection { Endpoint = GraphEndpoint, AuthorityHost = AuthorityHost, TenantId = TenantId, ClientId = ClientId };
            switch (ParameterSetName)
            {
                case "AccessToken": c.Kind = GraphAuthKind.AccessToken; c.AccessToken = Plain(AccessToken); break;
                case "ClientSecret": c.Kind = GraphAuthKind.ClientSecret; c.ClientSecret = Plain(ClientSecret); break;
                case "ClientCertificate":
                    c.Kind = GraphAuthKind.ClientCertificate;
                    c.CertificatePath = GetUnresolvedProviderPathFromPSPath(CertificatePath);
                    c.CertificatePassword = CertificatePassword == null ? null : Plain(CertificatePassword);
                    break;
                case "ManagedIdentity": c.Kind = GraphAuthKind.ManagedIdentity; break;
                case "DeviceCode": c.Kind = GraphAuthKind.DeviceCode; break;
                default: c.Kind = GraphAuthKind.Interactive; break;
            }
            return c;
        }

        private static string Plain(SecureString s)
        {
            var p = Marshal.SecureStringToGlobalAllocUnicode(s);
            try { return Marshal.PtrToStringUni(p) ?? ""; }
            finally { Marshal.ZeroFreeGlobalAllocUnicode(p); }
        }

        /// <summary>Runs Graph work on a worker thread, writing its messages here; Ctrl+C cancels it.</summary>
        private protected T RunGraph<T>(Func<QueuedGraphLog, CancellationToken, T> work)
        {
            var log = new QueuedGraphLog();
            _cts = new CancellationTokenSource();
            var token = _cts.Token;
            var task = Task.Run(() => work(log, token));
            while (!((IAsyncResult)task).AsyncWaitHandle.WaitOne(50)) Drain(log); // Wait() would throw an AggregateException
            Drain(log);
            try { return task.GetAwaiter().GetResult(); }
            catch (OperationCanceledException) { throw new WaHardeningException(ErrorIds.GraphCancelled, WaErrorCategory.InvalidOperation, "Stopped."); }
        }

        private void Drain(QueuedGraphLog log)
        {
            while (log.Messages.TryDequeue(out var m))
            {
                switch (m.Kind)
                {
                    case 0: WriteVerbose(m.Text); break;
                    case 1:
                        WriteProgress(new ProgressRecord(2, m.Activity, m.Text)
                        {
                            PercentComplete = Math.Max(0, Math.Min(100, m.Percent)), RecordType = m.Percent >= 100 ? ProgressRecordType.Completed : ProgressRecordType.Processing,
                        });
                        break;
                    default: WriteWarning(m.Text); break;
                }
            }
        }

        private protected IGraphSession Session(QueuedGraphLog log)
        {
            var c = Connection();
            c.Prompt = text => log.Warning(text);
            return GraphLoader.Service().Connect(c, log, MaxRetries);
        }

        protected override void StopProcessing() => _cts?.Cancel();
    }
}
