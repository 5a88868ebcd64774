using System;
using System.IO;
using System.Linq;
using System.Text;
using WaHardening.Core.GroupPolicy;

namespace WaHardening.Core.Intune
{
    /// <summary>Writes an export folder all at once: staged beside the target and moved into place, so a failure leaves
    /// the old folder (or none). A folder that holds anything but a previous export is not replaced without -Force.</summary>
    public static class IntuneExportWriter
    {
        public static string[] Write(string directory, ExportManifest manifest, bool force)
        {
            var full = Path.GetFullPath(directory);
            if (File.Exists(full))
                throw new WaHardeningException(ErrorIds.ExportPathIsFile, WaErrorCategory.InvalidArgument,
                    $"The export path '{full}' is a file; give a folder. Nothing was written.", full);
            if (Directory.Exists(full) && !force && !File.Exists(Path.Combine(full, ExportManifest.FileName)) &&
                Directory.EnumerateFileSystemEntries(full).Any())
                throw new WaHardeningException(ErrorIds.ExportFolderNotEmpty, WaErrorCategory.InvalidOperation,
                    $"The folder '{full}' is not empty and holds no previous export ({ExportManifest.FileName}); choose an empty folder or use -Force to replace it. Nothing was written.", full);
            Enforcement.AtomicFile.WriteDirectory(full, stage =>
            {
                foreach (var f in manifest.Files)
                {
                    var path = Path.Combine(stage, f.Path.Replace('/', Path.DirectorySeparatorChar));
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    File.WriteAllBytes(path, f.Content);
                }
                File.WriteAllBytes(Path.Combine(stage, ExportManifest.FileName), new UTF8Encoding(false).GetBytes(manifest.ToText()));
            });
            return manifest.Files.Select(f => Path.Combine(full, f.Path.Replace('/', Path.DirectorySeparatorChar)))
                .Concat(new[] { Path.Combine(full, ExportManifest.FileName) }).ToArray();
        }
    }
}
