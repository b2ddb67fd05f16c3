using System.Collections.Immutable;
using Lab.Model.Nodes;
using Pulumi;

namespace Lab.Components.Nodes;

public sealed class BareMetalNodeArgs : ResourceArgs
{
    public required SshTarget Ssh { get; init; }

    /// <summary>The node's rendered steps in chain order (Lab.Model NodeSteps): they decide the resources.</summary>
    public required IReadOnlyList<StepScript> Steps { get; init; }

    /// <summary>Rebuild generation: part of every step's triggers, so bumping it re-runs the whole chain.</summary>
    public required Input<int> Rebuild { get; init; }

    /// <summary>Resources outside the node a step must wait for, by step name (e.g. storage after the NAS exports).</summary>
    public IReadOnlyDictionary<string, Resource> StepsAfter { get; init; } = new Dictionary<string, Resource>();

    /// <summary>Secret lines a step reads after its script on stdin, by step name (e.g. vault-agent's role-id and secret-id).</summary>
    public IReadOnlyDictionary<string, Output<string>> StepSecrets { get; init; } = new Dictionary<string, Output<string>>();
}

/// <summary>
/// One bare-metal workstation: a chain of remote steps over SSH, each re-run only when its
/// rendered script (or the node's rebuild generation) changes.
/// </summary>
public sealed class BareMetalNode : ComponentResource
{
    public const string TypeToken = "lab:node:BareMetalNode";

    /// <summary>The GPU model preflight found, e.g. RTX A5500.</summary>
    [Output] public Output<string> GpuModel { get; private set; }

    /// <summary>The NVIDIA driver release installed, e.g. 580.95.05.</summary>
    [Output] public Output<string> DriverVersion { get; private set; }

    /// <summary>The running kernel, e.g. 6.8.0-48-generic.</summary>
    [Output] public Output<string> Kernel { get; private set; }

    /// <summary>The node's steps by name, for dependants that must run after one of them.</summary>
    public IReadOnlyDictionary<string, StepCommand> Steps { get; }

    /// <summary>The end of the chain: what runs on the node after it waits for this.</summary>
    public StepCommand LastStep { get; }

    public BareMetalNode(string name, BareMetalNodeArgs args, ComponentResourceOptions? options = null)
        : base(TypeToken, name, options)
    {
        var steps = ImmutableDictionary.CreateBuilder<string, StepCommand>();
        StepCommand? previous = null;
        foreach (var step in args.Steps)
        {
            var after = new[] { previous, args.StepsAfter.GetValueOrDefault(step.Step) }.OfType<Resource>();
            previous = RemoteStep.Create(this, name, args.Ssh, step, waitForBoot: previous is null || step.WaitsForBoot,
                RemoteStep.Triggers(step, args.Rebuild), after,
                secretLines: args.StepSecrets.GetValueOrDefault(step.Step));
            steps[step.Step] = previous;
        }
        Steps = steps.ToImmutable();
        LastStep = previous ?? throw new ArgumentException($"{name}: a node needs at least one step.");

        GpuModel = Fact(name, "preflight", "gpu_model");
        Kernel = Fact(name, "preflight", "kernel");
        DriverVersion = Fact(name, "nvidia", "driver_version");
        RegisterOutputs(new Dictionary<string, object?>
        {
            ["gpuModel"] = GpuModel,
            ["driverVersion"] = DriverVersion,
            ["kernel"] = Kernel,
        });
    }

    private Output<string> Fact(string node, string step, string key) =>
        Steps.TryGetValue(step, out var command)
            ? command.Stdout.Apply(stdout => StepFacts.Require(node, step, stdout, key))
            : throw new ArgumentException($"{node}: the node's chain has no '{step}' step, which reports '{key}'.");
}
