using Lab.Model.Spec;

namespace Lab.Model.Slurm;

/// <summary>A container's requests: millicores and MiB.</summary>
public sealed record Requests(int MilliCpus, long MemoryMib)
{
    public static Requests operator +(Requests a, Requests b) => new(a.MilliCpus + b.MilliCpus, a.MemoryMib + b.MemoryMib);

    public string Cpu => $"{MilliCpus}m";

    public string Memory => $"{MemoryMib}Mi";
}

/// <summary>
/// What Slurm's pods request on each node, sized for the lab's workstations rather than the chart's defaults
/// (login ×2 at 3.5 CPU / 9.5 GiB each): the control node carries slurmctld, one login pod and the exporter;
/// every GPU node one worker with what is left after the system's reserve.
/// </summary>
public static class SlurmSizing
{
    public static readonly Requests Slurmctld = new(1000, 2048);
    public static readonly Requests Sshd = new(1000, 2048);
    public static readonly Requests Exporter = new(100, 256);
    public static readonly Requests Munge = new(250, 512);

    /// <summary>sconfigcontroller polls its JailedConfigs and writes files (the chart asks 250m and 256Mi; like the others, less here).</summary>
    public static readonly Requests SConfigController = new(100, 256);

    /// <summary>Accounting: slurmdbd (with its munge sidecar), slurmrestd and MariaDB, all on the control node; a lab's job history is small.</summary>
    public static readonly Requests Slurmdbd = new(250, 512);
    public static readonly Requests Rest = new(100, 256);
    public static readonly Requests MariaDb = new(250, 1024);

    /// <summary>Every node: OS, kubelet and containerd, Calico, the GPU operator's and the observability add-on's daemons.</summary>
    public static readonly Requests NodeReserve = new(2000, 8 * 1024);

    /// <summary>The control node also: the API server and dqlite, Prometheus, Grafana and Loki, cert-manager, OpenKruise and Soperator.</summary>
    public static readonly Requests ControlReserve = new(4000, 16 * 1024);

    /// <summary>slurmctld, login, exporter and slurmdbd pods, each with its munge sidecar, sconfigcontroller, slurmrestd and MariaDB; all on the control node.</summary>
    public static Requests ControlPods => Slurmctld + Munge + Sshd + Munge + Exporter + Munge + SConfigController + Slurmdbd + Munge + Rest + MariaDb;

    /// <summary>Everything on the node that is not its Slurm worker's slurmd container.</summary>
    public static Requests Fixed(NodeSpec node) =>
        NodeReserve + Munge + (node.Role == NodeRole.Control ? ControlReserve + ControlPods : new Requests(0, 0));

    /// <summary>What the node's slurmd may request at most.</summary>
    public static Requests Room(NodeSpec node)
    {
        var used = Fixed(node);
        return new Requests((node.Cpus ?? 0) * 1000 - used.MilliCpus, node.MemoryGb * 1024L - used.MemoryMib);
    }

    /// <summary>A worker for a GPU node not listed under lab:slurm.workers: every GPU and all the room left, in whole CPUs and GiB.</summary>
    public static SlurmWorkerSpec DefaultWorker(NodeSpec node)
    {
        var used = Fixed(node);
        return new SlurmWorkerSpec(node.Name, Math.Max(0, ((node.Cpus ?? 0) * 1000 - used.MilliCpus) / 1000),
            (int)Math.Max(0, (node.MemoryGb * 1024L - used.MemoryMib) / 1024), node.Gpu.Count);
    }

    /// <summary>The slurmd container's requests of a worker.</summary>
    public static Requests Slurmd(SlurmWorkerSpec worker) => new(worker.Cpus * 1000, worker.MemoryGb * 1024L);

    /// <summary>Every Slurm-side request on the node plus its reserve: what must stay within its spec.</summary>
    public static Requests Total(SlurmSpec slurm, NodeSpec node) =>
        Fixed(node) + (slurm.Workers.FirstOrDefault(w => w.Node == node.Name) is { } w ? Slurmd(w) : new Requests(0, 0));
}
