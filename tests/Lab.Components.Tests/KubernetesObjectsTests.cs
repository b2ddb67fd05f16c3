using System.Collections.Immutable;
using Lab.Plan;
using YamlDotNet.RepresentationModel;

namespace Lab.Components.Tests;

/// <summary>scripts/render's Kubernetes half: every object the program creates, as a manifest kubectl would take.</summary>
public class KubernetesObjectsTests
{
    [Fact]
    public async Task Every_kubernetes_object_of_the_prod_plan_is_written_as_a_manifest()
    {
        var plan = await Lab.Plan(Lab.Prod);
        var objects = KubernetesObjects.Render(plan);
        var expected = plan.Count(r => r.Type.StartsWith("kubernetes:", StringComparison.Ordinal));
        Assert.Equal(expected, objects.Count);
        Assert.Equal(objects.Count, objects.Select(o => o.Path).Distinct().Count());
        foreach (var (path, yaml) in objects.Where(o => !o.Path.StartsWith("kubernetes/helm/", StringComparison.Ordinal)))
        {
            var root = Parse(yaml);
            Assert.True(root.Children.ContainsKey("apiVersion") && root.Children.ContainsKey("kind"), $"{path} has no apiVersion or kind");
        }

        // A Job: its script as the script, its labels as strings, its image marked with the step it waits on.
        var job = plan.First(r => r.Type == "kubernetes:batch/v1:Job" && r.Name == "validation-nfs-throughput");
        var (jobPath, jobYaml) = objects.Single(o => o.Path.StartsWith("kubernetes/lab-validation/job-nfs-throughput-", StringComparison.Ordinal) && o.Content.Contains("lab.infra/attempt: \"1\""));
        Assert.Equal($"kubernetes/lab-validation/job-{((IDictionary<string, object>)job.Inputs["metadata"])["name"]}.yaml", jobPath);
        var labels = (YamlMappingNode)((YamlMappingNode)Parse(jobYaml).Children["metadata"]).Children["labels"];
        Assert.Equal(YamlDotNet.Core.ScalarStyle.DoubleQuoted, ((YamlScalarNode)labels.Children["lab.infra/attempt"]).Style);
        Assert.Contains("\n          readonly size_mib='2048'\n", jobYaml);
        Assert.Contains("image: '[unknown until applied: images-image-tools]'", jobYaml);
        Assert.Contains("path: /mnt/nfs/results", jobYaml);

        // The SlurmCluster in full, the gate key it waits on marked.
        var cluster = objects.Single(o => o.Path == "kubernetes/slurm/slurmcluster-lab-slurm.yaml").Content;
        Assert.Contains("sshRootPublicKeys: '[unknown until applied: slurm-slurm-gate-key]'", cluster);
        Assert.Contains("configType: structured", cluster);
        Assert.Contains(objects, o => o.Path == "kubernetes/helm/soperator.yaml");
    }

    [Fact]
    public void A_secrets_data_is_redacted_whatever_its_secretness()
    {
        var inputs = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, object>
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Secret",
            ["metadata"] = ImmutableDictionary<string, object>.Empty.Add("name", "db").Add("namespace", "slurm"),
            ["stringData"] = ImmutableDictionary<string, object>.Empty.Add("password", "hunter2-plain"),
            ["data"] = ImmutableDictionary<string, object>.Empty.Add("token", "aHVudGVyMg=="),
        });
        var secret = new PlannedResource("kubernetes:core/v1:Secret", "db", null, null, inputs, false, false, [], null, [], "urn:x");
        var (path, yaml) = Assert.Single(KubernetesObjects.Render([secret]));
        Assert.Equal("kubernetes/slurm/secret-db.yaml", path);
        Assert.DoesNotContain("hunter2", yaml);
        Assert.DoesNotContain("aHVudGVyMg", yaml);
        Assert.Contains("password: '[redacted]'", yaml);
        Assert.Contains("token: '[redacted]'", yaml);
    }

    private static YamlMappingNode Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }
}
