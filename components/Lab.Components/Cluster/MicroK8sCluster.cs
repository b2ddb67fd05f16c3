using System.Collections.Immutable;
using Lab.Components.Nodes;
using Lab.Model.Cluster;
using Lab.Model.Nodes;
using Pulumi;
using Pulumi.Command.Remote;
using Pulumi.Kubernetes.Types.Inputs.Meta.V1;
using Pulumi.Random;
using K8s = Pulumi.Kubernetes;

namespace Lab.Components.Cluster;

/// <summary>A node as the cluster sees it: where to reach it, what to run there, and what it must wait for.</summary>
public sealed class ClusterMember
{
    public required string Name { get; init; }
    public required SshTarget Ssh { get; init; }
    public required Input<int> Rebuild { get; init; }

    /// <summary>The end of the node's own chain: the cluster steps run after it.</summary>
    public required Resource After { get; init; }

    /// <summary>The node's MicroK8s step (Lab.Model MicroK8sSteps.Install).</summary>
    public required StepScript Install { get; init; }

    /// <summary>Workers only: the token step run on the control node, and the join run on the worker beside it.</summary>
    public (StepScript IssueToken, StepScript Join)? Joining { get; init; }

    public required IReadOnlyDictionary<string, string> Labels { get; init; }
}

public sealed class MicroK8sClusterArgs : ResourceArgs
{
    /// <summary>The control node first, then the workers.</summary>
    public required IReadOnlyList<ClusterMember> Members { get; init; }

    public required StepScript Addons { get; init; }
    public required StepScript Kubeconfig { get; init; }

    /// <summary>The control node's step that prints what workers check the cluster by (Lab.Model MicroK8sSteps.ClusterCa).</summary>
    public required StepScript ClusterCa { get; init; }

    /// <summary>
    /// The GPU operator's device-plugin configs by name (Lab.Model MicroK8sSteps.DevicePluginConfigs): "any", the
    /// time-sliced default, and any a node's nvidia.com/device-plugin.config label selects; null without the nvidia add-on.
    /// </summary>
    public IReadOnlyDictionary<string, string>? DevicePluginConfigs { get; init; }

    public string GpuOperatorNamespace { get; init; } = "gpu-operator-resources";
}

/// <summary>
/// MicroK8s across the lab: the pinned snap on every node, add-ons on the control node, workers
/// joined with short-lived tokens (re-issued by the next update when a join failed), and the kubeconfig (a secret) as the Kubernetes provider every
/// Kubernetes resource of the program uses, identified by the control node's rebuild generation.
/// </summary>
public sealed class MicroK8sCluster : ComponentResource
{
    public const string TypeToken = "lab:cluster:MicroK8sCluster";
    private const string TimeSlicingName = "time-slicing-config";

    /// <summary>The provider for every Kubernetes resource of the lab.</summary>
    public K8s.Provider Provider { get; }

    /// <summary>The resources the cluster is ready after: add-ons enabled, workers joined, nodes labelled.</summary>
    public IReadOnlyList<Resource> Ready { get; }

    /// <summary>Per node: what it is a cluster member after (the control node: its add-ons; a worker: its token step and join).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<Resource>> Joined { get; }

    [Output] public Output<string> Kubeconfig { get; private set; }

    public MicroK8sCluster(string name, MicroK8sClusterArgs args, ComponentResourceOptions? options = null)
        : base(TypeToken, name, options)
    {
        var control = args.Members[0];
        var installs = args.Members.ToDictionary(m => m.Name, m =>
            RemoteStep.Create(this, m.Name, m.Ssh, m.Install, waitForBoot: false, RemoteStep.Triggers(m.Install, m.Rebuild), [m.After]));

        var addons = RemoteStep.Create(this, control.Name, control.Ssh, args.Addons, waitForBoot: false,
            RemoteStep.Triggers(args.Addons, control.Rebuild), [installs[control.Name]]);
        var kubeconfig = RemoteStep.Create(this, control.Name, control.Ssh, args.Kubeconfig, waitForBoot: false,
            RemoteStep.Triggers(args.Kubeconfig, control.Rebuild), [addons], secretOutput: true);
        Kubeconfig = Output.CreateSecret(kubeconfig.Stdout);
        // What every worker checks the cluster by before it sends its token, read on the control node (a lab of one node has no worker).
        var clusterCa = args.Members.Count == 1 ? null : RemoteStep.Create(this, control.Name, control.Ssh, args.ClusterCa, waitForBoot: false,
            RemoteStep.Triggers(args.ClusterCa, control.Rebuild), [addons]);

        // A control-node rebuild is a new cluster: a new clusterIdentifier replaces the provider (pulumi-kubernetes
        // DiffConfig replaces only on its change), and the engine replaces every resource whose provider was
        // replaced, so every Kubernetes object is created again on the new cluster in the same update.
        Provider = new K8s.Provider($"{name}-k8s", new K8s.ProviderArgs
        {
            KubeConfig = Kubeconfig,
            ClusterIdentifier = ClusterIdentifier(control.Name, control.Rebuild),
        }, new CustomResourceOptions { Parent = this });

        // What every worker checks the cluster by, and the control node's generation: made once for all the workers.
        var check = clusterCa?.Stdout.Apply(stdout => (
            Server: StepFacts.Require(control.Name, args.ClusterCa.Step, stdout, "server_cert_check"),
            Ca: StepFacts.RequireSha256(control.Name, args.ClusterCa.Step, stdout, "ca_sha256")));
        var controlGeneration = Generation(control.Rebuild);
        var ready = new List<Resource> { addons };
        var joined = new Dictionary<string, IReadOnlyList<Resource>> { [control.Name] = [addons] };
        foreach (var worker in args.Members.Skip(1))
        {
            var (issue, joinStep) = worker.Joining ?? throw new ArgumentException($"{worker.Name}: a worker needs its join steps.");
            // A new token, token step and join when the worker or the control node (a new cluster) is rebuilt.
            var generations = new[] { worker.Rebuild, control.Rebuild };
            var token = new RandomPassword($"{worker.Name}-join-token", new RandomPasswordArgs
            {
                Length = 32,
                Special = false,
                Upper = false,
                Keepers =
                {
                    ["node"] = worker.Name,
                    ["rebuild"] = Generation(worker.Rebuild),
                    ["controlRebuild"] = controlGeneration,
                },
            }, new CustomResourceOptions { Parent = this });
            // Issued only once the worker's own install is done, so no boot wait or driver build eats its TTL. The token
            // step and the join run side by side: the token step ends when the worker's Node is registered and fails when
            // it is not within the TTL, so a failed join leaves a failed token step that the next update runs again.
            var issued = RemoteStep.Create(this, control.Name, control.Ssh, issue, waitForBoot: false,
                RemoteStep.Triggers(issue, generations), [addons, installs[worker.Name]], secretLines: token.Result.Apply(t => t + "\n"));
            var join = RemoteStep.Create(this, worker.Name, worker.Ssh, joinStep, waitForBoot: false,
                RemoteStep.Triggers(joinStep, generations), [installs[worker.Name], clusterCa!],
                secretLines: Output.Tuple(token.Result, check!).Apply(t => $"{t.Item1}\n{t.Item2.Server}\n{t.Item2.Ca}\n"));
            // Its Node exists once both have ended well (the token step saw it registered).
            joined[worker.Name] = [issued, join];
            ready.AddRange(joined[worker.Name]);
        }

        CustomResourceOptions OnCluster(params Resource[] after) => new() { Parent = this, Provider = Provider, DependsOn = Dependencies.Of(after) };
        foreach (var member in args.Members)
        {
            // A rejoined node is a new Node object: its generation in an annotation re-applies the labels after a rebuild.
            ready.Add(new NodeLabelPatch($"{member.Name}-labels", new K8s.Types.Inputs.Core.V1.NodePatchArgs
            {
                Metadata = new ObjectMetaPatchArgs
                {
                    Name = member.Name,
                    Labels = member.Labels.ToImmutableDictionary(),
                    Annotations = { [MicroK8sSteps.RebuildAnnotation] = Generation(member.Rebuild) },
                },
            }, OnCluster([.. joined[member.Name]])));
        }

        if (args.DevicePluginConfigs is { } configs)
        {
            var config = new K8s.Core.V1.ConfigMap($"{name}-{TimeSlicingName}", new K8s.Types.Inputs.Core.V1.ConfigMapArgs
            {
                Metadata = new ObjectMetaArgs { Name = TimeSlicingName, Namespace = args.GpuOperatorNamespace },
                Data = configs.ToImmutableDictionary(),
            }, OnCluster(addons));
            ready.Add(new K8s.ApiExtensions.CustomResourcePatch($"{name}-gpu-time-slicing", new ClusterPolicyPatchArgs(TimeSlicingName), OnCluster(config)));
        }
        Ready = ready;
        Joined = joined;

        RegisterOutputs(new Dictionary<string, object?> { ["kubeconfig"] = Kubeconfig });
    }


    /// <summary>The cluster's identity for the Kubernetes provider: the control node and the generation it was built in.</summary>
    public static Output<string> ClusterIdentifier(string control, Input<int> rebuild) =>
        rebuild.ToOutput().Apply(g => $"microk8s-{control}-rebuild-{g.ToString(System.Globalization.CultureInfo.InvariantCulture)}");

    private static Output<string> Generation(Input<int> rebuild) =>
        rebuild.ToOutput().Apply(g => g.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Points the GPU operator's device plugin at the time-slicing config (a server-side apply patch).</summary>
    private sealed class ClusterPolicyPatchArgs : K8s.ApiExtensions.CustomResourcePatchArgs
    {
        public ClusterPolicyPatchArgs(string configName)
            : base("nvidia.com/v1", "ClusterPolicy")
        {
            Metadata = new ObjectMetaArgs { Name = "cluster-policy" };
            Spec = new Dictionary<string, object>
            {
                ["devicePlugin"] = new Dictionary<string, object>
                {
                    ["config"] = new Dictionary<string, object> { ["name"] = configName, ["default"] = Lab.Model.Cluster.MicroK8sSteps.DefaultDevicePluginConfig },
                },
            };
        }

        [Input("spec")]
        public Input<Dictionary<string, object>> Spec { get; }
    }
}
