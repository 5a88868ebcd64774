using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using Azure.Core;
using Azure.Identity;
using Microsoft.Graph;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Authentication.Azure;
using WaHardening.Core;
using WaHardening.Core.Publishing;

namespace WaHardening.Graph
{
    /// <summary>Builds the Graph client for a connection: Azure.Identity credentials, or an access token the caller has.</summary>
    internal static class GraphAuth
    {
        public static GraphServiceClient Client(GraphConnection c)
        {
            var root = c.Endpoint.ToString().TrimEnd('/');
            IAuthenticationProvider auth = c.Kind == GraphAuthKind.AccessToken
                ? new StaticTokenProvider(c.AccessToken ?? throw Missing("AccessToken"), c.Endpoint)
                : new AzureIdentityAuthenticationProvider(Credential(c), new[] { c.Endpoint.Host }, null, true, new[] { root + "/.default" });
            var http = GraphClientFactory.Create(version: "v1.0");
            http.BaseAddress = new Uri(root + "/v1.0/");
            return new GraphServiceClient(http, auth, root + "/v1.0");
        }

        private static TokenCredential Credential(GraphConnection c)
        {
            var options = new TokenCredentialOptions();
            if (c.AuthorityHost != null) options.AuthorityHost = c.AuthorityHost;
            switch (c.Kind)
            {
                case GraphAuthKind.ClientSecret:
                    return new ClientSecretCredential(c.TenantId ?? throw Missing("TenantId"), c.ClientId ?? throw Missing("ClientId"),
                        c.ClientSecret ?? throw Missing("ClientSecret"), new ClientSecretCredentialOptions { AuthorityHost = options.AuthorityHost });
                case GraphAuthKind.ClientCertificate:
                    var cert = c.CertificatePassword == null ? new X509Certificate2(c.CertificatePath ?? throw Missing("CertificatePath"))
                        : new X509Certificate2(c.CertificatePath ?? throw Missing("CertificatePath"), c.CertificatePassword);
                    return new ClientCertificateCredential(c.TenantId ?? throw Missing("TenantId"), c.ClientId ?? throw Missing("ClientId"), cert,
                        new ClientCertificateCredentialOptions { AuthorityHost = options.AuthorityHost });
                case GraphAuthKind.ManagedIdentity:
                    return new ManagedIdentityCredential(c.ClientId == null ? ManagedIdentityId.SystemAssigned : ManagedIdentityId.FromUserAssignedClientId(c.ClientId));
                case GraphAuthKind.DeviceCode:
                    return new DeviceCodeCredential(new DeviceCodeCredentialOptions
                    {
                        TenantId = c.TenantId, ClientId = c.ClientId ?? DefaultPublicClient, AuthorityHost = options.AuthorityHost,
                        DeviceCodeCallback = (info, ct) => { c.Prompt?.Invoke(info.Message); return Task.CompletedTask; },
                    });
                default:
                    return new InteractiveBrowserCredential(new InteractiveBrowserCredentialOptions
                    {
                        TenantId = c.TenantId, ClientId = c.ClientId ?? DefaultPublicClient, AuthorityHost = options.AuthorityHost,
                    });
            }
        }

        /// <summary>Microsoft Graph Command Line Tools, the public client Microsoft documents for admin sign-in to Graph.</summary>
        private const string DefaultPublicClient = "14d82eec-204b-4c2f-b7e8-296a70dab67e";

        private static WaHardeningException Missing(string what) => new WaHardeningException(ErrorIds.GraphConnectionIncomplete, WaErrorCategory.InvalidArgument,
            $"The Graph connection needs {what}.", what);

        /// <summary>A bearer token given by the caller. Sent over https only (or to a loopback address, as in tests).</summary>
        private sealed class StaticTokenProvider : IAuthenticationProvider
        {
            private readonly string _token;
            private readonly Uri _endpoint;
            public StaticTokenProvider(string token, Uri endpoint) { _token = token; _endpoint = endpoint; }

            public Task AuthenticateRequestAsync(RequestInformation request, Dictionary<string, object>? additionalAuthenticationContext = null, CancellationToken cancellationToken = default)
            {
                var uri = request.URI;
                if (!string.Equals(uri.Host, _endpoint.Host, StringComparison.OrdinalIgnoreCase))
                    throw new WaHardeningException(ErrorIds.GraphHostNotAllowed, WaErrorCategory.PermissionDenied, $"The access token is only sent to {_endpoint.Host}, not {uri.Host}.", uri.Host);
                if (uri.Scheme != "https" && !uri.IsLoopback)
                    throw new WaHardeningException(ErrorIds.GraphHttpsRequired, WaErrorCategory.PermissionDenied, $"The access token is only sent over https ({uri.Scheme}://{uri.Host} refused).", uri.Host);
                request.Headers.Add("Authorization", "Bearer " + _token);
                return Task.CompletedTask;
            }
        }
    }
}
