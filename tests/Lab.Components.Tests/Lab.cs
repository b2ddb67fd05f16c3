using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Lab.Model.Spec;
using Lab.Plan;
using Pulumi.Testing;

// The program reads its config from the process environment: plans run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Lab.Components.Tests;

/// <summary>Shipped stack files, variations of them, and plans of them under mocks.</summary>
internal static class Lab
{
    public static string Root => global::Lab.Tests.Shared.RepoRoot.Path;

    public static StackFile Dev => StackFile.Read(Path.Combine(Root, "Pulumi.dev.yaml"));
    public static StackFile Prod => StackFile.Read(Path.Combine(Root, "stacks", "Pulumi.prod.yaml"));

    public static IEnumerable<StackFile> ShippedStacks => [Dev, Prod];

    /// <summary>The lab in a box (scripts/box): a stack the program must accept like any other.</summary>
    public static StackFile Box => StackFile.Read(Path.Combine(Root, "stacks", "Pulumi.box.yaml"));

    public static Task<IReadOnlyList<PlannedResource>> Plan(StackFile file, PlanMocks? mocks = null) => PlanRunner.RunAsync(file, mocks);

    /// <summary>The file with one structured key edited.</summary>
    public static StackFile Edit(this StackFile file, string key, Action<JsonNode> edit)
    {
        var node = JsonNode.Parse(file.Config[key])!;
        edit(node);
        return file with { Config = new Dictionary<string, string>(file.Config) { [key] = node.ToJsonString() } };
    }

    /// <summary>
    /// The file with its validation gate on (enforce) and probe images pinned by digest. The shipped stacks
    /// keep the gate off until the lab's real digests are recorded; these digests are made up for the tests.
    /// Slurm is off where the stack has it, so every GPU is time-sliced and the gate's GPU probes measure every node.
    /// </summary>
    public static StackFile Gated(this StackFile file) =>
        file.Config.ContainsKey(ConfigKeys.Slurm) ? file.GatedWithSlurm().Edit(ConfigKeys.Slurm, s => s["enabled"] = false) : file.GatedWithSlurm();

    /// <summary>The file with its gate on (as Gated), Slurm as the file has it.</summary>
    public static StackFile GatedWithSlurm(this StackFile file) => file.Edit(ConfigKeys.Validation, v =>
    {
        v["mode"] = "enforce";
        v["images"] = new JsonObject
        {
            ["cuda"] = TestImage("lab/gpu-burn:cuda12.6.3"),
            ["tools"] = TestImage("lab/probe-tools:2026.10"),
            ["rapids"] = TestImage("lab/rapids:25.02-cuda12.8-py3.12"),
            ["pushgateway"] = TestImage("lab/pushgateway:1.7.0"),
        };
    });

    private static string TestImage(string tag) => $"{tag}@sha256:{(global::Lab.Model.Text.Shell.Sha256("test digest of " + tag))}";

    /// <summary>The file with a secret set (as the CLI would hand it to the program: plaintext plus its key in the secret list).</summary>
    public static StackFile WithSecret(this StackFile file, string key, string plaintext) => file with
    {
        Config = new Dictionary<string, string>(file.Config) { [key] = plaintext },
        SecretKeys = new HashSet<string>(file.SecretKeys) { key },
    };

    public static PlannedResource Single(this IReadOnlyList<PlannedResource> plan, string type, string name) =>
        Assert.Single(plan, r => r.Type == type && r.Name == name);

    public static IEnumerable<PlannedResource> OfType(this IReadOnlyList<PlannedResource> plan, string type) => plan.Where(r => r.Type == type);
}

/// <summary>Mocks that answer as a healthy lab of this stack would: each step's facts, Vault's ids, Random's values, probe results on target.</summary>
/// <param name="unpushedImage">An image whose step prints no digest.</param>
internal sealed class HealthyLabMocks(StackFile file, string? probeOutput = null, string? unpushedImage = null) : PlanMocks
{
    public const string RoleId = "9b1c2d3e-role-id-of-compute-node";

    /// <summary>What the collector prints when every probe meets its target exactly.</summary>
    public static string OnTarget(StackFile file)
    {
        var lab = LabSpecLoader.Load(file.Stack, file.Config, file.SecretKeys);
        return string.Concat(global::Lab.Model.Validation.Probes.For(lab).Select(p =>
            $"LAB_JOB job={p.JobName} status=complete\n" + string.Concat(p.Checks.Select(c =>
                $"LAB_RESULT check={c.Id} value={c.Target.ToString(System.Globalization.CultureInfo.InvariantCulture)} unit={c.Unit}\n"))));
    }


    /// <summary>What an image build step prints once its push succeeded: the pushed reference by digest.</summary>
    public static string Pushed(string buildScript)
    {
        var data = global::Lab.Model.Text.ScriptData.Read(buildScript).ToDictionary(v => v.Name, v => v.Display);
        // A pinned image's check prints its own digest; a build, the digest of what it pushed.
        var digest = data.TryGetValue("digest", out var pinned) ? pinned : "sha256:" + global::Lab.Model.Text.Shell.Sha256(data["tag"]);
        return global::Lab.Model.Images.LabImages.ResultPrefix + $"{data["registry"]}/{data["repository"]}@{digest}\n";
    }

    /// <summary>What the control node's slurm-gate-key step prints: the gate's public key (SlurmGateAccess.PublicKey).</summary>
    public const string GateKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOmkrAsw2YDqDCVwKYZMkxs4G8tbaSr0L3UrosjHzkDV lab-validation-gate";

    /// <summary>What the control node's backups step reports: the repository password vault-agent wrote, base64.</summary>
    public const string RepositoryPasswordB64 = "cmVzdGljLXRlc3QtcGFzc3dvcmQ=";

    protected override ImmutableDictionary<string, object> Answer(MockResourceArgs args) => args.Type switch
    {
        "command:remote:Command" => ImmutableDictionary<string, object>.Empty.Add("stdout", args.Name!.EndsWith("-cluster-ca", StringComparison.Ordinal)
            ? "ca_sha256=" + global::Lab.Model.Text.Shell.Sha256("cluster-ca") + "\nserver_cert_check=5f1e2d3c4b5a\n"
            : args.Name!.Contains("-join-token-", StringComparison.Ordinal) ? "join_token=issued\ntoken_ttl=600\nmember=" + args.Name[(args.Name.IndexOf("-join-token-", StringComparison.Ordinal) + 12)..] + "\n"
            : args.Name!.Contains("-image-", StringComparison.Ordinal) ? (args.Name.EndsWith($"-image-{unpushedImage}", StringComparison.Ordinal) ? "" : Pushed((string)args.Inputs["stdin"]))
            : args.Name!.EndsWith("-slurm-gate-key", StringComparison.Ordinal) ? $"LAB_GATE_KEY {GateKey}\n"
            : args.Name!.Split('-').Last() switch
            {
                "preflight" => "os=Ubuntu 24.04.3 LTS\nkernel=6.8.0-48-generic\ngpu_model=RTX A5500\ngpu_count=1\n",
                "nvidia" => "driver_version=580.95.05\ndriver_loaded=580.95.05\nreboot_required=false\n",
                "exports" => "exports=5\n",
                "microk8s" => "microk8s=v1.32.9\nchannel=1.32/stable\n",
                "results" => probeOutput ?? OnTarget(file),
                "backups" => "backup_timers=3\nrestic=0.16.4\n" + global::Lab.Model.Backups.BackupJobs.PasswordFact + "=" + RepositoryPasswordB64 + "\n",
                _ => "",
            }),
        "vault:appRole/authBackendRole:AuthBackendRole" => ImmutableDictionary<string, object>.Empty.Add("roleId", RoleId),
        // Vault issues a new secret-id whenever the resource is replaced, i.e. for each new metadata.
        "vault:appRole/authBackendRoleSecretId:AuthBackendRoleSecretId" => ImmutableDictionary<string, object>.Empty.Add("secretId",
            "secret-id-" + global::Lab.Model.Text.Shell.Sha256((string)args.Inputs["metadata"])[..12]),
        "random:index/randomPassword:RandomPassword" => ImmutableDictionary<string, object>.Empty.Add("result",
            global::Lab.Model.Text.Shell.Sha256(System.Text.Json.JsonSerializer.Serialize(args.Inputs["keepers"]))[..32]),
        "random:index/randomId:RandomId" => ImmutableDictionary<string, object>.Empty.Add("hex",
            global::Lab.Model.Text.Shell.Sha256(System.Text.Json.JsonSerializer.Serialize(args.Inputs["keepers"]))[..16]),
        _ => ImmutableDictionary<string, object>.Empty,
    };
}

internal static class OutputValues
{
    /// <summary>The value of an output once the run has resolved it (the pattern of Pulumi's testing guide).</summary>
    public static Task<T> GetValueAsync<T>(this Pulumi.Output<T> output)
    {
        var value = new TaskCompletionSource<T>();
        output.Apply(v =>
        {
            value.SetResult(v);
            return v;
        });
        return value.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
