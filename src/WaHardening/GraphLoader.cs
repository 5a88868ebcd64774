using System;
using System.Collections.Concurrent;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using WaHardening.Core;
using WaHardening.Core.Publishing;

namespace WaHardening.Commands
{
    /// <summary>
    /// Loads the Graph assembly (graph/ beside the module) the first time a Graph cmdlet runs, never before: importing
    /// the module and running Test/Set/Export does not load Microsoft.Graph. On PowerShell 7 it goes into its own
    /// AssemblyLoadContext (WaHardening.Graph.Isolation), so other versions of Microsoft.Graph, Kiota or Azure.Identity
    /// in the session are not disturbed; on Windows PowerShell 5.1 an AssemblyResolve handler serves only the graph/
    /// folder's assemblies. The cmdlets reach it through the typed contract <see cref="IGraphService"/> (Core types only):
    /// the one reflection point is creating the implementation by its name, once, and casting it to the interface, so a
    /// renamed or changed call is a compile error, not a MissingMethodException at run time.
    /// </summary>
    internal static class GraphLoader
    {
        private static IGraphService? s_service;
        private static readonly object s_lock = new object();

        public static string Folder => Path.Combine(WaCmdlet.ModuleDirectory, "graph");

        /// <summary>True on .NET (Core): PowerShell 7.</summary>
        public static bool IsCore => !RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal);

        /// <summary>The Graph service, loaded on the first call.</summary>
        public static IGraphService Service()
        {
            lock (s_lock)
            {
                if (s_service != null) return s_service;
                var folder = Folder;
                var graphDll = Path.Combine(folder, GraphContract.AssemblyFile);
                if (!File.Exists(graphDll))
                    throw new WaHardeningException(ErrorIds.GraphNotInstalled, WaErrorCategory.ResourceUnavailable,
                        $"The Graph part of the module is missing ({graphDll}); reinstall the module.", graphDll);
                Assembly asm;
                if (IsCore)
                {
                    var iso = Assembly.LoadFrom(Path.Combine(folder, "WaHardening.Graph.Isolation.dll"));
                    var ctx = iso.GetType("WaHardening.Graph.Isolation.GraphLoadContext", true)!;
                    asm = (Assembly)ctx.GetMethod("LoadGraph")!.Invoke(null, new object[] { folder })!;
                }
                else
                {
                    AppDomain.CurrentDomain.AssemblyResolve += (sender, e) =>
                    {
                        var path = Path.Combine(folder, new AssemblyName(e.Name).Name + ".dll");
                        return File.Exists(path) ? Assembly.LoadFrom(path) : null;
                    };
                    asm = Assembly.LoadFrom(graphDll);
                }
                // The one reflection point: the implementation by name, used only through the interface from here on.
                var type = asm.GetType(GraphContract.ImplementationType, true)!;
                s_service = Activator.CreateInstance(type) as IGraphService
                    ?? throw new WaHardeningException(ErrorIds.GraphNotInstalled, WaErrorCategory.ResourceUnavailable,
                        $"{GraphContract.ImplementationType} in {graphDll} does not implement {typeof(IGraphService).FullName} of this module's WaHardening.Core; reinstall the module.", graphDll);
                return s_service;
            }
        }
    }

    /// <summary>Log messages from the Graph worker thread, written by the cmdlet on the pipeline thread.</summary>
    internal sealed class QueuedGraphLog : IGraphLog
    {
        public readonly ConcurrentQueue<(int Kind, string Text, int Percent, string Activity)> Messages = new ConcurrentQueue<(int, string, int, string)>();
        public void Verbose(string message) => Messages.Enqueue((0, message, 0, ""));
        public void Progress(string activity, string status, int percent) => Messages.Enqueue((1, status, percent, activity));
        public void Warning(string message) => Messages.Enqueue((2, message, 0, ""));
    }
}
