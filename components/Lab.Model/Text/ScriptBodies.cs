using System.Collections.Concurrent;
using System.Reflection;

namespace Lab.Model.Text;

/// <summary>
/// The constant text of every script body and shell helper: .sh files kept beside the C# that declares
/// their data, embedded in Lab.Model (so bash diffs read as bash and shellcheck works on the source).
/// </summary>
public static class ScriptBodies
{
    private static readonly Assembly Model = typeof(ScriptBodies).Assembly;

    // Read once per process: every step of every node used to read its body and helpers from the assembly again.
    private static readonly ConcurrentDictionary<string, string> Bodies = new(StringComparer.Ordinal);

    /// <summary>The body at PATH relative to Lab.Model, e.g. "Nodes/preflight.sh".</summary>
    public static string Read(string path) => Bodies.GetOrAdd(path, Load);

    private static string Load(string path)
    {
        using var stream = Model.GetManifestResourceStream(path)
            ?? throw new ArgumentException($"Lab.Model embeds no script '{path}' (embedded: {string.Join(", ", Model.GetManifestResourceNames())}).");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
