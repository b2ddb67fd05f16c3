using System.Diagnostics;
using System.Text.Json.Nodes;
using Lab.Model.Spec;
using Lab.Plan;

// Evaluation time and memory of the whole program under mocks: the shipped 4-node lab and
// synthetic 64- and 256-node labs (prod's nodes repeated on a /16). Best of N runs after a warm-up.
var root = args.Length > 0 ? args[0] : ".";
var runs = args.Length > 1 ? int.Parse(args[1]) : 5;
var prod = StackFile.Read(Path.Combine(root, "stacks", "Pulumi.prod.yaml"));

await PlanRunner.RunAsync(prod); // warm-up: JIT and type loading are not the program's cost

Console.WriteLine($"{"lab",-10} {"nodes",5} {"resources",9} {"best ms",9} {"ms/node",8} {"alloc MB",9} {"KB/node",8} {"peak WS MB",10}");
foreach (var (label, file) in new[] { ("prod", prod), ("synthetic", Synthetic(prod, 64)), ("synthetic", Synthetic(prod, 256)) })
{
    var nodes = JsonNode.Parse(file.Config[ConfigKeys.Nodes])!.AsArray().Count;
    var best = double.MaxValue;
    long allocated = 0;
    var resources = 0;
    for (var i = 0; i < runs; i++)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        resources = (await PlanRunner.RunAsync(file)).Count;
        best = Math.Min(best, clock.Elapsed.TotalMilliseconds);
        allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
    }
    var peak = Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0;
    Console.WriteLine($"{label,-10} {nodes,5} {resources,9} {best,9:F1} {best / nodes,8:F2} {allocated / 1048576.0,9:F1} {allocated / 1024.0 / nodes,8:F0} {peak,10:F0}");
}

static StackFile Synthetic(StackFile prod, int count)
{
    var template = JsonNode.Parse(prod.Config[ConfigKeys.Nodes])!.AsArray();
    var nodes = new JsonArray();
    for (var i = 0; i < count; i++)
    {
        var node = template[i % template.Count]!.DeepClone();
        node["name"] = $"node-{i:D3}";
        node["host"] = $"10.50.{1 + i / 250}.{1 + i % 250}";
        node["role"] = i == 0 ? "control" : "gemini";
        nodes.Add(node);
    }
    // The lab's services (NAS, Vault, registry) move to the synthetic /16 with it.
    var config = prod.Config.ToDictionary(kv => kv.Key, kv => kv.Value.Replace("192.168.50.", "10.50.0.", StringComparison.Ordinal));
    config[ConfigKeys.Subnet] = "10.50.0.0/16";
    config[ConfigKeys.Nodes] = nodes.ToJsonString();
    return prod with { Stack = $"bench{count}", Config = config };
}
