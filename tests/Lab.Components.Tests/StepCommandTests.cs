using System.Collections;
using System.Collections.Concurrent;
using System.Text.Json;
using Lab.Components.Nodes;
using Lab.Plan;
using Pulumi;
using Pulumi.Command.Remote;
using Pulumi.Command.Remote.Inputs;
using Pulumi.Testing;

namespace Lab.Components.Tests;

public class StepCommandTests
{
    [Fact]
    public async Task A_step_registers_as_the_SDKs_own_Command_does_same_type_token_and_options_its_defaults_included()
    {
        // Every option each resource reaches the SDK with (the class's defaults merged in), and its type token.
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
            var args = new CommandArgs { Connection = new ConnectionArgs { Host = "192.0.2.10", User = "lab" }, Create = "bash -s" };
            _ = new Command("sdk", args, new CustomResourceOptions { ResourceTransformations = { capture }, AdditionalSecretOutputs = { "stdout" } });
            _ = new StepCommand("lab", args, new CustomResourceOptions { ResourceTransformations = { capture }, AdditionalSecretOutputs = { "stdout" } });
            return new Dictionary<string, object?>();
        });
        Assert.Contains("\"Version\":\"1.", asked["sdk"], StringComparison.Ordinal);
        Assert.Contains("connection", asked["sdk"], StringComparison.Ordinal);
        Assert.Equal(asked["sdk"], asked["lab"]);
    }
}
