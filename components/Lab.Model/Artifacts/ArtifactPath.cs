namespace Lab.Model.Artifacts;

/// <summary>Where an artifact may be written: strictly inside the output folder, whatever its relative path says.</summary>
public static class ArtifactPath
{
    /// <summary>The full path of RELATIVE under ROOT (a full path), or null when it is absolute, climbs out with "..", or leaves ROOT.</summary>
    public static string? Under(string root, string relative)
    {
        if (relative.Length == 0 || Path.IsPathRooted(relative) || relative.Split('/', '\\').Any(part => part is "" or "." or ".." || part.Any(char.IsControl)))
        {
            return null;
        }
        var full = Path.GetFullPath(Path.Combine(root, relative));
        var prefix = Path.EndsInDirectorySeparator(root) ? root : root + Path.DirectorySeparatorChar;
        return full.StartsWith(prefix, StringComparison.Ordinal) ? full : null;
    }

    /// <summary>
    /// Writes each artifact under OUTDIR, printing its hash and path on OUTPUT (scripts/render's files, then its Kubernetes
    /// objects). When any would leave OUTDIR, writes nothing and names them on ERROR. Returns whether it wrote them.
    /// </summary>
    public static bool WriteAll(string outDir, IReadOnlyList<Artifact> artifacts, TextWriter output, TextWriter error)
    {
        var root = Path.GetFullPath(outDir);
        var outside = artifacts.Where(a => Under(root, a.Path) is null).Select(a => a.Path).ToList();
        if (outside.Count > 0)
        {
            error.WriteLine($"render: refusing to write outside {outDir}: {Spec.ConfigText.Names(outside)}. Nothing was written.");
            return false;
        }
        foreach (var artifact in artifacts)
        {
            var path = Under(root, artifact.Path)!;
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, artifact.Content);
            output.WriteLine($"{artifact.Hash[..12]}  {Path.Combine(outDir, artifact.Path)}");
        }
        return true;
    }
}
