using Lab.Model.Artifacts;
using Lab.Model.Nodes;
using Lab.Model.Spec;
using Lab.Model.Text;
using static Lab.Model.Text.Shell;

namespace Lab.Model.Storage;

/// <summary>systemd .mount + .automount units for the NAS exports a node uses, and the node step that installs them.</summary>
public static class NfsMounts
{
    /// <summary>Marks units the program owns, so it removes only its own when a node stops using an export.</summary>
    public const string Marker = "# lab-nfs-mount";

    public const string Options = "vers=4.2,hard,_netdev,noatime,proto=tcp,timeo=600,retrans=2";

    /// <summary>Unmount after 10 idle minutes; the next access mounts again.</summary>
    public const int IdleTimeoutSec = 600;

    public sealed record Unit(string FileName, string Content);

    public static string UnitName(ExportSpec export) => Systemd.EscapePath(export.MountPoint);

    public static IReadOnlyList<Unit> Units(LabSpec spec, NodeSpec node) =>
        node.Mounts.Select(spec.Nas.Export).SelectMany(e => new[] { Mount(spec, e), Automount(spec, e) }).ToList();

    private static Unit Mount(LabSpec spec, ExportSpec e) => new($"{UnitName(e)}.mount", $"""
        {Marker}
        [Unit]
        Description=Lab NFS export {e.Name} from {spec.Nas.Name}
        After=network-online.target
        Wants=network-online.target

        [Mount]
        What={spec.Nas.Host}:{e.Path}
        Where={e.MountPoint}
        Type=nfs4
        Options={Options},{(e.Access == ExportAccess.ReadWrite ? "rw" : "ro")}
        TimeoutSec=30

        """);

    private static Unit Automount(LabSpec spec, ExportSpec e) => new($"{UnitName(e)}.automount", $"""
        {Marker}
        [Unit]
        Description=Automount lab NFS export {e.Name} from {spec.Nas.Name}

        [Automount]
        Where={e.MountPoint}
        TimeoutIdleSec={IdleTimeoutSec}

        [Install]
        WantedBy=remote-fs.target

        """);

    /// <summary>Installs the node's units, removes its stale ones, and checks each mount answers as expected.</summary>
    public static StepScript Step(LabSpec spec, NodeSpec node)
    {
        var exports = node.Mounts.Select(spec.Nas.Export).ToList();
        var writes = Units(spec, node).Select(u => $"""
            write_file /etc/systemd/system/{u.FileName} 0644 <<'EOF'
            {u.Content.TrimEnd('\n')}
            EOF
            """);
        return StepScript.Render(NodeSteps.Component, node.Name, 25, "storage",
            $"NFS automounts of {string.Join(", ", node.Mounts)} from {spec.Nas.Name}",
            $$"""
            units=({{string.Join(" ", exports.Select(e => Quote(UnitName(e))))}})
            mount_points=({{string.Join(" ", exports.Select(e => Quote(e.MountPoint)))}})
            access=({{string.Join(" ", exports.Select(e => e.Access == ExportAccess.ReadWrite ? "rw" : "ro"))}})
            names=({{string.Join(" ", exports.Select(e => Quote(e.Name)))}})

            {{string.Join("\n", writes)}}

            # Units of exports this node no longer uses: unmount and remove them. Nothing on the NAS is touched.
            for file in /etc/systemd/system/*.automount; do
              [ -e "$file" ] || continue
              grep -qx {{Quote(Marker)}} "$file" || continue
              unit=$(basename "$file" .automount)
              keep=no
              for u in "${units[@]}"; do
                if [ "$u" = "$unit" ]; then keep=yes; fi
              done
              if [ "$keep" = no ]; then
                systemctl disable --now "$unit.automount" >/dev/null 2>&1 || true
                systemctl stop "$unit.mount" >/dev/null 2>&1 || true
                rm -f "/etc/systemd/system/$unit.automount" "/etc/systemd/system/$unit.mount"
                echo "removed mount unit $unit (the NAS and its data are untouched)" >&2
              fi
            done
            systemctl daemon-reload

            problems=0
            for i in "${!units[@]}"; do
              # Options may have changed: unmount so the next access mounts with the new ones.
              systemctl stop "${units[$i]}.mount" >/dev/null 2>&1 || echo "storage: ${mount_points[$i]} is busy; new options apply at its next mount" >&2
              systemctl enable --now "${units[$i]}.automount" >/dev/null
              if ! timeout 60 stat -t "${mount_points[$i]}/." >/dev/null 2>&1; then
                echo "storage: ${mount_points[$i]} does not answer (NAS {{spec.Nas.Host}})" >&2
                problems=$((problems + 1))
                continue
              fi
              options=$(findmnt -rn -o FSTYPE,OPTIONS --mountpoint "${mount_points[$i]}" | tail -n 1)
              case "$options" in
                nfs4\ "${access[$i]}",*) echo "mount_${names[$i]//-/_}=${access[$i]}" ;;
                *)
                  echo "storage: ${mount_points[$i]} is mounted as '${options:-nothing}', expected nfs4 ${access[$i]}" >&2
                  problems=$((problems + 1))
                  ;;
              esac
            done
            if [ "$problems" -gt 0 ]; then
              exit 1
            fi
            """,
            ShellHelper.WriteFile);
    }

    public static IEnumerable<Artifact> Artifacts(LabSpec spec) =>
        spec.Nodes.SelectMany(n => Units(spec, n).Select(u => new Artifact($"{NodeSteps.Component}/{n.Name}/{u.FileName}", u.Content)));
}
