using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;

namespace WaHardening.Graph.Isolation
{
    /// <summary>
    /// Loads WaHardening.Graph and its dependencies (Microsoft.Graph, Kiota, Azure.Identity, MSAL, ...) from the module's
    /// graph folder, never from the session: a session that already holds another version of any of them keeps its own.
    /// Only the module's own assemblies (shared types such as the publish requests and results) come from the default
    /// context.
    /// </summary>
    public sealed class GraphLoadContext : AssemblyLoadContext
    {
        private readonly string _folder;
        private static readonly string[] s_shared = { "WaHardening.Core", "WaHardening", "System.Management.Automation" };

        private static readonly System.Collections.Generic.HashSet<string> s_framework = new System.Collections.Generic.HashSet<string>(
            ((AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string) ?? "").Split(Path.PathSeparator)
                .Where(p => p.Length > 0).Select(Path.GetFileNameWithoutExtension).Where(n => n != null).Select(n => n!), StringComparer.OrdinalIgnoreCase);

        public GraphLoadContext(string folder) : base("WaHardening.Graph", isCollectible: false) { _folder = folder; }

        protected override Assembly? Load(AssemblyName name)
        {
            if (Array.IndexOf(s_shared, name.Name) >= 0)
            {
                // The module's own copy (loaded into the default context by Import-Module): shared types, one identity.
                foreach (var a in AppDomain.CurrentDomain.GetAssemblies())
                    if (a.GetName().Name == name.Name && GetLoadContext(a) != this) return a;
                return null;
            }
            // What the runtime itself ships (System.*, netstandard, ...) comes from the framework: the netstandard2.0
            // copies in graph/ (System.Memory, System.Buffers, ...) would be a second, incompatible identity of its types.
            if (s_framework.Contains(name.Name ?? "")) return null;
            var path = Path.Combine(_folder, name.Name + ".dll");
            return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }

        /// <summary>Creates the context and loads WaHardening.Graph.dll into it.</summary>
        public static Assembly LoadGraph(string folder) =>
            new GraphLoadContext(folder).LoadFromAssemblyPath(Path.Combine(folder, "WaHardening.Graph.dll"));
    }
}
