using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Lab.Model.Spec;
using Lab.Plan;

// Evaluation time and memory of the whole program under mocks: the shipped 4-node lab and
// synthetic 64-, 256- and 1,000-node labs (prod's nodes repeated on a /16). Best of N runs after a
// warm-up. Each size runs in a process of its own, so its peak memory (working set) is its own; the
// marginal (+) columns are the cost each node adds over the 4-node lab (flat when the program scales
// linearly). Allocation is per run, in MB (1,048,576 bytes), as issue 33's budget per node is.
var root = args.Length > 0 ? args[0] : ".";
var runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
var prod = StackFile.Read(Path.Combine(root, "stacks", "Pulumi.prod.yaml"));

if (args.Length > 3 && args[2] == "--one")
{
    // One size, in this process: "nodes resources best-ms allocated-bytes peak-bytes".
    var count = int.Parse(args[3], CultureInfo.InvariantCulture);
    var file = count == 4 ? prod : Synthetic(prod, count);
    await PlanRunner.RunAsync(file); // warm-up: JIT and type loading are not the program's cost
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
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{count} {resources} {best} {allocated} {Process.GetCurrentProcess().PeakWorkingSet64}"));
    return 0;
}

Console.WriteLine($"{"lab",-10} {"nodes",5} {"resources",9} {"best ms",9} {"ms/node",8} {"+ms/node",8} {"alloc MB",9} {"alloc MB/node",13} {"+alloc MB/node",14} {"peak MB",8} {"+peak KB/node",13}");
Row? baseline = null;
// The sizes: the lab's own 4 first (the marginal columns' base), then the synthetic ones asked for.
var sizes = args.Length > 2 ? [4, .. args.Skip(2).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).Where(n => n != 4)] : new[] { 4, 64, 256, 1000 };
foreach (var nodes in sizes)
{
    var row = Measure(nodes);
    baseline ??= row;
    var extra = nodes - baseline.Nodes;
    string Marginal(double value, double at4) => extra == 0 ? "-" : ((value - at4) / extra).ToString("F2", CultureInfo.InvariantCulture);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{(nodes == 4 ? "prod" : "synthetic"),-10} {nodes,5} {row.Resources,9} {row.BestMs,9:F1} {row.BestMs / nodes,8:F2} {Marginal(row.BestMs, baseline.BestMs),8} " +
        $"{row.Allocated / 1048576.0,9:F1} {row.Allocated / 1048576.0 / nodes,13:F2} {Marginal(row.Allocated / 1048576.0, baseline.Allocated / 1048576.0),14} " +
        $"{row.Peak / 1048576.0,8:F0} {Marginal(row.Peak / 1024.0, baseline.Peak / 1024.0),13}"));
}
return 0;

Row Measure(int nodes)
{
    // This benchmark again, for one size: `dotnet Lab.Benchmarks.dll ...` or its apphost.
    var self = Environment.ProcessPath!;
    var start = new ProcessStartInfo(self) { RedirectStandardOutput = true };
    if (Path.GetFileNameWithoutExtension(self) == "dotnet")
    {
        start.ArgumentList.Add(typeof(Row).Assembly.Location);
    }
    foreach (var arg in new[] { root, runs.ToString(CultureInfo.InvariantCulture), "--one", nodes.ToString(CultureInfo.InvariantCulture) })
    {
        start.ArgumentList.Add(arg);
    }
    using var child = Process.Start(start)!;
    var line = child.StandardOutput.ReadToEnd().Trim();
    child.WaitForExit();
    if (child.ExitCode != 0)
    {
        throw new InvalidOperationException($"the {nodes}-node run failed (exit {child.ExitCode}).");
    }
    var f = line.Split(' ');
    return new Row(int.Parse(f[0], CultureInfo.InvariantCulture), int.Parse(f[1], CultureInfo.InvariantCulture),
        double.Parse(f[2], CultureInfo.InvariantCulture), long.Parse(f[3], CultureInfo.InvariantCulture), long.Parse(f[4], CultureInfo.InvariantCulture));
}

static StackFile Synthetic(StackFile prod, int count)
{
    var template = JsonNode.Parse(prod.Config[ConfigKeys.Nodes])!.AsArray();
    var nodes = new JsonArray();
    // Prod's node names, for what names them elsewhere (Slurm's workers): the first copy of each takes its place.
    var renamed = new Dictionary<string, string>(StringComparer.Ordinal);
    for (var i = 0; i < count; i++)
    {
        var node = template[i % template.Count]!.DeepClone();
        renamed.TryAdd(node["name"]!.GetValue<string>(), $"node-{i:D4}");
        node["name"] = $"node-{i:D4}";
        node["host"] = $"10.50.{1 + i / 250}.{1 + i % 250}";
        node["role"] = i == 0 ? "control" : "gemini";
        nodes.Add(node);
    }
    // The lab's services (NAS, Vault, registry) move to the synthetic /16 with it.
    var config = prod.Config.ToDictionary(kv => kv.Key, kv => kv.Value.Replace("192.168.50.", "10.50.0.", StringComparison.Ordinal));
    config[ConfigKeys.Subnet] = "10.50.0.0/16";
    config[ConfigKeys.Nodes] = nodes.ToJsonString();
    if (config.TryGetValue(ConfigKeys.Slurm, out var slurm))
    {
        var spec = JsonNode.Parse(slurm)!;
        foreach (var worker in spec["workers"]?.AsArray() ?? [])
        {
            worker!["node"] = renamed[worker["node"]!.GetValue<string>()];
        }
        config[ConfigKeys.Slurm] = spec.ToJsonString();
    }
    return prod with { Stack = $"bench{count}", Config = config };
}

internal sealed record Row(int Nodes, int Resources, double BestMs, long Allocated, long Peak);
