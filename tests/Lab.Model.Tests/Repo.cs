using System.Text.Json.Nodes;
using Lab.Model.Spec;

namespace Lab.Model.Tests;

/// <summary>The repository's shipped stack files, and configs derived from them for one rule at a time.</summary>
internal static class Repo
{
    public static string Root => Lab.Tests.Shared.RepoRoot.Path;

    public static string DevFile => Path.Combine(Root, "Pulumi.dev.yaml");
    public static string ProdFile => Path.Combine(Root, "stacks", "Pulumi.prod.yaml");
    public static string BoxFile => Path.Combine(Root, "stacks", "Pulumi.box.yaml");
    public static IEnumerable<string> StackFiles => [DevFile, ProdFile, BoxFile];

    public static LabSpec Load(StackFile file) => LabSpecLoader.Load(file.Stack, file.Config, file.SecretKeys);

    public static LabSpec Prod() => Load(StackFile.Read(ProdFile));
    public static LabSpec Dev() => Load(StackFile.Read(DevFile));

    /// <summary>The prod config as a mutable map, for changing one thing.</summary>
    public static Config ProdConfig() => new(StackFile.Read(ProdFile));

    /// <summary>
    /// Prod with the operator's own probe images pinned by digest (lab:validation.images) instead of the
    /// program's builds; these digests are made up for the tests.
    /// Slurm is off, so every GPU is time-sliced and the gate's GPU probes measure every node (SlurmGateTests covers Slurm's split).
    /// </summary>
    public static Config GatedProdConfig() => GatedProdWithSlurmConfig().Edit(ConfigKeys.Slurm, s => s["enabled"] = false);

    /// <summary>Prod with its gate on (as GatedProdConfig) and Slurm running as shipped.</summary>
    public static Config GatedProdWithSlurmConfig() => ProdConfig().Edit(ConfigKeys.Validation, v =>
    {
        v["mode"] = "enforce";
        v["images"] = new JsonObject
        {
            ["cuda"] = TestImage("lab/gpu-burn:cuda12.6.3"),
            ["tools"] = TestImage("lab/probe-tools:2026.10"),
            ["rapids"] = TestImage("lab/rapids:25.02-cuda12.8-py3.12"),
        };
    });

    public static LabSpec GatedProd() => GatedProdConfig().Load();

    private static string TestImage(string tag) => $"{tag}@sha256:{Lab.Model.Text.Shell.Sha256("test digest of " + tag)}";

    internal sealed class Config(StackFile file)
    {
        public Dictionary<string, string> Values { get; } = new(file.Config);
        public HashSet<string> Secrets { get; } = new(file.SecretKeys);

        public Config Set(string key, string value)
        {
            Values[key] = value;
            return this;
        }

        /// <summary>Marks the key secret, as `pulumi config set --secret` does; an unset key gets the plan's masked value.</summary>
        public Config Secret(string key)
        {
            Values.TryAdd(key, StackFile.SecretMarker);
            Secrets.Add(key);
            return this;
        }

        public Config Remove(string key)
        {
            Values.Remove(key);
            return this;
        }

        /// <summary>Edits the JSON of a structured key, e.g. Edit("lab:nodes", n => n[0]!["host"] = "10.0.0.1").</summary>
        public Config Edit(string key, Action<JsonNode> edit)
        {
            var node = JsonNode.Parse(Values[key])!;
            edit(node);
            Values[key] = node.ToJsonString();
            return this;
        }

        public LabSpec Load() => LabSpecLoader.Load("prod", Values, Secrets);

        public IReadOnlyList<ConfigError> Errors() => Assert.Throws<LabConfigException>(Load).Errors;
    }
}
