using System.Collections.Immutable;
using System.Text.Json;
using Lab.Model.Slurm;

namespace Lab.Model.Spec;

public static partial class LabSpecLoader
{
    private static IReadOnlyList<string> SlurmFields => field ??= ConfigCatalog.Fields("lab:slurm");
    private static IReadOnlyList<string> SlurmWorkerFields => field ??= ConfigCatalog.Fields("lab:slurm.workers[]");
    private const string SlurmWorkerExample = "'{node: gemini-1, cpus: 14, memoryGb: 96, gpus: 1}'";
    private const string LoginKeyExample = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA… operator@lab";

    /// <summary>lab:slurm; null when absent or enabled: false (the dev stack's default).</summary>
    private static SlurmSpec? ReadSlurm(ConfigReader r, string? raw, ImmutableArray<NodeSpec> nodes, NasSpec? nas, ClusterSpec? cluster)
    {
        const string key = ConfigKeys.Slurm;
        if (raw is null || r.Document(key, raw, JsonValueKind.Object, "lab:slurm: {enabled: true, jailExport: jobs, jailSizeGb: 1024, loginKeys: ['ssh-ed25519 AAAA… operator@lab']}") is not { } s)
        {
            return null;
        }
        r.RejectUnknown(s, key, SlurmFields);
        if (r.Bool(s, key, "enabled") is not true)
        {
            return null;
        }
        // What Slurm stands on in the cluster: the GPU operator (its workers' GPUs), the observability add-on (the monitoring CRDs
        // helm-soperator's ServiceMonitor and the exporter's PodMonitor need), hostpath-storage (slurmctld's spool claim).
        foreach (var (addon, why) in SlurmAddons.Where(a => cluster is not null && !cluster.Addons.Contains(a.Addon)))
        {
            r.Error($"{key}.enabled", $"Slurm needs {why}, but lab:cluster.addons has no '{addon}'.", $"add {addon} to lab:cluster.addons, or set lab:slurm.enabled to false.");
        }

        // populate-jail writes a whole root filesystem as root, and sconfigcontroller's init container chowns /mnt/jail/etc/slurm
        // as uid 0 (Soperator 4.1.7; its own nfs-server chart exports with no_root_squash).
        var jail = ReadSlurmExport(r, s, key, nas, "jailExport", "jobs", "the jail is Slurm's root filesystem: jobs, users and the populate-jail Job write to it",
            "the jail is a root filesystem that Soperator writes as root (populate-jail, sconfigcontroller)", "an export for the jail alone");
        // MariaDB's entrypoint chowns its data directory to the mysql user as root; a directory inside the jail would be readable by
        // every job running as root there.
        var database = ReadSlurmExport(r, s, key, nas, "accountingExport", "slurm-db", "slurmdbd's database (MariaDB) writes its data there",
            "MariaDB's entrypoint chowns its data directory as root", "an export for the accounting database alone");
        if (database is not null && database == jail)
        {
            r.Error($"{key}.accountingExport", $"is the jail's export '{jail}': the accounting database's files (every job, user and password hash) would be readable by root in every job.",
                $"name an export of its own, e.g. add {{name: slurm-db, path: /share/lab/slurm-db, access: rw, rootSquash: false, confirmNoRootSquash: true}} to {ConfigKeys.Nas}.exports and set {key}.accountingExport: slurm-db.");
            database = null;
        }
        var size = r.Int(s, key, "jailSizeGb");
        var nodePort = r.Int(s, key, "loginNodePort");
        var keys = ReadLoginKeys(r, s, key);

        if (nodes.Select(n => n.Name).Distinct().Count() != nodes.Length)
        {
            // lab:nodes reports the clash; workers are matched to nodes by name.
            return null;
        }
        var slurmNodes = nodes.Where(n => n.Gpu.Count > 0).ToList();
        foreach (var (node, i) in nodes.Select((n, i) => (n, i)).Where(t => t.n.Cpus is null))
        {
            r.Error($"{ConfigKeys.Nodes}[{i}].cpus", $"is missing: Slurm sizes its pods on '{node.Name}' from its logical CPU count.",
                $"add cpus: N (what nproc prints on {node.Name}) under lab:nodes[{i}].");
        }
        var workers = ReadSlurmWorkers(r, s, key, nodes);
        var version = ReadSlurmVersion(r, s, key);
        var images = version is null ? null : ReadSlurmImages(r, s, key, version);

        if (jail is null || database is null || size is null || nodePort is null || keys is null || workers is null || version is null || images is null || nodes.Any(n => n.Cpus is null) || slurmNodes.Count == 0)
        {
            if (slurmNodes.Count == 0 && nodes.Length > 0)
            {
                r.Error($"{key}.enabled", "no node has a GPU, and every Slurm worker is a GPU node.", "set lab:slurm.enabled to false.");
            }
            return null;
        }
        // A workers list names the nodes Slurm owns (the others keep time-sliced GPUs for Kubernetes and the gate's
        // GPU probes); without one, every GPU node serves Slurm with a worker sized to what the node has left.
        var listed = workers.Value;
        var all = s.TryGetProperty("workers", out _) ? listed : [.. slurmNodes.Select(SlurmSizing.DefaultWorker)];
        var spec = new SlurmSpec(version, jail, database, size.Value, keys.Value, nodePort.Value, all, images);
        foreach (var worker in all)
        {
            var node = nodes.Single(n => n.Name == worker.Node);
            var isListed = listed.Contains(worker);
            var at = isListed ? $"{key}.workers[{listed.IndexOf(worker)}]" : $"{key}.workers";
            var room = SlurmSizing.Room(node);
            if (room.MilliCpus < 1000 || room.MemoryMib < 1024)
            {
                r.Error($"{ConfigKeys.Nodes}[{nodes.IndexOf(node)}]", $"'{node.Name}' ({node.Cpus} CPUs, {node.MemoryGb} GB) has no room for a Slurm worker after the system's and Slurm's other pods.",
                    "run Slurm on larger nodes, or set lab:slurm.enabled to false.");
                continue;
            }
            if (worker.Cpus * 1000 > room.MilliCpus)
            {
                r.Error(isListed ? $"{at}.cpus" : at, $"'{node.Name}' has {node.Cpus} CPUs; after the system's and Slurm's other pods there, its worker can request at most {room.MilliCpus / 1000}, not {worker.Cpus}.",
                    $"request at most {room.MilliCpus / 1000} cpus for '{node.Name}'{(isListed ? "" : $" (list it under {key}.workers)")}.");
            }
            if (worker.MemoryGb * 1024L > room.MemoryMib)
            {
                r.Error(isListed ? $"{at}.memoryGb" : at, $"'{node.Name}' has {node.MemoryGb} GB; after the system's and Slurm's other pods there, its worker can request at most {room.MemoryMib / 1024} GiB, not {worker.MemoryGb}.",
                    $"request at most {room.MemoryMib / 1024} memoryGb for '{node.Name}'.");
            }
        }
        return spec;
    }

    /// <summary>A NAS export Soperator's pods write as root: present, read-write, and not squashing root.</summary>
    private static string? ReadSlurmExport(ConfigReader r, JsonElement s, string key, NasSpec? nas, string field, string example, string whyWritable, string whyRoot, string alone)
    {
        var name = r.String(s, key, field, example);
        if (name is null || nas is null)
        {
            return name;
        }
        var export = nas.Exports.FirstOrDefault(e => e.Name == name);
        if (export is null)
        {
            r.Error($"{key}.{field}", $"'{ConfigText.Shorten(name)}' is not an export of the NAS.",
                $"name one of lab:nas.exports ({ConfigText.Names(nas.Exports.Select(e => e.Name))}), or add the export there.");
            return null;
        }
        if (export.Access == ExportAccess.ReadOnly)
        {
            r.Error($"{key}.{field}", $"export '{name}' is read-only, but {whyWritable}.",
                $"set access: rw on lab:nas.exports '{name}', or name a read-write export.");
            return null;
        }
        if (export.RootSquash)
        {
            r.Error($"{key}.{field}", $"export '{name}' squashes root, but {whyRoot}.",
                $"set rootSquash: false and confirmNoRootSquash: true on {ConfigKeys.Nas}.exports[{nas.Exports.IndexOf(export)}] ('{name}'), {alone}.");
            return null;
        }
        return name;
    }

    private static readonly (string Addon, string Why)[] SlurmAddons =
    [
        ("nvidia", "the GPU operator for its workers' GPUs"),
        ("observability", "the monitoring CRDs for Soperator's ServiceMonitor and the exporter's PodMonitor"),
        ("hostpath-storage", "a storage class for slurmctld's spool claim (microk8s-hostpath)"),
    ];

    private static ImmutableArray<HostKey>? ReadLoginKeys(ConfigReader r, JsonElement s, string key)
    {
        if (r.Child(s, key, "loginKeys", JsonValueKind.Array, $"loginKeys: ['{LoginKeyExample}']") is not { } list)
        {
            return null;
        }
        var keys = ImmutableArray.CreateBuilder<HostKey>();
        var index = 0;
        foreach (var item in list.EnumerateArray())
        {
            var at = $"{key}.loginKeys[{index++}]";
            if (item.ValueKind != JsonValueKind.String || !r.Text(at, item.GetString()!))
            {
                if (item.ValueKind != JsonValueKind.String)
                {
                    r.Error(at, "must be an SSH public-key line.", $"e.g. '{LoginKeyExample}' (the .pub file of the operator's key).");
                }
                return null;
            }
            if (!HostKey.TryParse(item.GetString()!, out var parsed, out var problem))
            {
                r.Error(at, problem, $"paste the operator's public key (the one line of ~/.ssh/id_ed25519.pub, e.g. '{LoginKeyExample}'); never a private key.");
                return null;
            }
            keys.Add(parsed!);
        }
        return keys.ToImmutable();
    }

    private static ImmutableArray<SlurmWorkerSpec>? ReadSlurmWorkers(ConfigReader r, JsonElement s, string key, ImmutableArray<NodeSpec> nodes)
    {
        if (r.OptionalList(s, key, "workers", $"[{SlurmWorkerExample}]") is not { } list)
        {
            return null;
        }
        // A node refused above is missing from NODES: naming it here is no second mistake.
        var nodesRead = !r.Errors.Any(e => e.Key == ConfigKeys.Nodes || e.Key.StartsWith(ConfigKeys.Nodes + "[", StringComparison.Ordinal));
        var (workers, allRead) = r.Mappings(list, $"{key}.workers", SlurmWorkerExample, (item, at) =>
        {
            r.RejectUnknown(item, at, SlurmWorkerFields);
            var name = r.String(item, at, "node", "gemini-1");
            var node = nodes.FirstOrDefault(n => n.Name == name);
            if (name is not null && node is null)
            {
                if (nodesRead)
                {
                    r.Error($"{at}.node", $"'{ConfigText.Shorten(name)}' is not a node of lab:nodes.", $"name one of: {ConfigText.Names(nodes.Select(n => n.Name))}.");
                }
                return null;
            }
            // Unset sizes take what the node has left (its cpus need reading first: a node without them is reported above).
            var sized = node?.Cpus is null ? null : SlurmSizing.DefaultWorker(node);
            var cpus = r.Int(item, at, "cpus", sized?.Cpus, 1, 4096, "14");
            var memory = r.Int(item, at, "memoryGb", sized?.MemoryGb, 1, 65536, "96");
            var gpus = r.Int(item, at, "gpus", node?.Gpu.Count, 1, 64, "1");
            if (node is not null && gpus > node.Gpu.Count)
            {
                r.Error($"{at}.gpus", $"'{node.Name}' has {node.Gpu.Count} GPU{(node.Gpu.Count == 1 ? "" : "s")} ({node.Gpu.Model}), not {gpus}.", $"set gpus to {node.Gpu.Count} (the whole node).");
                return null;
            }
            if (node is not null && gpus < node.Gpu.Count)
            {
                // complement_jail.sh runs nvidia-container-cli --device=all in the privileged worker: every GPU of the node
                // is in the jail, while the device plugin would still hand the others to Kubernetes pods.
                r.Error($"{at}.gpus", $"is {gpus} of '{node.Name}''s {node.Gpu.Count} GPUs, but Soperator's worker mounts every GPU of its node into the jail, so the others would be shared with Kubernetes pods.",
                    $"set gpus to {node.Gpu.Count} (the whole node), or remove this worker so that '{node.Name}''s GPUs stay with Kubernetes.");
                return null;
            }
            if (node is not null && node.Gpu.Count == 0)
            {
                r.Error($"{at}.node", $"'{node.Name}' has no GPU; Slurm's workers here are GPU nodes.", "remove this worker.");
                return null;
            }
            return node is null || cpus is null || memory is null || gpus is null ? null : new SlurmWorkerSpec(node.Name, cpus.Value, memory.Value, gpus.Value);
        });
        foreach (var twice in workers.GroupBy(w => w.Node).Where(g => g.Count() > 1))
        {
            r.Error($"{key}.workers", $"lists '{twice.Key}' twice; a node runs one Slurm worker.", "list each node once.");
            return null;
        }
        return allRead ? workers : null;
    }

    /// <summary>lab:slurm.version: a release whose code the lab was checked against, so its charts and image tags are known.</summary>
    private static string? ReadSlurmVersion(ConfigReader r, JsonElement s, string key)
    {
        if (!s.TryGetProperty("version", out _))
        {
            return SlurmImages.DefaultRelease;
        }
        var version = r.String(s, key, "version", $"'{SlurmImages.DefaultRelease}'");
        if (version is not null && !SlurmImages.Releases.Contains(version))
        {
            r.Error($"{key}.version", $"'{ConfigText.Shorten(version)}' is not a Soperator release the lab was checked against: its charts, CRDs and images are unknown here.",
                $"name one of {string.Join(", ", SlurmImages.Releases)}; a newer release needs its facts read first (docs/runbooks/slurm.md).");
            return null;
        }
        return version;
    }

    private static ImmutableSortedDictionary<string, string>? ReadSlurmImages(ConfigReader r, JsonElement s, string key, string version)
    {
        var images = SlurmImages.Upstream(version).ToBuilder();
        if (!s.TryGetProperty("images", out _))
        {
            return images.ToImmutable();
        }
        if (r.Child(s, key, "images", JsonValueKind.Object, $"images: {{slurmd: '{SlurmImages.Example}'}}") is not { } list)
        {
            return null;
        }
        r.RejectUnknown(list, $"{key}.images", [.. SlurmImages.Kinds]);
        var ok = true;
        foreach (var kind in SlurmImages.Kinds.Where(k => list.TryGetProperty(k, out _)))
        {
            var image = r.String(list, $"{key}.images", kind, $"'{SlurmImages.Example}'");
            if (image is not null && !PinnedImage().IsMatch(image))
            {
                r.Error($"{key}.images.{kind}", $"'{ConfigText.Shorten(image)}' is not pinned by digest (REPOSITORY:TAG@sha256:DIGEST): a tag can be moved to other content, and Slurm's pods run privileged.",
                    $"read the digest from the registry, e.g. skopeo inspect --format '{{{{.Digest}}}}' docker://{images[kind]}, then {r.SetPathFix($"{key}.images.{kind}", $"'{SlurmImages.Example}'")}");
                ok = false;
            }
            else if (image is not null)
            {
                images[kind] = image;
            }
            else
            {
                ok = false;
            }
        }
        return ok ? images.ToImmutable() : null;
    }
}
