using Pulumi;
using Pulumi.Kubernetes.Types.Inputs.Meta.V1;
using K8s = Pulumi.Kubernetes;

namespace Lab.Components.Monitoring;

public sealed class AlertRulesArgs : ResourceArgs
{
    /// <summary>The rule groups as data (Lab.Model AlertRuleGroups.Spec), the same promtool checks as a file.</summary>
    public required Input<Dictionary<string, object>> Spec { get; init; }

    /// <summary>The cluster's provider: the rules live on the lab's cluster.</summary>
    public required K8s.Provider Provider { get; init; }

    /// <summary>Where the observability add-on's Prometheus runs, and the release label its rule selector matches.</summary>
    public required Input<string> Namespace { get; init; }
    public required Input<string> Release { get; init; }

    /// <summary>What must exist first (the observability add-on brings the PrometheusRule CRD).</summary>
    public IReadOnlyList<Resource> After { get; init; } = [];
}

/// <summary>The lab's alert rules as a PrometheusRule object that the observability add-on's Prometheus loads.</summary>
public sealed class AlertRules : ComponentResource
{
    public const string TypeToken = "lab:monitoring:AlertRules";

    [Output] public Output<string> RuleObject { get; private set; }

    public AlertRules(string name, AlertRulesArgs args, ComponentResourceOptions? options = null)
        : base(TypeToken, name, options)
    {
        var rules = new K8s.ApiExtensions.CustomResource(name, new PrometheusRuleArgs(args), new CustomResourceOptions
        {
            Parent = this,
            Provider = args.Provider,
            DependsOn = Dependencies.Of(args.After),
        });
        RuleObject = Output.Format($"{args.Namespace}/{name}");
        RegisterOutputs(new Dictionary<string, object?> { ["ruleObject"] = RuleObject, ["uid"] = rules.Metadata.Apply(m => m.Uid) });
    }

    private sealed class PrometheusRuleArgs : K8s.ApiExtensions.CustomResourceArgs
    {
        public PrometheusRuleArgs(AlertRulesArgs args)
            : base("monitoring.coreos.com/v1", "PrometheusRule")
        {
            Metadata = new ObjectMetaArgs
            {
                Name = "lab-alerts",
                Namespace = args.Namespace,
                Labels = new InputMap<string>
                {
                    ["release"] = args.Release,
                    ["app.kubernetes.io/part-of"] = "lab-infra",
                },
            };
            Spec = args.Spec;
        }

        [Input("spec")]
        public Input<Dictionary<string, object>> Spec { get; }
    }
}
