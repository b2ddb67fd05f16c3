using System.Net;
using Lab.Model.Spec;

namespace Lab.Model.Tests;

public class LabSpecLoaderTests
{
    private static ConfigError Single(IReadOnlyList<ConfigError> errors, string key) =>
        Assert.Single(errors, e => e.Key == key);

    [Fact]
    public void Prod_stack_is_the_four_node_lab_of_seed_000()
    {
        var lab = Repo.Prod();
        Assert.Equal(["zenon", "gemini-1", "derpy", "rocinate"], lab.Nodes.Select(n => n.Name));
        Assert.Equal("zenon", lab.ControlNode.Name);
        Assert.Equal("RTX A4000", lab.Nodes[0].Gpu.Model);
        Assert.All(lab.Nodes.Skip(1), n => Assert.Equal("RTX A5500", n.Gpu.Model));
        Assert.All(lab.Nodes, n => Assert.True(lab.Subnet.Contains(n.Host)));
        Assert.Equal("qnap", lab.Nas.Name);
        Assert.Equal("580", lab.Versions.DriverBranch);
        Assert.Equal("580.95.05", lab.Versions.DriverRelease);
    }

    [Fact]
    public void Dev_stack_is_derpy_alone_as_control_node()
    {
        var lab = Repo.Dev();
        var derpy = Assert.Single(lab.Nodes);
        Assert.Equal("derpy", derpy.Name);
        Assert.Equal(NodeRole.Control, derpy.Role);
        Assert.Equal(SshAuth.Agent, lab.Ssh.Auth);
    }

    [Fact]
    public void Duplicate_node_names_are_reported()
    {
        var errors = Repo.ProdConfig().Edit(ConfigKeys.Nodes, n => n[1]!["name"] = "zenon").Errors();
        Assert.Contains(errors, e => e.Key == "lab:nodes" && e.Problem.Contains("'zenon' is used 2 times"));
    }

    [Fact]
    public void Duplicate_hosts_are_reported()
    {
        var errors = Repo.ProdConfig().Edit(ConfigKeys.Nodes, n => n[3]!["host"] = "192.168.50.11").Errors();
        var error = Single(errors, "lab:nodes");
        Assert.Contains("192.168.50.11 is used by zenon, rocinate", error.Problem);
    }

    [Fact]
    public void A_node_sharing_the_NAS_address_is_reported()
    {
        var errors = Repo.ProdConfig().Edit(ConfigKeys.Nodes, n => n[2]!["host"] = "192.168.50.20").Errors();
        Assert.Contains("node 'derpy'", Single(errors, "lab:nas.host").Problem);
    }

    [Theory]
    [InlineData("192.168.50.300")]
    [InlineData("192.168.50")]
    [InlineData("zenon.lab")]
    public void Malformed_ip_is_reported_with_the_set_command(string host)
    {
        var error = Single(Repo.ProdConfig().Edit(ConfigKeys.Nodes, n => n[0]!["host"] = host).Errors(), "lab:nodes[0].host");
        Assert.Contains("is not an IPv4 address", error.Problem);
        Assert.Contains("pulumi config set --path 'lab:nodes[0].host'", error.Fix);
        Assert.Contains("--config-file stacks/Pulumi.prod.yaml", error.Fix);
    }

    [Theory]
    [InlineData("192.168.50.0")]
    [InlineData("192.168.50.0/33")]
    [InlineData("192.168.50.7/24")]
    public void Malformed_cidr_is_reported(string subnet)
    {
        var error = Single(Repo.ProdConfig().Set(ConfigKeys.Subnet, subnet).Errors(), "lab:subnet");
        Assert.Contains("CIDR", error.Problem);
    }

    [Fact]
    public void A_node_outside_the_lab_subnet_is_reported()
    {
        var error = Single(Repo.ProdConfig().Edit(ConfigKeys.Nodes, n => n[1]!["host"] = "10.0.0.12").Errors(), "lab:nodes[1].host");
        Assert.Equal("10.0.0.12 is outside the lab subnet 192.168.50.0/24.", error.Problem);
    }

    [Theory]
    [InlineData("192.168.50.0", "network")]
    [InlineData("192.168.50.255", "broadcast")]
    public void A_node_on_the_subnets_network_or_broadcast_address_is_refused(string host, string which)
    {
        var error = Single(Repo.ProdConfig().Edit(ConfigKeys.Nodes, n => n[1]!["host"] = host).Errors(), "lab:nodes[1].host");
        Assert.Equal($"{host} is the {which} address of the lab subnet 192.168.50.0/24: no machine can have it.", error.Problem);
        Assert.Equal("use a host address from 192.168.50.1 to 192.168.50.254.", error.Fix);
    }

    [Fact]
    public void The_nas_and_the_services_on_the_subnets_network_or_broadcast_address_are_refused()
    {
        var errors = Repo.ProdConfig().Set(ConfigKeys.Subnet, "192.168.48.0/22")
            .Edit(ConfigKeys.Nas, n => n["host"] = "192.168.51.255")
            .Edit(ConfigKeys.Vault, v => v["address"] = "https://192.168.48.0:8200").Errors();
        Assert.Contains("broadcast address of the lab subnet 192.168.48.0/22", Single(errors, "lab:nas.host").Problem);
        Assert.Equal("use a host address from 192.168.48.1 to 192.168.51.254.", Single(errors, "lab:nas.host").Fix);
        Assert.Contains("192.168.48.0 is the network address", Single(errors, "lab:vault.address").Problem);
    }

    [Fact]
    public void Unknown_role_is_reported_with_the_known_roles()
    {
        var error = Single(Repo.ProdConfig().Edit(ConfigKeys.Nodes, n => n[3]!["role"] = "workhorse").Errors(), "lab:nodes[3].role");
        Assert.Contains("control, gemini or exploratory", error.Fix);
    }

    [Fact]
    public void No_control_node_is_reported()
    {
        var errors = Repo.ProdConfig().Edit(ConfigKeys.Nodes, n => n[0]!["role"] = "gemini").Errors();
        Assert.Contains("has no node with role 'control'", Single(errors, "lab:nodes").Problem);
    }

    [Fact]
    public void Two_control_nodes_are_reported_by_name()
    {
        var errors = Repo.ProdConfig().Edit(ConfigKeys.Nodes, n => n[3]!["role"] = "control").Errors();
        Assert.Contains("2 nodes with role 'control' (zenon, rocinate)", Single(errors, "lab:nodes").Problem);
    }

    [Fact]
    public void Negative_gpu_count_is_reported()
    {
        var errors = Repo.ProdConfig().Edit(ConfigKeys.Nodes, n => n[2]!["gpu"]!["count"] = -1).Errors();
        Assert.Equal("must not be negative, got -1.", Single(errors, "lab:nodes[2].gpu.count").Problem);
    }

    [Fact]
    public void Unknown_top_level_key_suggests_the_intended_one()
    {
        var errors = Repo.ProdConfig().Set("lab:node", "[]").Errors();
        Assert.Contains("did you mean 'lab:nodes'", Single(errors, "lab:node").Fix);
    }

    [Fact]
    public void Unknown_node_field_is_a_typo_not_silently_ignored()
    {
        var errors = Repo.ProdConfig().Edit(ConfigKeys.Nodes, n => n[0]!["rebuidl"] = 1).Errors();
        Assert.Contains("did you mean 'rebuild'", Single(errors, "lab:nodes[0].rebuidl").Fix);
    }

    [Fact]
    public void Keys_of_other_namespaces_are_left_to_their_owners()
    {
        var lab = Repo.ProdConfig().Set("vault:address", "https://192.168.50.20:8200").Load();
        Assert.Equal(4, lab.Nodes.Length);
    }

    [Theory]
    [InlineData("nvidiaDriver", "latest")]
    [InlineData("containerToolkit", "*")]
    [InlineData("nvidiaDriver", "580")]
    public void Unpinned_versions_are_reported(string field, string version)
    {
        var errors = Repo.ProdConfig().Edit(ConfigKeys.Versions, v => v[field] = version).Errors();
        Assert.Contains(errors, e => e.Key == $"lab:versions.{field}");
    }

    [Fact]
    public void Unpinned_os_package_is_reported()
    {
        var errors = Repo.ProdConfig().Edit(ConfigKeys.Versions, v => v["osPackages"]!["chrony"] = "latest").Errors();
        Assert.Contains("is not a pinned version", Single(errors, "lab:versions.osPackages.chrony").Problem);
    }

    [Theory]
    [InlineData("59s", "shorter than any workstation takes to reboot")]
    [InlineData("2h1m", "waiting for hours")]
    [InlineData("soon", "is not a duration")]
    public void A_boot_timeout_outside_a_minute_to_two_hours_is_refused(string timeout, string problem)
    {
        var error = Single(Repo.ProdConfig().Edit(ConfigKeys.Ssh, s => s["bootTimeout"] = timeout).Errors(), "lab:ssh.bootTimeout");
        Assert.Contains(problem, error.Problem);
        Assert.Contains("15m", error.Fix);
    }

    [Fact]
    public void The_boot_timeout_is_15_minutes_unless_the_stack_says_otherwise()
    {
        Assert.Equal(900, Repo.Prod().Ssh.BootTimeoutSeconds);
        Assert.Equal(7200, Repo.ProdConfig().Edit(ConfigKeys.Ssh, s => s["bootTimeout"] = "2h").Load().Ssh.BootTimeoutSeconds);
    }

    [Fact]
    public void Root_as_the_ssh_user_is_refused_with_the_reboot_window_as_the_reason()
    {
        var error = Single(Repo.ProdConfig().Edit(ConfigKeys.Ssh, s => s["user"] = "root").Errors(), "lab:ssh.user");
        Assert.Contains("pam_nologin", error.Problem);
        Assert.Contains("pulumi config set --path 'lab:ssh.user' labops", error.Fix);
    }

    [Fact]
    public void Key_auth_without_the_key_secret_gives_the_exact_command()
    {
        var errors = Repo.ProdConfig().Edit(ConfigKeys.Ssh, s => s["auth"] = "key").Errors();
        var error = Single(errors, ConfigKeys.SshPrivateKey);
        Assert.StartsWith("pulumi config set --secret lab:sshPrivateKey --stack prod --config-file stacks/Pulumi.prod.yaml < ", error.Fix);
    }

    [Fact]
    public void Key_auth_with_the_key_secret_loads()
    {
        var lab = Repo.ProdConfig().Edit(ConfigKeys.Ssh, s => s["auth"] = "key").Secret(ConfigKeys.SshPrivateKey).Load();
        Assert.Equal(SshAuth.Key, lab.Ssh.Auth);
    }

    [Fact]
    public void A_plaintext_ssh_key_is_refused()
    {
        var errors = Repo.ProdConfig().Set(ConfigKeys.SshPrivateKey, "-----BEGIN OPENSSH PRIVATE KEY-----").Errors();
        var error = Single(errors, ConfigKeys.SshPrivateKey);
        Assert.Contains("plaintext", error.Problem);
        Assert.DoesNotContain("BEGIN", error.ToString());
    }

    [Fact]
    public void Every_error_is_reported_at_once()
    {
        var errors = Repo.ProdConfig()
            .Set(ConfigKeys.Subnet, "not-a-cidr")
            .Edit(ConfigKeys.Nodes, n =>
            {
                n[1]!["role"] = "boss";
                n[2]!["gpu"]!["count"] = -2;
            })
            .Edit(ConfigKeys.Versions, v => v["nvidiaDriver"] = "latest")
            .Errors();
        Assert.Equal(
            ["lab:subnet", "lab:versions.nvidiaDriver", "lab:nodes[1].role", "lab:nodes[2].gpu.count"],
            errors.Select(e => e.Key));
    }

    [Fact]
    public void A_stack_without_lab_config_says_where_its_file_is()
    {
        var e = Assert.Throws<LabConfigException>(() => LabSpecLoader.Load("prod", new Dictionary<string, string>(), new HashSet<string>()));
        var error = Assert.Single(e.Errors);
        Assert.Contains("stacks/Pulumi.prod.yaml", error.Fix);
        Assert.Contains("--config-file stacks/Pulumi.prod.yaml", error.Fix);
    }

    [Fact]
    public void Legacy_config_infix_keys_are_understood()
    {
        var config = Repo.ProdConfig();
        var legacy = config.Values.ToDictionary(kv => kv.Key.Replace("lab:", "lab:config:"), kv => kv.Value);
        var lab = LabSpecLoader.Load("prod", legacy, new HashSet<string>());
        Assert.Equal(IPAddress.Parse("192.168.50.14"), lab.Nodes[3].Host);
    }

    [Fact]
    public void Structured_value_of_the_wrong_shape_is_reported()
    {
        var error = Single(Repo.ProdConfig().Set(ConfigKeys.Nodes, "{\"name\":\"zenon\"}").Errors(), "lab:nodes");
        Assert.Equal("must be a list, got a mapping.", error.Problem);
    }

    [Fact]
    public void Missing_required_node_field_names_the_field()
    {
        var errors = Repo.ProdConfig().Edit(ConfigKeys.Nodes, n => n[0]!.AsObject().Remove("cpu")).Errors();
        Assert.Equal("is missing.", Single(errors, "lab:nodes[0].cpu").Problem);
    }

    [Fact]
    public void Rebuild_generation_defaults_to_zero_and_is_read()
    {
        var lab = Repo.ProdConfig().Edit(ConfigKeys.Nodes, n =>
        {
            n[0]!.AsObject().Remove("rebuild");
            n[2]!["rebuild"] = 3;
        }).Load();
        Assert.Equal([0, 0, 3, 0], lab.Nodes.Select(n => n.Rebuild));
    }

    [Fact]
    public void Error_text_names_key_problem_and_fix()
    {
        var e = Assert.Throws<LabConfigException>(() => Repo.ProdConfig().Edit(ConfigKeys.Nodes, n => n[1]!["host"] = "10.1.1.1").Load());
        Assert.Contains("stack 'prod': 1 configuration error(s); nothing was deployed.", e.Message);
        Assert.Contains("lab:nodes[1].host: 10.1.1.1 is outside the lab subnet 192.168.50.0/24. Fix: use an address in 192.168.50.0/24", e.Message);
    }

    [Fact]
    public void A_broken_control_node_is_one_error_not_a_cascade()
    {
        var errors = Repo.ProdConfig().Edit(ConfigKeys.Nodes, n => n[0]!["host"] = "10.9.9.9").Errors();
        Assert.Equal("lab:nodes[0].host", Assert.Single(errors).Key);
    }
}
