using System.Collections.Immutable;
using Lab.Model.Artifacts;
using Lab.Model.Nodes;
using Lab.Model.Spec;

namespace Lab.Model.Storage;

/// <summary>
/// The NAS as a Linux NFS server: one directory step per export (creates, never removes) and one
/// step that owns /etc/exports.d/lab.exports and applies it with exportfs -ra.
/// </summary>
public static class NasExports
{
    public const string Component = "nas-storage";
    public const string ExportsFile = "/etc/exports.d/lab.exports";

    /// <summary>The exports file: one line per export, options spelled out.</summary>
    public static string File(LabSpec spec)
    {
        var lines = spec.Nas.Exports.Select(e =>
            $"{Text.Exports.Path(e.Path)} {e.Clients}({string.Join(',', Options(e))})");
        return $"""
            # {ExportsFile}: the lab's NFS exports, rendered by Lab.Model.
            # Removing a line unexports that path; its directory and data stay on the NAS.
            {string.Join("\n", lines)}

            """;
    }

    private static IEnumerable<string> Options(ExportSpec e) =>
    [
        e.Access == ExportAccess.ReadWrite ? "rw" : "ro",
        e.Sync ? "sync" : "async",
        e.RootSquash ? "root_squash" : "no_root_squash",
        "no_subtree_check",
        "sec=sys",
    ];

    public static IReadOnlyList<StepScript> Steps(LabSpec spec) =>
        [Readiness.Step(Component, spec.Nas.Name), .. spec.Nas.Exports.Select(e => Directory(spec, e)), Apply(spec)];

    /// <param name="ProbeDirectory">The validation gate's NFS probe directory inside the export, owned by the probe account ("": none here).</param>
    public sealed record DirectoryData(string Path, string ProbeDirectory, string ProbeOwner);

    /// <summary>The export's directory (and, on the export the gate measures, its probe directory): created when missing, never removed or emptied.</summary>
    public static StepScript Directory(LabSpec spec, ExportSpec export)
    {
        var probed = spec.Validation.Mode != GateMode.Off && spec.Validation.NfsExport == export.Name;
        return StepScript.Render(Component, spec.Nas.Name, $"export-{export.Name}",
            "the directory of an export (created when missing; never removed)",
            new DirectoryData(export.Path,
                probed ? $"{export.Path.TrimEnd('/')}/{Validation.Probes.NfsProbeDirectory}" : "",
                probed ? $"{Validation.Probes.ProbeUid}:{Validation.Probes.ProbeGid}" : ""),
            "Storage/export-directory.sh");
    }

    /// <param name="Wanted">The exported paths.</param>
    /// <param name="Exports">The exports file's content.</param>
    public sealed record ExportsData(string ExportsFile, ImmutableArray<string> Wanted, string Exports);

    /// <summary>Writes the exports file and applies it; says which paths it unexported.</summary>
    public static StepScript Apply(LabSpec spec) => StepScript.Render(Component, spec.Nas.Name, "exports",
        "write the lab's exports file and apply it",
        new ExportsData(ExportsFile, [.. spec.Nas.Exports.Select(e => e.Path)], File(spec)), "Storage/exports.sh", ShellHelper.WriteFile);

    public static IEnumerable<Artifact> Artifacts(LabSpec spec) =>
        Steps(spec).Select(s => s.ToArtifact()).Append(new Artifact($"{Component}/{spec.Nas.Name}/lab.exports", File(spec)));
}
