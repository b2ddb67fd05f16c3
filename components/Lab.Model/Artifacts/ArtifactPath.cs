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
}
