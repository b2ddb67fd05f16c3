using System.Text.Json.Nodes;
using Lab.Model.Images;
using Lab.Model.Spec;
using Lab.Model.Text;

namespace Lab.Model.Tests;

public class ImageTests
{
    private static LabImages.BuildData Data(LabSpec lab, string name) => Values(LabImages.Source(lab, name).Step.Text);

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
        var changed = LabImages.Sources(prod).Zip(LabImages.Sources(moved)).Where(p => p.First.Step.Hash != p.Second.Step.Hash).Select(p => p.First.Name);
        Assert.Equal(["rapids"], changed);
        Assert.NotEqual(Data(prod, "rapids").Tag, Data(moved, "rapids").Tag);
        // A new apt snapshot moves every image's base.
        var snapshot = Repo.ProdConfig().Edit(ConfigKeys.Versions, v => v["aptSnapshot"] = "20251215T000000Z").Load();
        Assert.All(LabImages.Sources(prod).Zip(LabImages.Sources(snapshot)), p => Assert.NotEqual(p.First.Step.Hash, p.Second.Step.Hash));
    }

    [Fact]
    public void The_pushed_digest_is_read_from_the_build_and_a_build_without_one_fails_naming_image_and_registry()
    {
        var build = LabImages.Source(Repo.Prod(), "tools").Step;
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

    /// <summary>
    /// The Containerfile lint (the CUDA and RAPIDS images cannot be built here): known instructions only, every ARG
    /// fed by the build step and every build arg declared, every COPY source in the context, and the probe images
    /// run as the probe account with HOME=/tmp.
    /// </summary>
    [Fact]
    public void Every_containerfile_uses_only_its_build_args_and_context_and_probe_images_run_as_the_probe_account()
    {
        string[] known = ["FROM", "ARG", "RUN", "COPY", "ENV", "USER", "EXPOSE", "ENTRYPOINT", "WORKDIR", "CMD"];
        foreach (var image in LabImages.Catalogue(Repo.Prod().Validation.Build))
        {
            var context = LabImages.Context(image);
            var instructions = context["Containerfile"].Replace("\\\n", " ", StringComparison.Ordinal).Split('\n')
                .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => (Op: l.Split(' ')[0], Args: l[(l.IndexOf(' ') + 1)..])).ToList();
            Assert.All(instructions, i => Assert.Contains(i.Op, known));
            var declared = instructions.Where(i => i.Op == "ARG").Select(i => i.Args).ToHashSet();
            var fed = image.BuildArgs.Select(a => a.Split('=')[0]).Append("BASE").ToHashSet();
            Assert.True(declared.SetEquals(fed), $"{image.Name}: ARGs {string.Join(",", declared)} but the build step feeds {string.Join(",", fed)}");
            foreach (var copy in instructions.Where(i => i.Op == "COPY" && !i.Args.StartsWith("--from=", StringComparison.Ordinal)))
            {
                var sources = copy.Args.Split(' ')[..^1];
                Assert.All(sources, src => Assert.True(context.ContainsKey(src) || image.HostFiles.ContainsKey(src), $"{image.Name}: COPY {src} is not in its context"));
            }
            if (image.Name is "cuda" or "tools" or "rapids")
            {
                Assert.Contains(("USER", $"{Lab.Model.Validation.Probes.ProbeUid}:{Lab.Model.Validation.Probes.ProbeGid}"), instructions);
                Assert.Contains(("ENV", "HOME=/tmp"), instructions);
            }
        }
        Assert.Contains("NVIDIA_DRIVER_CAPABILITIES=compute,utility", LabImages.Context(LabImages.Catalogue(Repo.Prod().Validation.Build)[0])["Containerfile"]);
    }

    [Fact]
    public void A_gate_that_is_off_builds_no_probe_image()
    {
        var off = Repo.ProdConfig().Edit(ConfigKeys.Validation, v => v["mode"] = "off").Load();
        Assert.Equal(["pushgateway", "blackbox"], LabImages.Sources(off).Select(s => s.Name));
        Assert.Equal(LabImages.Names.Order(), LabImages.Sources(Repo.Prod()).Select(s => s.Name).Order());
    }
}
