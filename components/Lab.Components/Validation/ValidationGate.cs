using System.Collections.Immutable;
using Lab.Components.Nodes;
using Lab.Model.Nodes;
using Lab.Model.Spec;
using Lab.Model.Validation;
using Pulumi;
using Pulumi.Kubernetes.Types.Inputs.Batch.V1;
using Pulumi.Kubernetes.Types.Inputs.Core.V1;
using Pulumi.Kubernetes.Types.Inputs.Meta.V1;
using Pulumi.Kubernetes.Types.Inputs.Rbac.V1;
using K8s = Pulumi.Kubernetes;

namespace Lab.Components.Validation;

public sealed class ValidationGateArgs : ResourceArgs
{
    public required K8s.Provider Provider { get; init; }
    public required GateMode Mode { get; init; }

    /// <summary>The probes (Lab.Model Probes.For): one Job each.</summary>
    public required IReadOnlyList<Probe> Probes { get; init; }

    public required Input<string> NasHost { get; init; }

    /// <summary>Where the collector runs: the control node.</summary>
    public required SshTarget Control { get; init; }
    public required Input<int> ControlRebuild { get; init; }
    public required StepScript Collector { get; init; }

    /// <summary>Everything the gate measures: nodes, storage, Vault, cluster and alerts are in place first.</summary>
    public required IReadOnlyList<Resource> After { get; init; }
}

/// <summary>
/// The last component: validation Jobs measure the lab against its targets, the collector gathers
/// their result lines, and Lab.Model's verdict passes or fails the update (enforce), or reports it (warn).
/// </summary>
public sealed class ValidationGate : ComponentResource
{
    public const string TypeToken = "lab:validation:ValidationGate";
    private const string DrillAccount = "lab-validation-drill";

    /// <summary>The verdict table of the last run (a stack output).</summary>
    [Output] public Output<string> Report { get; private set; }

    public ValidationGate(string name, ValidationGateArgs args, ComponentResourceOptions? options = null)
        : base(TypeToken, name, options)
    {
        CustomResourceOptions OnCluster(params Resource[] after) => new()
        {
            Parent = this,
            Provider = args.Provider,
            DependsOn = new InputList<Resource> { args.After.Concat(after).ToArray() },
        };

        var ns = new K8s.Core.V1.Namespace($"{name}-namespace", new K8s.Types.Inputs.Core.V1.NamespaceArgs
        {
            Metadata = new ObjectMetaArgs { Name = Probes.Namespace, Labels = { ["app.kubernetes.io/part-of"] = "lab-infra" } },
        }, OnCluster());

        var prerequisites = new List<Resource> { ns };
        if (args.Probes.Any(p => p.NeedsNodeReader))
        {
            // The drill's watcher reads node conditions; nothing more.
            prerequisites.Add(new K8s.Core.V1.ServiceAccount($"{name}-drill-account", new K8s.Types.Inputs.Core.V1.ServiceAccountArgs
            {
                Metadata = new ObjectMetaArgs { Name = DrillAccount, Namespace = Probes.Namespace },
            }, OnCluster(ns)));
            var role = new K8s.Rbac.V1.ClusterRole($"{name}-node-reader", new K8s.Types.Inputs.Rbac.V1.ClusterRoleArgs
            {
                Metadata = new ObjectMetaArgs { Name = "lab-validation-node-reader" },
                Rules = { new PolicyRuleArgs { ApiGroups = { "" }, Resources = { "nodes" }, Verbs = { "get", "list", "watch" } } },
            }, OnCluster());
            prerequisites.Add(new K8s.Rbac.V1.ClusterRoleBinding($"{name}-node-reader", new K8s.Types.Inputs.Rbac.V1.ClusterRoleBindingArgs
            {
                Metadata = new ObjectMetaArgs { Name = "lab-validation-node-reader" },
                RoleRef = new RoleRefArgs { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = "lab-validation-node-reader" },
                Subjects = { new SubjectArgs { Kind = "ServiceAccount", Name = DrillAccount, Namespace = Probes.Namespace } },
            }, OnCluster(role)));
        }

        var jobs = args.Probes.Select(p => (Resource)new K8s.Batch.V1.Job($"{name}-{p.Name}", JobFor(p, args.NasHost), OnCluster([.. prerequisites]))).ToList();

        // Waits for every Job and prints their result lines; it runs again only when a Job (so what it measures) changed.
        var collector = RemoteStep.Create(this, name, args.Control, args.Collector, waitForBoot: false,
            RemoteStep.Triggers(args.Collector, args.ControlRebuild), jobs);

        Report = collector.Stdout.Apply(output =>
        {
            var verdict = GateVerdict.Judge(args.Probes, output);
            var table = verdict.Table();
            if (!verdict.Passed && args.Mode == GateMode.Enforce)
            {
                throw new RunException($"validation gate: the lab falls short of its targets (mode enforce).\n{table}See docs/runbooks/validation-gate.md; re-judge saved output with scripts/verdict.");
            }
            if (!verdict.Passed)
            {
                Log.Warn($"validation gate (mode warn): the lab falls short of its targets.\n{table}", this);
            }
            return table;
        });
        RegisterOutputs(new Dictionary<string, object?> { ["report"] = Report });
    }

    private static K8s.Types.Inputs.Batch.V1.JobArgs JobFor(Probe probe, Input<string> nasHost)
    {
        var container = new ContainerArgs { Name = "probe", Image = probe.Image, Command = { "bash", "-c", probe.Script } };
        if (probe.Gpu)
        {
            container.Resources = new ResourceRequirementsArgs { Limits = { ["nvidia.com/gpu"] = "1" } };
        }
        var pod = new PodSpecArgs
        {
            RestartPolicy = "Never",
            Containers = { container },
            HostNetwork = probe.HostNetwork,
            AutomountServiceAccountToken = probe.NeedsNodeReader,
        };
        if (probe.Privileged)
        {
            // The drill stops the node's kubelet through the host's PID 1.
            container.SecurityContext = new SecurityContextArgs { Privileged = true };
            pod.HostPID = true;
        }
        if (probe.NeedsNodeReader)
        {
            pod.ServiceAccountName = DrillAccount;
        }
        if (probe.Node is { } node)
        {
            pod.NodeSelector = new InputMap<string> { ["kubernetes.io/hostname"] = node };
        }
        if (probe.NfsPath is { } path)
        {
            container.VolumeMounts = new InputList<VolumeMountArgs> { new VolumeMountArgs { Name = "nas", MountPath = "/data" } };
            pod.Volumes = new InputList<VolumeArgs> { new VolumeArgs { Name = "nas", Nfs = new NFSVolumeSourceArgs { Server = nasHost, Path = path } } };
        }
        var labels = new InputMap<string> { ["app.kubernetes.io/part-of"] = "lab-infra", ["lab.infra/probe"] = probe.Name };
        return new K8s.Types.Inputs.Batch.V1.JobArgs
        {
            Metadata = new ObjectMetaArgs
            {
                Name = probe.JobName,
                Namespace = Probes.Namespace,
                Labels = labels,
                // The collector waits for the Job, so a probe that falls short is judged, not reported as a failed resource.
                Annotations = { ["pulumi.com/skipAwait"] = "true", ["lab.infra/fingerprint"] = probe.Fingerprint },
            },
            Spec = new JobSpecArgs
            {
                BackoffLimit = 0,
                ActiveDeadlineSeconds = probe.DeadlineSeconds,
                Template = new PodTemplateSpecArgs { Metadata = new ObjectMetaArgs { Labels = labels }, Spec = pod },
            },
        };
    }
}
