using System.Text.Json.Nodes;
using Lab.Model.Images;
using Lab.Model.Spec;
using Lab.Model.Text;

namespace Lab.Model.Tests;

public class ImageTests
{
    private static LabImages.BuildData Data(LabSpec lab, string name) => Values(LabImages.Source(lab, name).Build!.Text);

    private static LabImages.BuildData Values(string script)
    {
        var v = ScriptData.Read(script).ToDictionary(x => x.Name, x => x.Display);
        return new LabImages.BuildData(v["image"], v["registry"], v["registry_tls"] == "true", v["ca_cert"], v["repository"], v["tag"], v["archive"],
            v["buildah"], v["debootstrap"], [], [], [], [], []);
    }

    [Fact]
    public void Every_catalogue_image_has_a_containerfile_and_builds_from_the_nodes_pinned_archive()
    {
        var prod = Repo.Prod();
        Assert.Equal(LabImages.Names.Order(), LabImages.Catalogue(prod.Validation.Build).Select(i => i.Name).Order());
        Assert.All(LabImages.Catalogue(prod.Validation.Build), image =>
        {
            var context = LabImages.Context(image);
            Assert.Contains("Containerfile", context.Keys);
            Assert.Contains("FROM ${BASE}", context["Containerfile"]);
            var data = Data(prod, image.Name);
            Assert.Equal("https://snapshot.ubuntu.com/ubuntu/20251201T000000Z/", data.Archive);
            Assert.Equal(("192.168.50.20:5000", true, "/usr/local/share/ca-certificates/ai-lab-ca.crt"), (data.Registry, data.RegistryTls, data.CaCert));
        });
    }

    [Fact]
    public void Only_the_image_whose_pin_changed_is_rebuilt()
    {
        var prod = Repo.Prod();
        var moved = Repo.ProdConfig().Edit(ConfigKeys.Validation, v => v["build"]!["rapids"] = "26.10.3").Load();
        var changed = LabImages.Sources(prod).Zip(LabImages.Sources(moved)).Where(p => p.First.Build!.Hash != p.Second.Build!.Hash).Select(p => p.First.Name);
        Assert.Equal(["rapids"], changed);
        Assert.NotEqual(Data(prod, "rapids").Tag, Data(moved, "rapids").Tag);
        // A new apt snapshot moves every image's base.
        var snapshot = Repo.ProdConfig().Edit(ConfigKeys.Versions, v => v["aptSnapshot"] = "20251215T000000Z").Load();
        Assert.All(LabImages.Sources(prod).Zip(LabImages.Sources(snapshot)), p => Assert.NotEqual(p.First.Build!.Hash, p.Second.Build!.Hash));
    }

    [Fact]
    public void The_pushed_digest_is_read_from_the_build_and_a_build_without_one_fails_naming_image_and_registry()
    {
        var build = LabImages.Source(Repo.Prod(), "tools").Build!;
        var digest = new string('c', 64);
        Assert.Equal($"192.168.50.20:5000/lab/probe-tools@sha256:{digest}",
            LabImages.PushedReference(build, $"buildah version 1.33.7\nLAB_IMAGE 192.168.50.20:5000/lab/probe-tools@sha256:{digest}\n"));
        foreach (var output in new[] { "", "LAB_IMAGE 192.168.50.20:5000/lab/probe-tools:latest", $"LAB_IMAGE 10.0.0.1:5000/lab/probe-tools@sha256:{digest}", $"LAB_IMAGE 192.168.50.20:5000/lab/probe-tools@sha256:{digest}x" })
        {
            var error = Assert.Throws<InvalidOperationException>(() => LabImages.PushedReference(build, output));
            Assert.Contains("image tools", error.Message);
            Assert.Contains("registry 192.168.50.20:5000", error.Message);
        }
    }

    [Fact]
    public void Containerd_trusts_the_registry_with_the_lab_CA_or_over_plain_HTTP()
    {
        var prod = Repo.Prod();
        var toml = LabImages.HostsToml(prod.Validation, prod.Vault.CaCert);
        Assert.Contains("server = \"https://192.168.50.20:5000\"", toml);
        Assert.Contains("[host.\"https://192.168.50.20:5000\"]", toml);
        Assert.Contains("ca = \"/usr/local/share/ca-certificates/ai-lab-ca.crt\"", toml);
        var box = Repo.Load(StackFile.Read(Repo.BoxFile));
        var plain = LabImages.HostsToml(box.Validation, box.Vault.CaCert);
        Assert.Contains("server = \"http://10.213.0.20:5000\"", plain);
        Assert.DoesNotContain("ca =", plain);
        var trust = LabImages.RegistryTrust(prod, prod.ControlNode);
        Assert.Contains(ScriptData.Read(trust.Text), v => v.Name == "hosts_file" && v.Display == "/var/snap/microk8s/current/args/certs.d/192.168.50.20:5000/hosts.toml");
    }

    [Theory]
    [InlineData("gpuBurnCommit", "v1.1", "a full git commit hash")]
    [InlineData("rapids", "latest", "not a cudf-cu12 release")]
    [InlineData("buildah", "", "not an apt version")]
    public void A_bad_build_pin_is_refused_naming_its_key(string field, string value, string problem)
    {
        var errors = Repo.ProdConfig().Edit(ConfigKeys.Validation, v => v["build"]![field] = value).Errors();
        Assert.Contains(problem, Assert.Single(errors, e => e.Key == $"lab:validation.build.{field}").Problem);
    }

    [Fact]
    public void An_operator_image_without_digest_is_still_refused()
    {
        var errors = Repo.ProdConfig().Edit(ConfigKeys.Validation, v => v["images"] = new JsonObject { ["pushgateway"] = "lab/pushgateway:1.7" }).Errors();
        Assert.Contains("not pinned by digest", Assert.Single(errors, e => e.Key == "lab:validation.images.pushgateway").Problem);
    }
}
