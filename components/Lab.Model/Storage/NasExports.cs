using Lab.Model.Artifacts;
using Lab.Model.Nodes;
using Lab.Model.Spec;
using static Lab.Model.Text.Shell;

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
            $"{e.Path} {e.Clients}({string.Join(',', Options(e))})");
        return $"""
            # {ExportsFile}: the lab's NFS exports (stack {spec.Stack}), rendered by Lab.Model.
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

    /// <summary>The export's directory: created when missing, never removed or emptied.</summary>
    public static StepScript Directory(LabSpec spec, ExportSpec export) => StepScript.Render(Component, spec.Nas.Name, 10, $"export-{export.Name}",
        $"the directory of export '{export.Name}' (created when missing; never removed)",
        $$"""
        path={{Quote(export.Path)}}
        if [ ! -d "$path" ]; then
          install -d -m 0775 "$path"
          echo "created: $path" >&2
        fi
        echo "path=$path"
        echo "free_gb=$(df --output=avail -BG "$path" | tail -n 1 | tr -dc '0-9')"
        """);

    /// <summary>Writes the exports file and applies it; says which paths it unexported.</summary>
    public static StepScript Apply(LabSpec spec) => StepScript.Render(Component, spec.Nas.Name, 20, "exports",
        "write the lab's exports file and apply it",
        $$"""
        exports_file={{ExportsFile}}
        wanted=({{string.Join(" ", spec.Nas.Exports.Select(e => Quote(e.Path)))}})
        if ! command -v exportfs >/dev/null; then
          echo "exports: exportfs not found; the NAS needs its NFS server running" >&2
          exit 1
        fi
        # A path that leaves the file is unexported; its directory and data stay.
        if [ -f "$exports_file" ]; then
          while read -r path _; do
            case "$path" in '' | '#'*) continue ;; esac
            keep=no
            for w in "${wanted[@]}"; do
              if [ "$w" = "$path" ]; then keep=yes; fi
            done
            if [ "$keep" = no ]; then
              echo "unexporting $path: it left the lab config; its directory and data stay on the NAS" >&2
              echo "unexported=$path"
            fi
          done <"$exports_file"
        fi
        write_file "$exports_file" 0644 <<'EOF'
        {{File(spec).TrimEnd('\n')}}
        EOF
        exportfs -ra
        for w in "${wanted[@]}"; do
          if ! exportfs -s | awk '{print $1}' | grep -qxF -- "$w"; then
            echo "exports: $w is not exported after exportfs -ra" >&2
            exit 1
          fi
        done
        echo "exports=${#wanted[@]}"
        """,
        ShellHelper.WriteFile);

    public static IEnumerable<Artifact> Artifacts(LabSpec spec) =>
        Steps(spec).Select(s => s.ToArtifact()).Append(new Artifact($"{Component}/{spec.Nas.Name}/lab.exports", File(spec)));
}
