using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Text.Json;
using Lab.Plan;
using Pulumi.Testing;

namespace Lab.Components.Tests;

/// <summary>
/// The plan shows what `pulumi preview` shows: every known input in place, and each value that waits on an
/// apply marked where it sits, never a whole spec dropped because one value inside it is unknown.
/// </summary>
public class PlanInputsTests
{
    /// <summary>The inputs as Pulumi's own serializer hands them to the mock monitor (it drops a property with anything unknown inside).</summary>
    private sealed class EngineInputs : PlanMocks
    {
        public ConcurrentDictionary<string, ImmutableDictionary<string, object>> Received { get; } = new();

        protected override ImmutableDictionary<string, object> Answer(MockResourceArgs args)
        {
            Received[$"{args.Type}::{args.Name}"] = args.Inputs;
            return ImmutableDictionary<string, object>.Empty;
        }
    }

    public static TheoryData<string> Stacks() => new(Lab.ShippedStacks.Select(f => f.Stack));

    [Theory]
    [MemberData(nameof(Stacks))]
    public async Task Every_input_the_engine_receives_is_in_the_plan_and_every_other_one_is_marked_unknown(string stack)
    {
        var file = Lab.ShippedStacks.Single(f => f.Stack == stack);
        var mocks = new EngineInputs();
        var plan = await Lab.Plan(file, mocks);
        var checkedInputs = 0;
        foreach (var resource in plan.Where(r => mocks.Received.ContainsKey(r.Key) && !r.Type.StartsWith("lab:", StringComparison.Ordinal)))
        {
            var received = mocks.Received[resource.Key];
            foreach (var (key, value) in received)
            {
                Assert.True(resource.Sent.ContainsKey(key), $"{resource.Key}: input {key} is missing from the plan");
                Assert.True(Json(value) == Json(resource.Sent[key]), $"{resource.Key}: input {key} is {Json(resource.Sent[key])} in the plan, {Json(value)} at the engine");
                checkedInputs++;
            }
            // What the engine did not get whole waits on an apply: the plan says where.
            foreach (var key in resource.Sent.Keys.Except(received.Keys))
            {
                Assert.Contains("[unknown", Json(resource.Inputs[key]));
            }
        }
        Assert.True(checkedInputs > 100, $"only {checkedInputs} inputs compared");
    }

    [Fact]
    public async Task Each_gate_job_shows_its_image_build_step_command_volumes_and_host_access()
    {
        var file = Lab.Prod;
        var plan = await Lab.Plan(file);
        var jobs = plan.OfType("kubernetes:batch/v1:Job").ToList();
        Assert.NotEmpty(jobs);
        foreach (var job in jobs)
        {
            var pod = At(job.Inputs, "spec", "template", "spec");
            var container = (IDictionary)((IList)pod["containers"]!)[0]!;
            // The image waits on the digest its build step pushes, and names that step.
            Assert.Matches(@"^\[unknown until applied: images-image-[a-z]+\]$", (string)container["image"]!);
            Assert.Equal("bash", ((IList)container["command"]!)[0]);
            Assert.Contains("\n", (string)((IList)container["command"]!)[2]!);
            Assert.IsType<bool>(pod["hostNetwork"]);
            Assert.IsType<bool>(pod["hostPID"]);
        }
        // The NFS probe reads the node's own automount, and the plan shows it.
        var nfs = jobs.First(j => j.Name.Contains("nfs", StringComparison.Ordinal));
        Assert.Contains("/mnt/nfs", Json(At(nfs.Inputs, "spec", "template", "spec")["volumes"]));

        var printed = PlanPrinter.Print(file, plan);
        Assert.Contains("image: [unknown until applied: images-image-cuda]", printed);
        Assert.Contains("hostPID: ", printed);
    }

    [Fact]
    public async Task The_slurm_cluster_shows_its_spec_with_the_gate_key_marked_unknown()
    {
        var plan = await Lab.Plan(Lab.Prod);
        var cluster = plan.Single("kubernetes:slurm.nebius.ai/v1:SlurmCluster", "slurm-cluster");
        var login = At(cluster.Inputs, "spec", "slurmNodes", "login");
        Assert.Equal("[unknown until applied: slurm-slurm-gate-key]", login["sshRootPublicKeys"]);
        Assert.Equal("NodePort", login["sshdServiceType"]);
        Assert.Equal("structured", At(cluster.Inputs, "spec", "partitionConfiguration")["configType"]);
        Assert.Equal("control", At(cluster.Inputs, "spec", "sConfigController", "node")["k8sNodeFilterName"]);
    }

    private static IDictionary At(IReadOnlyDictionary<string, object> inputs, string first, params string[] path) =>
        path.Aggregate((IDictionary)inputs[first], (map, key) => (IDictionary)map[key]!);

    private static string Json(object? value) => JsonSerializer.Serialize(WithoutNulls(PlannedResource.Sorted(value)));

    // An unset field of an input type reaches the engine as null; the plan leaves it out, as the engine treats it.
    private static object? WithoutNulls(object? value) => value switch
    {
        IDictionary<string, object?> map => map.Where(e => e.Value is not null).ToDictionary(e => e.Key, e => WithoutNulls(e.Value)),
        IList<object?> list => list.Select(WithoutNulls).ToList(),
        _ => value,
    };
}
