using System.Collections.Immutable;
using Lab.Components.Nodes;
using Lab.Model.Nodes;
using Lab.Model.Spec;
using Lab.Model.Validation;
using Pulumi;
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

    /// <summary>Image name → REPOSITORY@sha256:DIGEST (BuiltImages.References): what each Job runs.</summary>
    public required IReadOnlyDictionary<string, Output<string>> Images { get; init; }

    /// <summary>Where the collector and the publish step run: the control node.</summary>
    public required SshTarget Control { get; init; }
    public required Input<int> ControlRebuild { get; init; }
    public required StepScript Collector { get; init; }

    /// <summary>The step that publishes each run's verdict to the Pushgateway (Lab.Model VerdictMetrics.PublishStep).</summary>
    public required StepScript Publish { get; init; }

    /// <summary>lab:validation.epoch, a label of the published run.</summary>
    public required int Epoch { get; init; }

    /// <summary>The Pushgateway is up and reachable on its NodePort before the verdict is published.</summary>
    public required IReadOnlyList<Resource> PushgatewayReady { get; init; }

    /// <summary>With lab:slurm on: the step that writes the Slurm job probe's Secret (Lab.Model SlurmGateAccess.TrustStep), or null.</summary>
    public StepScript? SlurmTrust { get; init; }

    /// <summary>Everything the gate measures: nodes, storage, Vault, cluster and alerts are in place first.</summary>
    public required IReadOnlyList<Resource> After { get; init; }
}

/// <summary>
/// The last component: validation Jobs (created suspended) measure the lab against its targets, the
/// collector runs them stage by stage and gathers their result lines, and Lab.Model's verdict passes or
/// fails the update (enforce), or reports it (warn).
/// </summary>
public sealed class ValidationGate : ComponentResource
{
    public const string TypeToken = "lab:validation:ValidationGate";

    /// <summary>The verdict table of the last run (a stack output).</summary>
    [Output] public Output<string> Report { get; private set; }

    public ValidationGate(string name, ValidationGateArgs args, ComponentResourceOptions? options = null)
        : base(TypeToken, name, options)
    {
        CustomResourceOptions OnCluster(params Resource[] after) => new()
        {
            Parent = this,
            Provider = args.Provider,
            DependsOn = Dependencies.Of(after),
        };

        // Pod Security admission: the NFS probe mounts the node's automount (a hostPath), the drill's stop Job is
        // privileged and the bandwidth probes use the host's network, which only the privileged level admits. Each
        // pod still asks for only what it needs (JobFor), and warn and audit hold them to restricted.
        // Only the namespace waits for every other component; all else here comes after it (ordering is
        // transitive), so a lab of N nodes adds N dependencies, not N for every one of its 2N Jobs.
        var ns = new K8s.Core.V1.Namespace($"{name}-namespace", new K8s.Types.Inputs.Core.V1.NamespaceArgs
        {
            Metadata = new ObjectMetaArgs
            {
                Name = Probes.Namespace,
                Labels =
                {
                    ["app.kubernetes.io/part-of"] = "lab-infra",
                    ["pod-security.kubernetes.io/enforce"] = "privileged",
                    ["pod-security.kubernetes.io/warn"] = "restricted",
                    ["pod-security.kubernetes.io/audit"] = "restricted",
                },
            },
        }, OnCluster([.. args.After]));

        var prerequisites = new List<Resource> { ns };
        if (args.Probes.Any(p => p.NeedsNodeReader))
        {
            // The drill's watcher reads node conditions, and the stop Job's log for its stop time; nothing more.
            prerequisites.Add(new K8s.Core.V1.ServiceAccount($"{name}-drill-account", new K8s.Types.Inputs.Core.V1.ServiceAccountArgs
            {
                Metadata = new ObjectMetaArgs { Name = ProbeJobs.DrillAccount, Namespace = Probes.Namespace },
            }, OnCluster(ns)));
            var role = new K8s.Rbac.V1.ClusterRole($"{name}-node-reader", new K8s.Types.Inputs.Rbac.V1.ClusterRoleArgs
            {
                Metadata = new ObjectMetaArgs { Name = "lab-validation-node-reader" },
                Rules = { new PolicyRuleArgs { ApiGroups = { "" }, Resources = { "nodes" }, Verbs = { "get", "list", "watch" } } },
            }, OnCluster(ns));
            prerequisites.Add(new K8s.Rbac.V1.ClusterRoleBinding($"{name}-node-reader", new K8s.Types.Inputs.Rbac.V1.ClusterRoleBindingArgs
            {
                Metadata = new ObjectMetaArgs { Name = "lab-validation-node-reader" },
                RoleRef = new RoleRefArgs { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = "lab-validation-node-reader" },
                Subjects = { new SubjectArgs { Kind = "ServiceAccount", Name = ProbeJobs.DrillAccount, Namespace = Probes.Namespace } },
            }, OnCluster(role)));
            var logs = new K8s.Rbac.V1.Role($"{name}-drill-log-reader", new K8s.Types.Inputs.Rbac.V1.RoleArgs
            {
                Metadata = new ObjectMetaArgs { Name = "lab-validation-drill-log-reader", Namespace = Probes.Namespace },
                Rules =
                {
                    new PolicyRuleArgs { ApiGroups = { "batch" }, Resources = { "jobs" }, Verbs = { "get" } },
                    new PolicyRuleArgs { ApiGroups = { "" }, Resources = { "pods" }, Verbs = { "get", "list" } },
                    new PolicyRuleArgs { ApiGroups = { "" }, Resources = { "pods/log" }, Verbs = { "get" } },
                },
            }, OnCluster(ns));
            prerequisites.Add(new K8s.Rbac.V1.RoleBinding($"{name}-drill-log-reader", new K8s.Types.Inputs.Rbac.V1.RoleBindingArgs
            {
                Metadata = new ObjectMetaArgs { Name = "lab-validation-drill-log-reader", Namespace = Probes.Namespace },
                RoleRef = new RoleRefArgs { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = "lab-validation-drill-log-reader" },
                Subjects = { new SubjectArgs { Kind = "ServiceAccount", Name = ProbeJobs.DrillAccount, Namespace = Probes.Namespace } },
            }, OnCluster(logs)));
        }

        CustomResourceOptions JobOptions()
        {
            var options = OnCluster([.. prerequisites]);
            // The collector resumes each Job; that is its run, not drift for Pulumi to undo.
            options.IgnoreChanges = ["spec.suspend"];
            return options;
        }
        // Each probe's Job, and its spare: suspended unless the collector finds the first one's pod gone. The two share one pod.
        var jobs = args.Probes.SelectMany(p =>
        {
            var pod = ProbeJobs.Pod(p, args.Images[p.ImageName]);
            return new[]
            {
                (Resource)new K8s.ApiExtensions.CustomResource($"{name}-{p.Name}", new ProbeJobArgs(p, p.JobName, attempt: 1, pod), JobOptions()),
                new K8s.ApiExtensions.CustomResource($"{name}-{p.Name}-rerun", new ProbeJobArgs(p, p.RerunJobName, attempt: 2, pod), JobOptions()),
            };
        }).ToList();

        // The Slurm job probe's key and pinned host key, written again whenever that probe's Jobs change.
        if (args.SlurmTrust is { } trust)
        {
            var triggers = RemoteStep.Triggers(trust, args.ControlRebuild);
            foreach (var probe in args.Probes.Where(p => p.Secret is not null))
            {
                triggers.Add((Input<object>)probe.JobName);
            }
            jobs.Add(RemoteStep.Create(this, name, args.Control, trust, waitForBoot: false, triggers, [ns]));
        }

        // Runs the Jobs stage by stage and prints their result lines; it runs again only when a Job (so what it measures) changed.
        var collector = RemoteStep.Create(this, name, args.Control, args.Collector, waitForBoot: false,
            RemoteStep.Triggers(args.Collector, args.ControlRebuild), jobs);

        // Publishes every run, a failing one too: the verdict is enforced only after this step.
        var publish = RemoteStep.Create(this, name, args.Control, args.Publish, waitForBoot: false,
            RemoteStep.Triggers(args.Publish, args.ControlRebuild), [collector, .. args.PushgatewayReady], input: collector.Stdout.Apply(output =>
                VerdictMetrics.Render(GateVerdict.Judge(args.Probes, output), args.Mode, args.Epoch, Probes.RunFingerprint(args.Probes))));

        Report = Output.Tuple(collector.Stdout, publish.Stdout).Apply(t =>
        {
            var verdict = GateVerdict.Judge(args.Probes, t.Item1);
            var table = verdict.Table();
            if (!verdict.Passed && args.Mode == GateMode.Enforce)
            {
                throw new RunException($"validation gate: {verdict.Summary} (mode enforce).\n{table}See docs/runbooks/validation-gate.md; re-judge saved output with scripts/verdict.");
            }
            if (!verdict.Passed)
            {
                Log.Warn($"validation gate (mode warn): {verdict.Summary}.\n{table}", this);
            }
            return table;
        });
        RegisterOutputs(new Dictionary<string, object?> { ["report"] = Report });
    }

    /// <summary>A probe's Job, as Lab.Model renders it (ProbeJobs): a batch/v1 Job the provider creates as any other.</summary>
    /// <remarks>
    /// Not Pulumi.Kubernetes' typed Job: the SDK reflects over every args object it is handed and over the whole typed
    /// output tree (JobSpec, PodSpec, status) of every Job it constructs, about half a megabyte a Job; a lab has four a node.
    /// The engine and the provider see the same type token (kubernetes:batch/v1:Job) and the same inputs.
    /// </remarks>
    private sealed class ProbeJobArgs : K8s.ApiExtensions.CustomResourceArgs
    {
        public ProbeJobArgs(Probe probe, string jobName, int attempt, ImmutableDictionary<string, object> pod)
            : base(ProbeJobs.ApiVersion, ProbeJobs.Kind)
        {
            Metadata = new ObjectMetaArgs { Name = jobName, Namespace = Probes.Namespace, Labels = ProbeJobs.Labels(probe, attempt), Annotations = ProbeJobs.Annotations(probe) };
            Spec = ProbeJobs.Spec(probe, attempt, pod);
        }

        [Input("spec")]
        public Input<ImmutableDictionary<string, object>> Spec { get; }
    }
}
