using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using WaHardening.Core.Rendering;

namespace WaHardening.Core.Enforcement
{
    /// <summary>
    /// One write the engine performs: a whole file or one registry value. Providers only plan
    /// operations; the engine captures the prior state of each (the backup), applies them in order
    /// and restores the captured state when a later one fails.
    /// </summary>
    public abstract class WriteOperation
    {
        /// <summary>Where it writes: a file path (real, not root-mapped) or a registry path.</summary>
        public abstract string Location { get; }
        /// <summary>A one-line description for -WhatIf and -Verbose.</summary>
        public abstract string Description { get; }
        /// <summary>Records what is there now, so it can be put back.</summary>
        public abstract BackupEntry Capture(ProviderContext ctx);
        public abstract void Apply(ProviderContext ctx);
        /// <summary>Applied after the post-actions (a file a post-action writes: restoring it earlier would be undone by the command).</summary>
        public virtual bool AfterPostActions => false;
        public override string ToString() => Description;
    }

    /// <summary>The prior state of one location, and how to restore it.</summary>
    public abstract class BackupEntry
    {
        public abstract string Location { get; }
        /// <summary>Text of the prior state for change reports ("absent" when nothing was there).</summary>
        public abstract string? StateText { get; }
        public abstract WriteOperation RestoreOperation();
        /// <summary>Restored after the post-actions (see <see cref="WriteOperation.AfterPostActions"/>).</summary>
        public virtual bool AfterPostActions => false;
    }

    /// <summary>Writes a whole file (creating missing folders).</summary>
    public sealed class FileWriteOperation : WriteOperation
    {
        /// <summary>A whole-file write. <paramref name="prior"/>: what the plan found in the file (optional); when the file still
        /// holds exactly these bytes at <see cref="Capture"/> (compared as it is read), the backup takes this array instead of a
        /// second copy.</summary>
        public FileWriteOperation(string path, byte[] content, string what, byte[]? prior = null)
        { Path = path; Content = content; What = what; Prior = prior; }

        private byte[]? Prior { get; }

        /// <summary>Real absolute path (mapped under the root when applied).</summary>
        public string Path { get; }
        public byte[] Content { get; }
        public string What { get; }
        public override string Location => Path;
        public override string Description => $"write {Path} ({What}, {Content.Length} bytes)";

        public override BackupEntry Capture(ProviderContext ctx)
        {
            var physical = ctx.Physical(Path);
            var created = new List<string>();
            var dir = System.IO.Path.GetDirectoryName(Path);
            while (!string.IsNullOrEmpty(dir) && !Directory.Exists(ctx.Map(dir!.Replace('\\', '/'))))
            {
                created.Add(dir!.Replace('\\', '/'));
                dir = System.IO.Path.GetDirectoryName(dir);
            }
            return FileBackup.Of(Path, physical, created, false, Prior);
        }

        public override void Apply(ProviderContext ctx)
        {
            var physical = ctx.Physical(Path);
            ctx.Verbose($"Writing {physical} ({What})");
            AtomicFile.Write(physical, Content);
        }
    }

    /// <summary>
    /// A file that a post-action command writes (e.g. the database <c>dconf update</c> compiles): nothing is written by the
    /// operation itself, but its prior state goes into the backup so Undo puts it back (or removes it) too — after the
    /// post-actions have run, so the command cannot rebuild it again.
    /// </summary>
    public sealed class FileByCommandOperation : WriteOperation
    {
        public FileByCommandOperation(string path, string what) { Path = path; What = what; }
        public string Path { get; }
        public string What { get; }
        public override string Location => Path;
        public override string Description => $"rebuild {Path} ({What})";
        public override bool AfterPostActions => true;
        public override BackupEntry Capture(ProviderContext ctx) => FileBackup.Of(Path, ctx.Physical(Path), Array.Empty<string>(), true);
        public override void Apply(ProviderContext ctx) => ctx.Verbose($"{ctx.Map(Path)} is rebuilt by a post-action ({What})");
    }

    /// <summary>Puts a file back as it was: its exact bytes, mode and owner, or no file (and no folders the module created).</summary>
    public sealed class FileRestoreOperation : WriteOperation
    {
        public FileRestoreOperation(FileBackup backup) { Backup = backup; }
        public FileBackup Backup { get; }
        public override string Location => Backup.Path;
        public override bool AfterPostActions => Backup.ByPostAction;
        public override string Description => Backup.Existed
            ? $"restore {Backup.Path} ({Backup.Content!.Length} bytes)"
            : $"remove {Backup.Path} (it did not exist)";

        public override BackupEntry Capture(ProviderContext ctx) =>
            FileBackup.Of(Backup.Path, ctx.Physical(Backup.Path), Array.Empty<string>(), Backup.ByPostAction);

        public override void Apply(ProviderContext ctx)
        {
            var physical = ctx.Physical(Backup.Path);
            if (Backup.Existed)
            {
                ctx.Verbose($"Restoring {physical}" + (Backup.Ownership != null ? $" ({Backup.Ownership})" : ""));
                AtomicFile.Write(physical, Backup.Content!, Backup.Ownership);
                return;
            }
            if (File.Exists(physical))
            {
                ctx.Verbose($"Removing {physical} (it did not exist before)");
                File.Delete(physical);
            }
            foreach (var d in Backup.CreatedDirectories) // deepest first, as recorded
            {
                var pd = ctx.Physical(d);
                if (Directory.Exists(pd) && !Directory.EnumerateFileSystemEntries(pd).Any())
                {
                    ctx.Verbose($"Removing empty folder {pd} (created by Set-WaHardening)");
                    Directory.Delete(pd);
                }
            }
        }
    }

    public sealed class FileBackup : BackupEntry
    {
        public FileBackup(string path, bool existed, byte[]? content, IReadOnlyList<string> createdDirectories,
            FileOwnership? ownership = null, bool byPostAction = false)
        {
            Path = path; Existed = existed; Content = content; CreatedDirectories = createdDirectories;
            Ownership = existed ? ownership : null; ByPostAction = byPostAction;
        }

        public string Path { get; }
        public bool Existed { get; }
        public byte[]? Content { get; }
        /// <summary>Folders that did not exist before the write (deepest first); removed again on undo when empty.</summary>
        public IReadOnlyList<string> CreatedDirectories { get; }
        /// <summary>Mode and owner the file had (Unix; null when it did not exist or they could not be read).</summary>
        public FileOwnership? Ownership { get; }
        /// <summary>Written by a post-action (the compiled dconf database): restored after the post-actions run.</summary>
        public bool ByPostAction { get; }
        public override string Location => Path;
        public override string? StateText => Existed ? $"{Content!.Length} bytes" : null;
        public override bool AfterPostActions => ByPostAction;
        public override WriteOperation RestoreOperation() => new FileRestoreOperation(this);

        /// <summary>What is at <paramref name="physical"/> now (its bytes, mode and owner).</summary>
        internal static FileBackup Of(string path, string physical, IReadOnlyList<string> created, bool byPostAction, byte[]? known = null) =>
            File.Exists(physical)
                ? new FileBackup(path, true, known != null && Providers.Bytes.FileHolds(physical, known) ? known : File.ReadAllBytes(physical),
                    created, UnixFile.Get(physical), byPostAction)
                : new FileBackup(path, false, null, created, null, byPostAction);
    }

    /// <summary>Sets one registry value (creating the key).</summary>
    public sealed class RegistrySetOperation : WriteOperation
    {
        public RegistrySetOperation(string hive, string key, string name, RegistryValue value)
        { Hive = hive; Key = key; Name = name; Value = value; }
        public string Hive { get; }
        public string Key { get; }
        public string Name { get; }
        public RegistryValue Value { get; }
        public override string Location => $@"{Hive}\{Key}\{Name}";
        public override string Description => $"set {Location} = {Value}";
        public override BackupEntry Capture(ProviderContext ctx) => RegistryBackup.Of(ctx, Hive, Key, Name);
        public override void Apply(ProviderContext ctx)
        {
            ctx.Verbose($"Setting {Location} = {Value}");
            RegistryOf(ctx).SetValue(Hive, Key, Name, Value);
        }

        internal static IRegistry RegistryOf(ProviderContext ctx) => ctx.Registry ?? throw new WaHardeningException(ErrorIds.RegistryUnavailable,
            WaErrorCategory.ResourceUnavailable, "There is no Windows registry on this computer.");
    }

    /// <summary>Deletes one registry value (a stale list entry, or a value that did not exist before).</summary>
    public sealed class RegistryDeleteOperation : WriteOperation
    {
        public RegistryDeleteOperation(string hive, string key, string name, IReadOnlyList<string>? removeEmptyKeys = null)
        { Hive = hive; Key = key; Name = name; RemoveEmptyKeys = removeEmptyKeys ?? Array.Empty<string>(); }
        public string Hive { get; }
        public string Key { get; }
        public string Name { get; }
        /// <summary>Keys (deepest first) to delete afterwards if they are empty: the ones Set-WaHardening created.</summary>
        public IReadOnlyList<string> RemoveEmptyKeys { get; }
        public override string Location => $@"{Hive}\{Key}\{Name}";
        public override string Description => $"delete {Location}";
        public override BackupEntry Capture(ProviderContext ctx) => RegistryBackup.Of(ctx, Hive, Key, Name);
        public override void Apply(ProviderContext ctx)
        {
            ctx.Verbose($"Deleting {Location}");
            var reg = RegistrySetOperation.RegistryOf(ctx);
            reg.DeleteValue(Hive, Key, Name);
            foreach (var k in RemoveEmptyKeys)
            {
                if (!reg.DeleteKeyIfEmpty(Hive, k)) break; // still holds something: so do its parents
                ctx.Verbose($@"Removed the empty key {Hive}\{k} (it did not exist before)");
            }
        }
    }

    public sealed class RegistryBackup : BackupEntry
    {
        public RegistryBackup(string hive, string key, string name, RegistryValue? value, IReadOnlyList<string>? createdKeys = null)
        { Hive = hive; Key = key; Name = name; Value = value; CreatedKeys = createdKeys ?? Array.Empty<string>(); }
        /// <summary>The keys (deepest first) that did not exist before: removed again on restore when empty.</summary>
        public IReadOnlyList<string> CreatedKeys { get; }
        public string Hive { get; }
        public string Key { get; }
        public string Name { get; }
        /// <summary>The prior value; null when it did not exist.</summary>
        public RegistryValue? Value { get; }
        public override string Location => $@"{Hive}\{Key}\{Name}";
        public override string? StateText => Value?.ToString();

        public override WriteOperation RestoreOperation() => Value == null
            ? new RegistryDeleteOperation(Hive, Key, Name, CreatedKeys)
            : new RegistrySetOperation(Hive, Key, Name, Value);

        internal static RegistryBackup Of(ProviderContext ctx, string hive, string key, string name)
        {
            var reg = RegistrySetOperation.RegistryOf(ctx);
            var created = new List<string>();
            for (var k = key.Trim('\\'); k.Length > 0 && !reg.KeyExists(hive, k); k = k.LastIndexOf('\\') is var i && i > 0 ? k.Substring(0, i) : "")
                created.Add(k);
            return new RegistryBackup(hive, key, name, reg.GetValue(hive, key, name), created);
        }
    }

    /// <summary>A step a provider runs after its writes (and after a restore), e.g. "dconf update".</summary>
    public sealed class PostAction : IEquatable<PostAction>
    {
        public PostAction(string provider, string name) { Provider = provider; Name = name; }
        public string Provider { get; }
        public string Name { get; }
        public bool Equals(PostAction? other) => other != null && other.Provider == Provider && other.Name == Name;
        public override bool Equals(object? obj) => Equals(obj as PostAction);
        public override int GetHashCode() => (Provider + "|" + Name).GetHashCode();
        public override string ToString() => $"{Provider}:{Name}";
    }

    internal static class Utf8
    {
        public static readonly Encoding NoBom = new UTF8Encoding(false, true);
    }
}
