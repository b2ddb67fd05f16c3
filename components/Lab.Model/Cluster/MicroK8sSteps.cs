using System.Collections.Immutable;
using Lab.Model.Artifacts;
using Lab.Model.Nodes;
using Lab.Model.Spec;

namespace Lab.Model.Cluster;

/// <summary>
/// The MicroK8s cluster's remote steps: the pinned snap and failure-detection timings on every node,
/// add-ons and the kubeconfig on the control node, and single-use-token joins for the workers.
/// </summary>
public static class MicroK8sSteps
{
    public const string Component = "microk8s-cluster";
    /// <summary>The snap's data directory ($SNAP_DATA): args, certs, credentials.</summary>
    public const string SnapData = "/var/snap/microk8s/current";
    public const string ArgsDir = SnapData + "/args";

    /// <summary>set_arg FILE FLAG VALUE: FLAG=VALUE exactly once in a MicroK8s args file.</summary>
    public static readonly ShellHelper SetArg = new("set_arg", "Cluster/Helpers/set_arg.sh");

    /// <param name="ArgFiles">Per setting: the args file, with its flag in ArgFlags and value in ArgValues.</param>
    public sealed record InstallData(string Channel, string SshUser, string ArgsDir, ImmutableArray<string> ArgFiles,
        ImmutableArray<string> ArgFlags, ImmutableArray<string> ArgValues);

    /// <summary>
    /// The pinned snap and the failure-detection timings. The node's name in the cluster is its OS hostname, which
    /// the os step sets: no --hostname-override (join.py drops it on workers, and on the control node kubelet's
    /// certificate would not match the name it registers under, which Node authorization refuses).
    /// </summary>
    public static StepScript Install(LabSpec spec, NodeSpec node)
    {
        var args = ClusterTimings.For(spec.Cluster).Args(node.Role == NodeRole.Control).ToList();
        return StepScript.Render(Component, node.Name, "microk8s",
            "MicroK8s from the pinned channel with the lab's failure-detection timings",
            new InstallData(spec.Cluster.Channel, spec.Ssh.User, ArgsDir, [.. args.Select(a => a.Item1)], [.. args.Select(a => a.Item2)], [.. args.Select(a => a.Item3)]),
            "Cluster/microk8s.sh", SetArg);
    }

    /// <param name="AddonArgs">Per add-on, its extra arguments (constant, from Lab.Model's add-on table), space-separated.</param>
    public sealed record AddonsData(ImmutableArray<string> Addons, ImmutableArray<string> AddonArgs);

    /// <summary>Enables the add-ons in dependency order on the control node; enabled ones are left alone.</summary>
    public static StepScript EnableAddons(LabSpec spec) => StepScript.Render(Component, spec.ControlNode.Name, "addons",
        "the cluster's add-ons in dependency order",
        new AddonsData(spec.Cluster.Addons, [.. spec.Cluster.Addons.Select(a => Addons.Arguments.GetValueOrDefault(a, ""))]),
        "Cluster/addons.sh");

    /// <summary>Prints the cluster's kubeconfig: its stdout becomes the Kubernetes provider's (secret) config.</summary>
    public static StepScript Kubeconfig(LabSpec spec) => StepScript.Render(Component, spec.ControlNode.Name, "kubeconfig",
        "read the cluster's kubeconfig (stdout is secret)", data: null, "Cluster/kubeconfig.sh");

    public sealed record ClusterCaData(string SnapData);

    /// <summary>
    /// On the control node: prints what a worker checks the cluster by before it sends its token (ca_sha256,
    /// server_cert_check). Read apart from the token step, so that a worker's join need not wait for that step.
    /// </summary>
    public static StepScript ClusterCa(LabSpec spec) => StepScript.Render(Component, spec.ControlNode.Name, "cluster-ca",
        "what workers check the cluster by: its CA and API server certificate", new ClusterCaData(SnapData), "Cluster/cluster-ca.sh");

    /// <summary>How often the token step looks for the worker's Node, and a join is retried.</summary>
    public const int JoinPollSeconds = 5;

    /// <summary>The Node annotation that carries its node's rebuild generation (set with its labels).</summary>
    public const string RebuildAnnotation = "lab.infra/rebuild";

    /// <param name="Rebuild">The worker's rebuild generation: a NotReady member annotated with another one is a stale incarnation.</param>
    /// <param name="RebuildJsonPath">kubectl's jsonpath of <see cref="RebuildAnnotation"/>, its dots escaped (client-go's jsonpath
    /// parser takes `\.` in a field name since kubernetes#31984's fix; `/` needs no escape).</param>
    public sealed record JoinTokenData(string Node, int TokenTtl, string SnapData, int PollSeconds, int Rebuild, string RebuildJsonPath);

    /// <summary>
    /// On the control node, beside the worker's join: clears a stale member left by a rebuilt worker (NotReady, and annotated
    /// with an older generation: a member of this generation that is only NotReady stays), adds the worker's
    /// join token to the cluster-agent's token file (never a command line), waits until the worker's Node is registered,
    /// and revokes the token. A worker that does not join within the token's lifetime fails this step (token revoked),
    /// so the next `pulumi up` runs it again: a retried join always has a token with a new expiry.
    /// </summary>
    public static StepScript IssueJoinToken(LabSpec spec, NodeSpec worker) => StepScript.RenderReadingSecrets(Component, spec.ControlNode.Name, $"join-token-{worker.Name}",
        "a worker's join token, valid until the worker joined", ["token"],
        new JoinTokenData(worker.Name, spec.Cluster.JoinTokenTtlSeconds, SnapData, JoinPollSeconds, worker.Rebuild,
            $"{{.metadata.annotations.{RebuildAnnotation.Replace(".", "\\.", StringComparison.Ordinal)}}}"), "Cluster/join-token.sh");

    public sealed record JoinData(string ControlHost, string SnapData, int TokenTtl, int PollSeconds);

    /// <summary>
    /// On a worker, beside its token step: joins the control node with its token, retrying until the token step has
    /// issued it (or its lifetime has passed). Already a member of this cluster (its stored cluster CA is the control
    /// node's) means nothing to do; a member of an older cluster (the control node was rebuilt) leaves first. The token,
    /// the server check and the CA hash (the cluster-ca step's) arrive on stdin.
    /// </summary>
    public static StepScript Join(LabSpec spec, NodeSpec worker) => StepScript.RenderReadingSecrets(Component, worker.Name, "join",
        "join the cluster as a worker", ["token", "server_cert_check", "cluster_ca"],
        new JoinData(spec.ControlNode.Host.ToString(), SnapData, spec.Cluster.JoinTokenTtlSeconds, JoinPollSeconds), "Cluster/join.sh");

    /// <summary>The GPU operator's time-slicing config (seed 004: 4 shares per GPU).</summary>
    public static string TimeSlicingConfig(ClusterSpec cluster) => $"""
        version: v1
        sharing:
          timeSlicing:
            renameByDefault: false
            failRequestsGreaterThanOne: true
            resources:
              - name: nvidia.com/gpu
                replicas: {cluster.GpuReplicas}

        """;

    /// <summary>The device plugin's config for nodes whose GPUs Slurm owns: whole GPUs, no sharing.</summary>
    public const string WholeGpuConfig = "version: v1\n";

    /// <summary>
    /// The GPU operator's device-plugin configs: "any" (time-sliced, every node's default) and, where Slurm runs,
    /// "whole", which its nodes select by label (SlurmObjects.NodeLabels): one scheduler owns each GPU.
    /// </summary>
    public static IReadOnlyDictionary<string, string> DevicePluginConfigs(LabSpec spec)
    {
        var configs = new SortedDictionary<string, string>(StringComparer.Ordinal) { [DefaultDevicePluginConfig] = TimeSlicingConfig(spec.Cluster) };
        if (spec.Slurm is not null)
        {
            configs[WholeGpuDevicePluginConfig] = WholeGpuConfig;
        }
        return configs;
    }

    public const string DefaultDevicePluginConfig = "any";
    public const string WholeGpuDevicePluginConfig = "whole";

    /// <summary>Kubernetes labels of a node: its lab role and GPU model, for scheduling and the gate's selectors.</summary>
    public static IReadOnlyDictionary<string, string> NodeLabels(NodeSpec node) => new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        ["lab.infra/role"] = node.Role.ToString().ToLowerInvariant(),
        ["lab.infra/gpu-model"] = node.Gpu.Model.Replace(' ', '-'),
        ["lab.infra/gpu-count"] = node.Gpu.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public static IEnumerable<StepScript> All(LabSpec spec) =>
        spec.Nodes.Select(n => Install(spec, n))
            .Concat([EnableAddons(spec), Kubeconfig(spec)])
            .Concat(spec.Workers.Any() ? [ClusterCa(spec)] : [])
            .Concat(spec.Workers.SelectMany(w => new[] { IssueJoinToken(spec, w), Join(spec, w) }));

    public static IEnumerable<Artifact> Artifacts(LabSpec spec) =>
        All(spec).Select(s => s.ToArtifact())
            .Append(new Artifact($"{Component}/{spec.ControlNode.Name}/time-slicing.yaml", TimeSlicingConfig(spec.Cluster)));
}
