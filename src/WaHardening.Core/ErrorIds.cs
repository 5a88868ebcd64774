using System.Collections.Generic;

namespace WaHardening.Core
{
    /// <summary>
    /// The one catalog of ErrorIds: every error the module raises on purpose carries one of these (WaHardeningException.ErrorId,
    /// the ErrorRecord's FullyQualifiedErrorId). Code names them through these constants, never as string literals
    /// (ErrorIdCatalogTests scans the sources); the about_WaHardening help topic lists them with their descriptions
    /// (generated from <see cref="Descriptions"/> at build time).
    /// </summary>
    public static class ErrorIds
    {
        /// <summary>A setting cannot be expressed in the ADMX the export generates for its ingested app.</summary>
        public const string AdmxDataInvalid = "AdmxDataInvalid";
        /// <summary>One ingested ADMX app of the baseline is used by settings of two profiles (each profile needs its own app).</summary>
        public const string IngestedAdmxShared = "IngestedAdmxShared";
        /// <summary>A baseline setting delivered by an ADMX-backed OMA-URI has a value but no admxData element id.</summary>
        public const string AdmxDataMissing = "AdmxDataMissing";
        /// <summary>An APT configuration file is malformed (file and line named).</summary>
        public const string AptConfigInvalid = "AptConfigInvalid";
        /// <summary>A backup file is not a valid WaHardening backup (format, checksum, entries or post-actions); nothing is restored.</summary>
        public const string BackupInvalid = "BackupInvalid";
        /// <summary>The backup file given to Undo-WaHardening does not exist.</summary>
        public const string BackupNotFound = "BackupNotFound";
        /// <summary>The backup was made on another platform than the one Undo runs on.</summary>
        public const string BackupPlatformMismatch = "BackupPlatformMismatch";
        /// <summary>The backup was made for another root (or the real system) than the one Undo runs with.</summary>
        public const string BackupRootMismatch = "BackupRootMismatch";
        /// <summary>The backup could not be written; nothing was changed.</summary>
        public const string BackupWriteFailed = "BackupWriteFailed";
        /// <summary>The baseline file breaks the schema or a rule (every problem listed with file, line and field).</summary>
        public const string BaselineInvalid = "BaselineInvalid";
        /// <summary>The baseline file does not exist.</summary>
        public const string BaselineNotFound = "BaselineNotFound";
        /// <summary>The baseline file cannot be read.</summary>
        public const string BaselineUnreadable = "BaselineUnreadable";
        /// <summary>No control of the baseline is in the category asked for.</summary>
        public const string CategoryNotFound = "CategoryNotFound";
        /// <summary>A program the module runs (dconf, gpupdate) is not on PATH.</summary>
        public const string CommandNotFound = "CommandNotFound";
        /// <summary>No control of the baseline has the id asked for.</summary>
        public const string ControlNotFound = "ControlNotFound";
        /// <summary>A GNOME setting name is not a dconf key path.</summary>
        public const string DconfKeyInvalid = "DconfKeyInvalid";
        /// <summary>A dconf keyfile is malformed (file and line named).</summary>
        public const string DconfKeyfileInvalid = "DconfKeyfileInvalid";
        /// <summary>The dconf program is not installed.</summary>
        public const string DconfNotFound = "DconfNotFound";
        /// <summary>'dconf update' failed (exit code and message).</summary>
        public const string DconfUpdateFailed = "DconfUpdateFailed";
        /// <summary>A write of Set or Undo failed; everything written before was rolled back.</summary>
        public const string EnforcementFailed = "EnforcementFailed";
        /// <summary>The export folder holds files but no previous export (use -Force).</summary>
        public const string ExportFolderNotEmpty = "ExportFolderNotEmpty";
        /// <summary>An export folder's manifest or a file it names is not usable; nothing was sent.</summary>
        public const string ExportInvalid = "ExportInvalid";
        /// <summary>The folder holds no export (manifest.json).</summary>
        public const string ExportNotFound = "ExportNotFound";
        /// <summary>The export path is a file, not a folder.</summary>
        public const string ExportPathIsFile = "ExportPathIsFile";
        /// <summary>The output file exists and -NoClobber was given.</summary>
        public const string FileExists = "FileExists";
        /// <summary>A policy file not written by this module is invalid where the browser would ignore it; nothing was written.</summary>
        public const string ForeignPolicyFileInvalid = "ForeignPolicyFileInvalid";
        /// <summary>The GPO display name is empty.</summary>
        public const string GpoDisplayNameInvalid = "GpoDisplayNameInvalid";
        /// <summary>Two controls set the same GPO value differently.</summary>
        public const string GpoSettingConflict = "GpoSettingConflict";
        /// <summary>Objects of the export are not in the tenant (never published, or deleted); Get-WaIntuneCompliance names them.</summary>
        public const string IntuneNotPublished = "IntuneNotPublished";
        /// <summary>An Intune report export job failed (or its file could not be read); the other results are kept, labelled partial.</summary>
        public const string IntuneReportFailed = "IntuneReportFailed";
        /// <summary>An Intune report export job did not complete in time; the other results are kept, labelled partial.</summary>
        public const string IntuneReportTimeout = "IntuneReportTimeout";
        /// <summary>A Graph operation was stopped (Ctrl+C).</summary>
        public const string GraphCancelled = "GraphCancelled";
        /// <summary>The Graph connection parameters are incomplete.</summary>
        public const string GraphConnectionIncomplete = "GraphConnectionIncomplete";
        /// <summary>The Graph part of the module failed (the inner error is kept).</summary>
        public const string GraphFailed = "GraphFailed";
        /// <summary>More than one Entra group has the name given for an assignment.</summary>
        public const string GraphGroupAmbiguous = "GraphGroupAmbiguous";
        /// <summary>Looking up an Entra group failed.</summary>
        public const string GraphGroupLookupFailed = "GraphGroupLookupFailed";
        /// <summary>No Entra group has the name given for an assignment.</summary>
        public const string GraphGroupNotFound = "GraphGroupNotFound";
        /// <summary>The access token would be sent to another host than the Graph endpoint; refused.</summary>
        public const string GraphHostNotAllowed = "GraphHostNotAllowed";
        /// <summary>The access token would be sent over plain http; refused.</summary>
        public const string GraphHttpsRequired = "GraphHttpsRequired";
        /// <summary>The Graph part of the module (graph/ folder) is missing.</summary>
        public const string GraphNotInstalled = "GraphNotInstalled";
        /// <summary>A Graph request failed (method, redacted URL, status).</summary>
        public const string GraphRequestFailed = "GraphRequestFailed";
        /// <summary>Graph cannot be reached.</summary>
        public const string GraphUnreachable = "GraphUnreachable";
        /// <summary>There is no local Group Policy object on this system (not Windows).</summary>
        public const string LocalGpoNotAvailable = "LocalGpoNotAvailable";
        /// <summary>Another WaHardening run holds the lock.</summary>
        public const string LockTimeout = "LockTimeout";
        /// <summary>A setting has no Windows registry form.</summary>
        public const string NoRegistryForm = "NoRegistryForm";
        /// <summary>The target is audit-only (APT).</summary>
        public const string NotEnforceable = "NotEnforceable";
        /// <summary>schtasks could not register or delete a scheduled task of the session clean-up.</summary>
        public const string ScheduledTaskFailed = "ScheduledTaskFailed";
        /// <summary>The session clean-up cannot be installed here (no PowerShell host known, or no systemd).</summary>
        public const string SessionCleanupUnavailable = "SessionCleanupUnavailable";
        /// <summary>A baseline parameter value is out of its type or bounds.</summary>
        public const string ParameterInvalid = "ParameterInvalid";
        /// <summary>A path the module writes or owns is (or passes through) a symbolic link; refused.</summary>
        public const string PathIsLink = "PathIsLink";
        /// <summary>A path is not canonical or lies outside the root the command runs with; refused.</summary>
        public const string PathOutsideRoot = "PathOutsideRoot";
        /// <summary>Controls came from the pipeline together with baseline options.</summary>
        public const string PipelineWithBaselineOptions = "PipelineWithBaselineOptions";
        /// <summary>An unknown platform name was given.</summary>
        public const string PlatformUnknown = "PlatformUnknown";
        /// <summary>A value cannot be written into a property list.</summary>
        public const string PlistValueUnsupported = "PlistValueUnsupported";
        /// <summary>The module's own policy file is invalid or not as the browser reads it; nothing was written.</summary>
        public const string PolicyFileInvalid = "PolicyFileInvalid";
        /// <summary>A policy file cannot be read.</summary>
        public const string PolicyFileUnreadable = "PolicyFileUnreadable";
        /// <summary>A setting cannot be written because another form of the same policy is in the way (Firefox boolean or deprecated forms).</summary>
        public const string PolicyFormConflict = "PolicyFormConflict";
        /// <summary>The baseline has no profile of that name.</summary>
        public const string ProfileNotFound = "ProfileNotFound";
        /// <summary>A registry value's hive has no Group Policy half.</summary>
        public const string RegistryHiveUnsupported = "RegistryHiveUnsupported";
        /// <summary>A device script cannot write a registry value of that kind.</summary>
        public const string RegistryKindUnsupported = "RegistryKindUnsupported";
        /// <summary>A Registry.pol file cannot be read (access denied).</summary>
        public const string RegistryPolicyAccessDenied = "RegistryPolicyAccessDenied";
        /// <summary>A Registry.pol entry is invalid (key, value name, type or data).</summary>
        public const string RegistryPolicyEntryInvalid = "RegistryPolicyEntryInvalid";
        /// <summary>A file is not a valid Registry.pol (offset named).</summary>
        public const string RegistryPolicyInvalid = "RegistryPolicyInvalid";
        /// <summary>The Registry.pol file does not exist.</summary>
        public const string RegistryPolicyNotFound = "RegistryPolicyNotFound";
        /// <summary>The Registry.pol file was not written because some input was invalid.</summary>
        public const string RegistryPolicyNotWritten = "RegistryPolicyNotWritten";
        /// <summary>A Registry.pol file cannot be read.</summary>
        public const string RegistryPolicyReadFailed = "RegistryPolicyReadFailed";
        /// <summary>The records would make a Registry.pol larger than the module writes.</summary>
        public const string RegistryPolicyTooLarge = "RegistryPolicyTooLarge";
        /// <summary>A registry type name is not known.</summary>
        public const string RegistryTypeInvalid = "RegistryTypeInvalid";
        /// <summary>There is no registry to read or write (not Windows, or -Root given).</summary>
        public const string RegistryUnavailable = "RegistryUnavailable";
        /// <summary>A registry value that must hold JSON does not.</summary>
        public const string RegistryValueInvalid = "RegistryValueInvalid";
        /// <summary>A fleet report file was already read through another path (link, folder given twice); skipped.</summary>
        public const string ReportAlreadyRead = "ReportAlreadyRead";
        /// <summary>The report format cannot be told from the file name.</summary>
        public const string ReportFormatUnknown = "ReportFormatUnknown";
        /// <summary>A file is not a valid device report; skipped.</summary>
        public const string ReportInvalid = "ReportInvalid";
        /// <summary>A fleet report path is a FIFO, device, socket or folder; skipped without reading.</summary>
        public const string ReportNotARegularFile = "ReportNotARegularFile";
        /// <summary>A report path does not exist.</summary>
        public const string ReportNotFound = "ReportNotFound";
        /// <summary>The results were audited under several profiles.</summary>
        public const string ReportProfileMixed = "ReportProfileMixed";
        /// <summary>A fleet report file is larger than the bound (counted while reading); skipped.</summary>
        public const string ReportTooLarge = "ReportTooLarge";
        /// <summary>A fleet report file cannot be opened or read; skipped.</summary>
        public const string ReportUnreadable = "ReportUnreadable";
        /// <summary>A generated device script would hold a non-ASCII character.</summary>
        public const string ScriptNotAscii = "ScriptNotAscii";
        /// <summary>A setting cannot be a security template registry value.</summary>
        public const string SecurityOptionInvalid = "SecurityOptionInvalid";
        /// <summary>A backup names a post-action its provider does not have.</summary>
        public const string UnknownPostAction = "UnknownPostAction";
        /// <summary>A browser name given to Get-WaWebSession is not one whose profiles the module finds (Chrome, Chromium, Edge, Brave, Firefox).</summary>
        public const string WebSessionBrowserUnknown = "WebSessionBrowserUnknown";
        /// <summary>An origin given to Get-WaWebSession (or the baseline parameter it defaults to) is not https://host[:port] or [*.]host.</summary>
        public const string WebSessionOriginInvalid = "WebSessionOriginInvalid";
        /// <summary>A browser profile (or one store in it: a cookie database, a LevelDB folder, a session-store file) cannot be read; named, the scan goes on with the rest.</summary>
        public const string WebSessionProfileUnreadable = "WebSessionProfileUnreadable";
        /// <summary>A user given to Get-WaWebSession has no home folder on this computer (or under -Root).</summary>
        public const string WebSessionUserNotFound = "WebSessionUserNotFound";
        /// <summary>A file cannot be written (access denied); nothing was changed.</summary>
        public const string WriteAccessDenied = "WriteAccessDenied";
        /// <summary>A file cannot be written; nothing was changed.</summary>
        public const string WriteFailed = "WriteFailed";

        /// <summary>Set-WaHardening on macOS: the settings are enforced by the exported configuration profiles; nothing is written.</summary>
        public const string MacOSEnforcedByProfiles = "MacOSEnforcedByProfiles";

        /// <summary>A macOS managed-preferences plist cannot be read as macOS reads it (format, size).</summary>
        public const string ManagedPreferencesInvalid = "ManagedPreferencesInvalid";

        /// <summary>A browser data file (LevelDB, SQLite, mozLz4, Snappy) is corrupt, truncated or cyclic (file and fault named); nothing was changed.</summary>
        public const string SessionStoreCorrupt = "SessionStoreCorrupt";
        /// <summary>A browser data file or folder holds more bytes than the bound given to its reader (file and bound named).</summary>
        public const string SessionStoreTooLarge = "SessionStoreTooLarge";
        /// <summary>A browser data folder holds a symbolic link or a non-regular file where only regular files are read or rewritten; nothing was changed.</summary>
        public const string SessionStoreUnsafe = "SessionStoreUnsafe";
        /// <summary>A browser data file cannot be read or written (I/O error named).</summary>
        public const string SessionStoreIoFailed = "SessionStoreIoFailed";

        /// <summary>Every ErrorId with its description, in name order.</summary>
        /// <summary>Clear-WaWebSession: the browser runs on the profile; it was skipped and nothing was touched (use -Force to close the browser first).</summary>
        public const string WebSessionBrowserRunning = "WebSessionBrowserRunning";
        /// <summary>Clear-WaWebSession: the browser program of the profile is not installed where the module looks for it; the profile was not touched.</summary>
        public const string WebSessionBrowserNotFound = "WebSessionBrowserNotFound";
        /// <summary>Clear-WaWebSession: the browser started on the profile failed, exited early or answered its remote protocol (DevTools, Marionette) unexpectedly.</summary>
        public const string WebSessionBrowserFailed = "WebSessionBrowserFailed";
        /// <summary>Clear-WaWebSession: the browser did not start, answer or exit in time (it was killed by its process id).</summary>
        public const string WebSessionBrowserTimeout = "WebSessionBrowserTimeout";
        /// <summary>Clear-WaWebSession: the origins' data could not be removed completely from the profile (file, record or reason named).</summary>
        public const string WebSessionClearFailed = "WebSessionClearFailed";

        public static readonly IReadOnlyDictionary<string, string> Descriptions = new SortedDictionary<string, string>(System.StringComparer.Ordinal)
        {
            [AdmxDataInvalid] = "A setting cannot be expressed in the ADMX the export generates for its ingested app.",
            [SessionStoreCorrupt] = "A browser data file (LevelDB, SQLite, mozLz4, Snappy) is corrupt, truncated or cyclic (file and fault named); nothing was changed.",
            [SessionStoreTooLarge] = "A browser data file or folder holds more bytes than the bound given to its reader (file and bound named).",
            [SessionStoreUnsafe] = "A browser data folder holds a symbolic link or a non-regular file where only regular files are read or rewritten; nothing was changed.",
            [SessionStoreIoFailed] = "A browser data file cannot be read or written (I/O error named).",
            [IngestedAdmxShared] = "One ingested ADMX app of the baseline is used by settings of two profiles (each profile needs its own app).",
            [AdmxDataMissing] = "A baseline setting delivered by an ADMX-backed OMA-URI has a value but no admxData element id.",
            [AptConfigInvalid] = "An APT configuration file is malformed (file and line named).",
            [BackupInvalid] = "A backup file is not a valid WaHardening backup (format, checksum, entries or post-actions); nothing is restored.",
            [BackupNotFound] = "The backup file given to Undo-WaHardening does not exist.",
            [BackupPlatformMismatch] = "The backup was made on another platform than the one Undo runs on.",
            [BackupRootMismatch] = "The backup was made for another root (or the real system) than the one Undo runs with.",
            [BackupWriteFailed] = "The backup could not be written; nothing was changed.",
            [BaselineInvalid] = "The baseline file breaks the schema or a rule (every problem listed with file, line and field).",
            [BaselineNotFound] = "The baseline file does not exist.",
            [BaselineUnreadable] = "The baseline file cannot be read.",
            [CategoryNotFound] = "No control of the baseline is in the category asked for.",
            [CommandNotFound] = "A program the module runs (dconf, gpupdate) is not on PATH.",
            [ControlNotFound] = "No control of the baseline has the id asked for.",
            [DconfKeyInvalid] = "A GNOME setting name is not a dconf key path.",
            [DconfKeyfileInvalid] = "A dconf keyfile is malformed (file and line named).",
            [DconfNotFound] = "The dconf program is not installed.",
            [DconfUpdateFailed] = "'dconf update' failed (exit code and message).",
            [EnforcementFailed] = "A write of Set or Undo failed; everything written before was rolled back.",
            [ExportFolderNotEmpty] = "The export folder holds files but no previous export (use -Force).",
            [ExportInvalid] = "An export folder's manifest or a file it names is not usable; nothing was sent.",
            [ExportNotFound] = "The folder holds no export (manifest.json).",
            [ExportPathIsFile] = "The export path is a file, not a folder.",
            [FileExists] = "The output file exists and -NoClobber was given.",
            [ForeignPolicyFileInvalid] = "A policy file not written by this module is invalid where the browser would ignore it; nothing was written.",
            [GpoDisplayNameInvalid] = "The GPO display name is empty.",
            [GpoSettingConflict] = "Two controls set the same GPO value differently.",
            [GraphCancelled] = "A Graph operation was stopped (Ctrl+C).",
            [GraphConnectionIncomplete] = "The Graph connection parameters are incomplete.",
            [GraphFailed] = "The Graph part of the module failed (the inner error is kept).",
            [GraphGroupAmbiguous] = "More than one Entra group has the name given for an assignment.",
            [GraphGroupLookupFailed] = "Looking up an Entra group failed.",
            [GraphGroupNotFound] = "No Entra group has the name given for an assignment.",
            [GraphHostNotAllowed] = "The access token would be sent to another host than the Graph endpoint; refused.",
            [GraphHttpsRequired] = "The access token would be sent over plain http; refused.",
            [GraphNotInstalled] = "The Graph part of the module (graph/ folder) is missing.",
            [GraphRequestFailed] = "A Graph request failed (method, redacted URL, status).",
            [GraphUnreachable] = "Graph cannot be reached.",
            [IntuneNotPublished] = "Objects of the export are not in the tenant (never published, or deleted); Get-WaIntuneCompliance names them.",
            [IntuneReportFailed] = "An Intune report export job failed (or its file could not be read); the other results are kept, labelled partial.",
            [IntuneReportTimeout] = "An Intune report export job did not complete in time; the other results are kept, labelled partial.",
            [LocalGpoNotAvailable] = "There is no local Group Policy object on this system (not Windows).",
            [LockTimeout] = "Another WaHardening run holds the lock.",
            [NoRegistryForm] = "A setting has no Windows registry form.",
            [NotEnforceable] = "The target is audit-only (APT).",
            [ScheduledTaskFailed] = "schtasks could not register or delete a scheduled task of the session clean-up.",
            [SessionCleanupUnavailable] = "The session clean-up cannot be installed here (no PowerShell host known, or no systemd).",
            [ParameterInvalid] = "A baseline parameter value is out of its type or bounds.",
            [PathIsLink] = "A path the module writes or owns is (or passes through) a symbolic link; refused.",
            [PathOutsideRoot] = "A path is not canonical or lies outside the root the command runs with; refused.",
            [PipelineWithBaselineOptions] = "Controls came from the pipeline together with baseline options.",
            [PlatformUnknown] = "An unknown platform name was given.",
            [PlistValueUnsupported] = "A value cannot be written into a property list.",
            [PolicyFileInvalid] = "The module's own policy file is invalid or not as the browser reads it; nothing was written.",
            [PolicyFileUnreadable] = "A policy file cannot be read.",
            [PolicyFormConflict] = "A setting cannot be written because another form of the same policy is in the way (Firefox boolean or deprecated forms).",
            [ProfileNotFound] = "The baseline has no profile of that name.",
            [RegistryHiveUnsupported] = "A registry value's hive has no Group Policy half.",
            [RegistryKindUnsupported] = "A device script cannot write a registry value of that kind.",
            [RegistryPolicyAccessDenied] = "A Registry.pol file cannot be read (access denied).",
            [RegistryPolicyEntryInvalid] = "A Registry.pol entry is invalid (key, value name, type or data).",
            [RegistryPolicyInvalid] = "A file is not a valid Registry.pol (offset named).",
            [RegistryPolicyNotFound] = "The Registry.pol file does not exist.",
            [RegistryPolicyNotWritten] = "The Registry.pol file was not written because some input was invalid.",
            [RegistryPolicyReadFailed] = "A Registry.pol file cannot be read.",
            [RegistryPolicyTooLarge] = "The records would make a Registry.pol larger than the module writes.",
            [RegistryTypeInvalid] = "A registry type name is not known.",
            [RegistryUnavailable] = "There is no registry to read or write (not Windows, or -Root given).",
            [RegistryValueInvalid] = "A registry value that must hold JSON does not.",
            [ReportAlreadyRead] = "A fleet report file was already read through another path (link, folder given twice); skipped.",
            [ReportFormatUnknown] = "The report format cannot be told from the file name.",
            [ReportInvalid] = "A file is not a valid device report; skipped.",
            [ReportNotARegularFile] = "A fleet report path is a FIFO, device, socket or folder; skipped without reading.",
            [ReportNotFound] = "A report path does not exist.",
            [ReportProfileMixed] = "The results were audited under several profiles.",
            [ReportTooLarge] = "A fleet report file is larger than the bound (counted while reading); skipped.",
            [ReportUnreadable] = "A fleet report file cannot be opened or read; skipped.",
            [ScriptNotAscii] = "A generated device script would hold a non-ASCII character.",
            [SecurityOptionInvalid] = "A setting cannot be a security template registry value.",
            [UnknownPostAction] = "A backup names a post-action its provider does not have.",
            [WebSessionBrowserUnknown] = "A browser name given to Get-WaWebSession is not one whose profiles the module finds (Chrome, Chromium, Edge, Brave, Firefox).",
            [WebSessionOriginInvalid] = "An origin given to Get-WaWebSession (or the baseline parameter it defaults to) is not https://host[:port] or [*.]host.",
            [WebSessionProfileUnreadable] = "A browser profile (or one store in it: a cookie database, a LevelDB folder, a session-store file) cannot be read; named, the scan goes on with the rest.",
            [WebSessionUserNotFound] = "A user given to Get-WaWebSession has no home folder on this computer (or under -Root).",
            [WriteAccessDenied] = "A file cannot be written (access denied); nothing was changed.",
            [WriteFailed] = "A file cannot be written; nothing was changed.",
            [MacOSEnforcedByProfiles] = "Set-WaHardening on macOS: the settings are enforced by the exported configuration profiles; nothing is written.",
            [ManagedPreferencesInvalid] = "A macOS managed-preferences plist cannot be read as macOS reads it (format, size).",
            [WebSessionBrowserRunning] = "Clear-WaWebSession: the browser runs on the profile; it was skipped and nothing was touched (use -Force to close the browser first).",
            [WebSessionBrowserNotFound] = "Clear-WaWebSession: the browser program of the profile is not installed where the module looks for it; the profile was not touched.",
            [WebSessionBrowserFailed] = "Clear-WaWebSession: the browser started on the profile failed, exited early or answered its remote protocol (DevTools, Marionette) unexpectedly.",
            [WebSessionBrowserTimeout] = "Clear-WaWebSession: the browser did not start, answer or exit in time (it was killed by its process id).",
            [WebSessionClearFailed] = "Clear-WaWebSession: the origins' data could not be removed completely from the profile (file, record or reason named).",
        };
    }
}
