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
    /// folder's assemblies. The cmdlets reach it through reflection on WaHardening.Graph.GraphEntry, with Core types only.
    /// </summary>
    internal static class GraphLoader
    {
        private static Type? s_entry;
        private static readonly object s_lock = new object();

        public static string Folder => Path.Combine(WaCmdlet.ModuleDirectory, "graph");

        /// <summary>True on .NET (Core): PowerShell 7.</summary>
        public static bool IsCore => !RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal);

        public static Type Entry()
        {
            lock (s_lock)
            {
                if (s_entry != null) return s_entry;
                var folder = Folder;
                var graphDll = Path.Combine(folder, "WaHardening.Graph.dll");
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
                s_entry = asm.GetType("WaHardening.Graph.GraphEntry", true)!;
                return s_entry;
            }
        }

        public static object? Call(string method, params object?[] args)
        {
            try { return Entry().GetMethod(method)!.Invoke(null, args); }
            catch (TargetInvocationException e) when (e.InnerException != null)
            {
                if (e.InnerException is WaHardeningException w) throw w;
                if (e.InnerException is AggregateException a && a.InnerException is WaHardeningException aw) throw aw;
                throw new WaHardeningException(ErrorIds.GraphFailed, WaErrorCategory.InvalidOperation, "Graph: " + e.InnerException.Message, null, e.InnerException);
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
