using System.Collections;
using System.Collections.Concurrent;
using System.Text.Json;
using Lab.Components.Cluster;
using Lab.Components.Nodes;
using Lab.Plan;
using Pulumi;
using Pulumi.Command.Remote;
using Pulumi.Command.Remote.Inputs;
using Pulumi.Kubernetes.Types.Inputs.Core.V1;
using Pulumi.Kubernetes.Types.Inputs.Meta.V1;
using Pulumi.Testing;

namespace Lab.Components.Tests;

/// <summary>The lab's own classes of a provider's resources register as the provider SDK's typed classes do.</summary>
public class ProviderClassTests
{
    [Fact]
    public async Task A_step_registers_as_the_SDKs_own_Command_does_same_type_token_and_options_its_defaults_included()
    {
        var asked = await Registered((capture, args) =>
        {
            _ = new Command("sdk", args.Command, Options(capture, "stdout"));
            _ = new StepCommand("lab", args.Command, Options(capture, "stdout"));
        });
        Assert.Contains("\"Version\":\"1.", asked["sdk"], StringComparison.Ordinal);
        Assert.Contains("connection", asked["sdk"], StringComparison.Ordinal);
        Assert.Equal(asked["sdk"], asked["lab"]);
    }

    [Fact]
    public async Task A_node_label_patch_registers_as_the_SDKs_typed_NodePatch_does()
    {
        var asked = await Registered((capture, args) =>
        {
            _ = new Pulumi.Kubernetes.Core.V1.NodePatch("sdk", args.Patch("sdk"), Options(capture));
            _ = new NodeLabelPatch("lab", args.Patch("lab"), Options(capture));
        });
        Assert.Contains("\"Version\":\"4.", asked["sdk"], StringComparison.Ordinal);
        Assert.Equal(asked["sdk"], asked["lab"]);
    }

    private sealed class Inputs
    {
        public CommandArgs Command { get; } = new() { Connection = new ConnectionArgs { Host = "192.0.2.10", User = "lab" }, Create = "bash -s" };

        public NodePatchArgs Patch(string node) => new() { Metadata = new ObjectMetaPatchArgs { Name = node, Labels = { ["lab.infra/role"] = "gpu" } } };
    }

    private static CustomResourceOptions Options(ResourceTransformation capture, params string[] secretOutputs)
    {
        var options = new CustomResourceOptions { ResourceTransformations = { capture } };
        options.AdditionalSecretOutputs.AddRange(secretOutputs);
        return options;
    }

    /// <summary>Each resource's type token and every option it reaches the SDK with (its class's defaults merged in); the plan snapshots show their inputs.</summary>
    private static async Task<IReadOnlyDictionary<string, string>> Registered(Action<ResourceTransformation, Inputs> declare)
    {
        var asked = new ConcurrentDictionary<string, string>();
        ResourceTransformation capture = t =>
        {
            var options = typeof(CustomResourceOptions).GetProperties()
                // Not the hooks that capture this, nor resource lists (InputLists, read only asynchronously; never a default).
                .Where(p => p.Name != nameof(ResourceOptions.ResourceTransformations) && !(p.PropertyType.IsGenericType && p.PropertyType.GetGenericTypeDefinition() == typeof(InputList<>)))
                .ToDictionary(p => p.Name, p => p.GetValue(t.Options) switch
                {
                    string or bool or null => p.GetValue(t.Options)?.ToString(),
                    IEnumerable list => JsonSerializer.Serialize(list.Cast<object>().Select(o => o.ToString())),
                    var other => other.ToString(),
                });
            asked[t.Resource.GetResourceName()] = t.Resource.GetResourceType() + " " + JsonSerializer.Serialize(options);
            return null;
        };
        await Deployment.TestAsync(new PlanMocks(), new TestOptions { IsPreview = true, ProjectName = PlanRunner.Project, StackName = "dev" }, () =>
        {
            declare(capture, new Inputs());
            return new Dictionary<string, object?>();
        });
        return asked;
    }
}
