namespace WaHardening.Core.GroupPolicy
{
    /// <summary>The atomic file write for the cmdlet layer (AtomicFile itself stays internal to the core).</summary>
    public static class AtomicFileAccess
    {
        public static void WriteAllBytes(string path, byte[] bytes) => AtomicFile.WriteAllBytes(path, bytes);
    }
}
