using System.Collections.Immutable;
using Lab.Model.Artifacts;
using Lab.Model.Nodes;
using Lab.Model.Spec;
using Lab.Model.Text;

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
        Description={Systemd.Value($"Lab NFS export {e.Name} from {spec.Nas.Name}")}
        After=network-online.target
        Wants=network-online.target

        [Mount]
        What={Systemd.Value($"{spec.Nas.Host}:{e.Path}")}
        Where={Systemd.Value(e.MountPoint)}
        Type=nfs4
        Options={Options},{(e.Access == ExportAccess.ReadWrite ? "rw" : "ro")}
        TimeoutSec=30

        """);

    private static Unit Automount(LabSpec spec, ExportSpec e) => new($"{UnitName(e)}.automount", $"""
        {Marker}
        [Unit]
        Description={Systemd.Value($"Automount lab NFS export {e.Name} from {spec.Nas.Name}")}

        [Automount]
        Where={Systemd.Value(e.MountPoint)}
        TimeoutIdleSec={IdleTimeoutSec}

        [Install]
        WantedBy=remote-fs.target

        """);

    /// <param name="Units">Unit names (escaped mount points) of the exports the node mounts, one per export.</param>
    /// <param name="UnitFiles">The unit files to install (.mount and .automount) with their contents in UnitContents.</param>
    public sealed record StorageData(string Marker, string NasHost, ImmutableArray<string> Names, ImmutableArray<string> Units,
        ImmutableArray<string> MountPoints, ImmutableArray<string> Access, ImmutableArray<string> UnitFiles, ImmutableArray<string> UnitContents);

    /// <summary>Installs the node's units, removes its stale ones, and checks each mount answers as expected.</summary>
    public static StepScript Step(LabSpec spec, NodeSpec node)
    {
        var exports = node.Mounts.Select(spec.Nas.Export).ToList();
        var units = Units(spec, node);
        return StepScript.Render(NodeSteps.Component, node.Name, "storage",
            "NFS automounts of the NAS exports the node uses",
            new StorageData(Marker, spec.Nas.Host.ToString(), [.. exports.Select(e => e.Name)], [.. exports.Select(UnitName)],
                [.. exports.Select(e => e.MountPoint)], [.. exports.Select(e => e.Access == ExportAccess.ReadWrite ? "rw" : "ro")],
                [.. units.Select(u => u.FileName)], [.. units.Select(u => u.Content)]),
            "Storage/storage.sh", ShellHelper.WriteFile);
    }

    public static IEnumerable<Artifact> Artifacts(LabSpec spec) =>
        spec.Nodes.SelectMany(n => Units(spec, n).Select(u => new Artifact($"{NodeSteps.Component}/{n.Name}/{u.FileName}", u.Content)));
}
